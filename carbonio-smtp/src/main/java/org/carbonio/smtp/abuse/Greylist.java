package org.carbonio.smtp.abuse;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.carbonio.smtp.spi.RecipientCheck;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.carbonio.smtp.spi.SessionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Greylisting (RFC 6647) as a {@link RecipientPolicy} decorator: the first time a triplet (client
 * network, sender, recipient) is seen, the recipient gets {@code 451 4.7.1 Greylisted, try again in
 * N seconds}; a retry after {@code delay} and within {@code retryWindow} is accepted, and the
 * triplet then passes at once for {@code maxAge} after it was last seen. A client network whose
 * triplets passed {@code autoWhitelistAfter} times is whitelisted (for {@code maxAge} after its
 * last message). Legitimate MTAs retry; most spam bots don't. Thread-safe.
 *
 * {@snippet :
 * try (Greylist greylist = Greylist.builder(localDomainsOnly)
 *     .persistence(dataDir.resolve("greylist"))
 *     .exempt(session -> isAuthenticated(session))
 *     .build()) {
 *   SmtpServer.builder().recipientPolicy(greylist) ... ;
 * }
 * }
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>Postgrey</th></tr>
 *   <tr><td>{@code delay}</td><td>5 minutes</td><td>{@code --delay=300}</td></tr>
 *   <tr><td>{@code retryWindow}</td><td>24 hours</td><td>{@code --retry-window=2} (days)</td></tr>
 *   <tr><td>{@code maxAge}</td><td>35 days</td><td>{@code --max-age=35}</td></tr>
 *   <tr><td>{@code autoWhitelistAfter}</td><td>5 (0: off)</td>
 *       <td>{@code --auto-whitelist-clients=5}</td></tr>
 *   <tr><td>client network</td><td>IPv4 /24, IPv6 /64</td><td>{@code --ipv4cidr=24}</td></tr>
 *   <tr><td>{@code exemptNetworks}</td><td>{@link Cidr#LOOPBACK}</td><td></td></tr>
 *   <tr><td>{@code exempt}</td><td>no session</td><td></td></tr>
 *   <tr><td>{@code maxEntries}</td><td>{@value #DEFAULT_MAX_ENTRIES} triplets (and as many
 *       clients), about 120 bytes each</td><td>(on disk)</td></tr>
 *   <tr><td>{@code persistence}</td><td>none (memory only)</td><td></td></tr>
 *   <tr><td>{@code flushInterval}</td><td>1 minute</td><td></td></tr>
 * </table>
 *
 * <p>The delegate decides first: a recipient it refuses is refused with its reply and leaves no
 * greylist entry (so relay attempts and unknown users cost no memory), and greylisting never
 * accepts what the delegate refused. Sessions for which {@code exempt} is true (pass {@code
 * authenticated sessions} here) and clients in {@code exemptNetworks} are never greylisted. Sender
 * and recipient are compared case-insensitively; triplets are kept as 128-bit hashes, never as
 * addresses. When the table is full, expired entries go first, then triplets still waiting for
 * their retry, then any (at random).
 *
 * <p>With {@link Builder#persistence(Path)}, the state is read from {@code greylist.bin} in that
 * directory at build and written there (to a temporary file, fsynced, then renamed) every {@code
 * flushInterval} and at {@link #close()}. A crash ({@code kill -9}) loses what changed since the
 * last write: a few clients get greylisted once more, nothing worse.
 */
public final class Greylist implements RecipientPolicy, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Greylist.class);

  /** Default triplets (and clients) remembered. */
  public static final int DEFAULT_MAX_ENTRIES = 200_000;

  static final String FILE = "greylist.bin";
  private static final int MAGIC = 0x43475231; // "CGR1"

  private final RecipientPolicy delegate;
  private final long delay;
  private final long retryWindow;
  private final long maxAge;
  private final int autoWhitelistAfter;
  private final List<Cidr> exemptNetworks;
  private final Predicate<SessionInfo> exempt;
  private final Clock clock;
  private final Path directory;
  private final BoundedTable<TripletKey, Triplet> triplets;
  private final BoundedTable<ClientKey, Client> clients;
  private final BoundedTable.Rules<Triplet> tripletRules;
  private final BoundedTable.Rules<Client> clientRules;
  private final ScheduledExecutorService flusher;
  private final ReentrantLock writing = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();

  private Greylist(Builder b) {
    this.delegate = b.delegate;
    this.delay = b.delay.toMillis();
    this.retryWindow = b.retryWindow.toMillis();
    this.maxAge = b.maxAge.toMillis();
    this.autoWhitelistAfter = b.autoWhitelistAfter;
    this.exemptNetworks = b.exemptNetworks;
    this.exempt = b.exempt;
    this.clock = b.clock;
    this.directory = b.directory;
    this.triplets = new BoundedTable<>(b.maxEntries);
    this.clients = new BoundedTable<>(b.maxEntries);
    this.tripletRules =
        BoundedTable.Rules.of(t -> expired(t, clock.millis()), t -> !t.passed, t -> true);
    this.clientRules =
        BoundedTable.Rules.of(
            c -> clock.millis() - c.lastSeen > maxAge,
            c -> c.passes < autoWhitelistAfter,
            c -> true);
    if (directory == null) {
      this.flusher = null;
    } else {
      this.flusher =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().name("greylist-flush").daemon(true).factory());
      long every = b.flushInterval.toMillis();
      flusher.scheduleWithFixedDelay(this::flushQuietly, every, every, TimeUnit.MILLISECONDS);
    }
  }

  /** A builder around {@code delegate}, which decides first. */
  public static Builder builder(RecipientPolicy delegate) {
    return new Builder(delegate);
  }

  @Override
  public RecipientDecision check(RecipientCheck check) {
    RecipientDecision d = delegate.check(check);
    if (!(d instanceof RecipientDecision.Accept)) {
      return d;
    }
    InetAddress address = check.session().remote().getAddress();
    if (address == null
        || exempt.test(check.session())
        || Cidr.anyContains(exemptNetworks, address)) {
      return d;
    }
    long now = clock.millis();
    ClientKey net = ClientKey.of(address, 24, 64);
    Client c = clients.get(net);
    if (c != null && autoWhitelistAfter > 0) {
      synchronized (c) {
        if (!c.removed && c.passes >= autoWhitelistAfter && now - c.lastSeen <= maxAge) {
          c.lastSeen = now;
          return d;
        }
      }
    }
    TripletKey key = TripletKey.of(net, check.sender(), check.recipient());
    while (true) {
      Triplet t = triplets.getOrCreate(key, k -> new Triplet(), tripletRules);
      if (t == null) {
        return d; // cannot happen (the last rule evicts anything); fail open
      }
      long wait;
      boolean passedNow = false;
      synchronized (t) {
        if (t.removed) {
          continue;
        }
        if (t.firstSeen == 0 || expired(t, now)) {
          t.firstSeen = now;
          t.lastSeen = now;
          t.passed = false;
          wait = delay;
        } else if (t.passed) {
          t.lastSeen = now;
          return d;
        } else if (now - t.firstSeen < delay) {
          t.lastSeen = now;
          wait = delay - (now - t.firstSeen);
        } else {
          t.passed = true;
          t.lastSeen = now;
          passedNow = true;
          wait = 0;
        }
      }
      if (passedNow) {
        countPass(net, now);
        return d;
      }
      long seconds = Math.max(1, (wait + 999) / 1000);
      log.debug("greylisted {} for {} s", address.getHostAddress(), seconds);
      // RFC 6647: a temporary failure; 4.7.1 as Postgrey and most greylisting servers
      return RecipientDecision.reject(
          451, "4.7.1", "Greylisted, try again in " + seconds + " seconds");
    }
  }

  private void countPass(ClientKey net, long now) {
    if (autoWhitelistAfter == 0) {
      return;
    }
    while (true) {
      Client c = clients.getOrCreate(net, k -> new Client(), clientRules);
      if (c == null) {
        return;
      }
      synchronized (c) {
        if (c.removed) {
          continue;
        }
        if (now - c.lastSeen > maxAge) {
          c.passes = 0;
        }
        c.passes++;
        c.lastSeen = now;
        return;
      }
    }
  }

  private boolean expired(Triplet t, long now) {
    return t.passed ? now - t.lastSeen > maxAge : now - t.firstSeen > retryWindow;
  }

  /** Triplets remembered now (at most about {@code maxEntries}). */
  public int trackedTriplets() {
    return triplets.size();
  }

  /** Client networks remembered now. */
  public int trackedClients() {
    return clients.size();
  }

  /**
   * Writes the state to the persistence directory now (a no-op without one): to {@code
   * greylist.bin.tmp}, fsynced, then renamed over {@code greylist.bin}.
   */
  public void flush() throws IOException {
    if (directory == null) {
      return;
    }
    writing.lock();
    try {
      long now = clock.millis();
      Files.createDirectories(directory);
      Path tmp = directory.resolve(FILE + ".tmp");
      try (FileChannel ch =
              FileChannel.open(
                  tmp,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE,
                  StandardOpenOption.TRUNCATE_EXISTING);
          OutputStream os = java.nio.channels.Channels.newOutputStream(ch);
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
        out.writeInt(MAGIC);
        for (Map.Entry<TripletKey, Triplet> e : triplets.entries()) {
          Triplet t = e.getValue();
          synchronized (t) {
            if (t.removed || t.firstSeen == 0 || expired(t, now)) {
              continue;
            }
            out.writeByte(1);
            out.writeLong(e.getKey().hi());
            out.writeLong(e.getKey().lo());
            out.writeLong(t.firstSeen);
            out.writeLong(t.lastSeen);
            out.writeBoolean(t.passed);
          }
        }
        for (Map.Entry<ClientKey, Client> e : clients.entries()) {
          Client c = e.getValue();
          synchronized (c) {
            if (c.removed || now - c.lastSeen > maxAge) {
              continue;
            }
            out.writeByte(2);
            out.writeLong(e.getKey().bits());
            out.writeBoolean(e.getKey().v6());
            out.writeInt(c.passes);
            out.writeLong(c.lastSeen);
          }
        }
        out.writeByte(0);
        out.flush();
        ch.force(true);
      }
      Files.move(tmp, directory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    } finally {
      writing.unlock();
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (IOException | RuntimeException e) {
      log.warn("cannot write the greylist state to {}", directory, e);
    }
  }

  private void load() {
    Path file = directory.resolve(FILE);
    long now = clock.millis();
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      if (in.readInt() != MAGIC) {
        log.warn("{} is not a greylist file; starting empty", file);
        return;
      }
      int loaded = 0;
      while (true) {
        int tag = in.readByte();
        if (tag == 0) {
          break;
        } else if (tag == 1) {
          TripletKey k = new TripletKey(in.readLong(), in.readLong());
          Triplet t = new Triplet();
          t.firstSeen = in.readLong();
          t.lastSeen = in.readLong();
          t.passed = in.readBoolean();
          if (!expired(t, now)) {
            triplets.putIfAbsent(k, t);
            loaded++;
          }
        } else if (tag == 2) {
          ClientKey k = new ClientKey(in.readLong(), in.readBoolean());
          Client c = new Client();
          c.passes = in.readInt();
          c.lastSeen = in.readLong();
          if (now - c.lastSeen <= maxAge) {
            clients.putIfAbsent(k, c);
          }
        } else {
          log.warn("{} is corrupt after {} entries; keeping those", file, loaded);
          return;
        }
      }
      log.info("greylist: {} triplets and {} clients loaded", triplets.size(), clients.size());
    } catch (NoSuchFileException e) {
      log.debug("no greylist state in {}", directory);
    } catch (EOFException e) {
      log.warn("{} is truncated; keeping what was read", file);
    } catch (IOException e) {
      log.warn("cannot read {}; starting empty", file, e);
    }
  }

  /** Stops the periodic write and writes the state a last time. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true) || flusher == null) {
      return;
    }
    flusher.shutdownNow();
    try {
      flusher.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushQuietly();
  }

  /** A 128-bit hash of (client network, sender, recipient). */
  record TripletKey(long hi, long lo) {
    static TripletKey of(ClientKey net, String sender, String recipient) {
      MessageDigest md;
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required of every JVM", e);
      }
      long bits = net.bits();
      for (int i = 0; i < 8; i++) {
        md.update((byte) (bits >>> (56 - 8 * i)));
      }
      md.update((byte) (net.v6() ? 6 : 4));
      md.update(sender.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(recipient.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      byte[] h = md.digest();
      long hi = 0;
      long lo = 0;
      for (int i = 0; i < 8; i++) {
        hi = (hi << 8) | (h[i] & 0xFFL);
        lo = (lo << 8) | (h[8 + i] & 0xFFL);
      }
      return new TripletKey(hi, lo);
    }
  }

  /** One triplet; guarded by its monitor. */
  static final class Triplet extends BoundedTable.Slot {
    long firstSeen;
    long lastSeen;
    boolean passed;
  }

  /** One client network; guarded by its monitor. */
  static final class Client extends BoundedTable.Slot {
    int passes;
    long lastSeen;
  }

  /** Configures a {@link Greylist}. Not thread-safe. */
  public static final class Builder {
    private final RecipientPolicy delegate;
    private Duration delay = Duration.ofMinutes(5);
    private Duration retryWindow = Duration.ofHours(24);
    private Duration maxAge = Duration.ofDays(35);
    private int autoWhitelistAfter = 5;
    private List<Cidr> exemptNetworks = Cidr.LOOPBACK;
    private Predicate<SessionInfo> exempt = s -> false;
    private int maxEntries = DEFAULT_MAX_ENTRIES;
    private Path directory;
    private Duration flushInterval = Duration.ofMinutes(1);
    private Clock clock = Clock.systemUTC();

    private Builder(RecipientPolicy delegate) {
      this.delegate = requireNonNull(delegate, "delegate");
    }

    /** How long a new triplet waits; default 5 minutes. */
    public Builder delay(Duration d) {
      this.delay = nonNegative("delay", d);
      return this;
    }

    /** How long after the first attempt a retry is still accepted; default 24 hours. */
    public Builder retryWindow(Duration d) {
      this.retryWindow = nonNegative("retryWindow", d);
      return this;
    }

    /** How long a passed triplet or whitelisted client is remembered; default 35 days. */
    public Builder maxAge(Duration d) {
      this.maxAge = nonNegative("maxAge", d);
      return this;
    }

    /** Passed triplets after which a client network is whitelisted; default 5, 0: never. */
    public Builder autoWhitelistAfter(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("autoWhitelistAfter " + n + " < 0");
      }
      this.autoWhitelistAfter = n;
      return this;
    }

    /** Client networks never greylisted; default {@link Cidr#LOOPBACK}. */
    public Builder exemptNetworks(List<Cidr> networks) {
      this.exemptNetworks = List.copyOf(networks);
      return this;
    }

    /**
     * Sessions never greylisted, e.g. authenticated ones; default none. Called on the connection
     * thread: keep it cheap.
     */
    public Builder exempt(Predicate<SessionInfo> sessions) {
      this.exempt = requireNonNull(sessions, "sessions");
      return this;
    }

    /** Triplets (and client networks) remembered at once; default {@value #DEFAULT_MAX_ENTRIES}. */
    public Builder maxEntries(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxEntries " + n + " < 1");
      }
      this.maxEntries = n;
      return this;
    }

    /** Keeps the state in {@code greylist.bin} under {@code directory}; default: memory only. */
    public Builder persistence(Path directory) {
      this.directory = requireNonNull(directory, "directory");
      return this;
    }

    /** How often the state is written with {@link #persistence}; default 1 minute. */
    public Builder flushInterval(Duration d) {
      requireNonNull(d, "flushInterval");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("flushInterval " + d + " <= 0");
      }
      this.flushInterval = d;
      return this;
    }

    /** The clock; default the system clock. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    private static Duration nonNegative(String name, Duration d) {
      requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " " + d + " < 0");
      }
      return d;
    }

    /**
     * Creates the greylist, reading its saved state when {@link #persistence} is set (a missing,
     * truncated or corrupt file is logged and what could be read is kept).
     */
    public Greylist build() {
      if (retryWindow.compareTo(delay) < 0) {
        throw new IllegalStateException(
            "retryWindow " + retryWindow + " is shorter than delay " + delay);
      }
      Greylist g = new Greylist(this);
      if (directory != null) {
        g.load();
      }
      return g;
    }
  }
}
