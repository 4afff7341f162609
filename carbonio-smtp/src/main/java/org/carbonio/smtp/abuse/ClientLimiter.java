package org.carbonio.smtp.abuse;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.carbonio.smtp.spi.RejectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-client connection, message and recipient limits (see {@link ClientLimits} for the defaults
 * and replies), like Postfix's anvil(8). One limiter may be shared by several listeners (ports 25,
 * 587 and 465) so that a client's counts add up. Thread-safe.
 *
 * {@snippet :
 * ClientLimiter limiter = ClientLimiter.create(ClientLimits.DEFAULTS);
 * SmtpServer mx = SmtpServer.builder().clientLimiter(limiter) ... .build();
 * }
 *
 * <p>Rates are counted over a sliding window cut into {@value #SLOTS} slots: a request is allowed
 * when the requests of the current slot and of the {@value #SLOTS} before it stay within the limit,
 * so no span of one {@code window} ever sees more than the limit (a steady sender gets about 6/7 of
 * it). Each client's state is locked only by that client's own requests; there is no global lock.
 * Memory is bounded by {@link ClientLimits#maxTrackedClients()}: idle clients are forgotten first,
 * then clients without an open connection (their rate history is lost). Should the table hold that
 * many clients with open connections at once (more than a listener's {@code maxConnections}), new
 * clients are admitted untracked until there is room.
 */
public final class ClientLimiter {

  private static final Logger log = LoggerFactory.getLogger(ClientLimiter.class);

  /** The number of slots of the sliding window. */
  public static final int SLOTS = 6;

  private static final int CONN = 0;
  private static final int MSG = 1;
  private static final int RCPT = 2;
  private static final int RING = SLOTS + 1;

  /** Why a connection was refused, or not. */
  public enum Verdict {
    /** Admitted. */
    ADMITTED,
    /** The client has {@code maxConcurrentConnections} open already. */
    TOO_MANY_CONNECTIONS,
    /** The client opened {@code maxConnectionsPerWindow} in the last window. */
    CONNECTION_RATE
  }

  private final ClientLimits limits;
  private final Clock clock;
  private final long slotMillis;
  private final int[] max;
  private final BoundedTable<ClientKey, State> table;
  private final BoundedTable.Rules<State> evictable;

  private ClientLimiter(ClientLimits limits, Clock clock) {
    this.limits = requireNonNull(limits, "limits");
    this.clock = requireNonNull(clock, "clock");
    this.slotMillis = limits.window().toMillis() / SLOTS;
    this.max =
        new int[] {
          limits.maxConnectionsPerWindow(),
          limits.maxMessagesPerWindow(),
          limits.maxRecipientsPerWindow()
        };
    this.table = new BoundedTable<>(limits.maxTrackedClients());
    this.evictable =
        BoundedTable.Rules.of(
            s -> s.connections == 0 && s.idleSince(slot()), s -> s.connections == 0);
  }

  /** A limiter on the system clock. */
  public static ClientLimiter create(ClientLimits limits) {
    return new ClientLimiter(limits, Clock.systemUTC());
  }

  /** A limiter on the given clock (tests). */
  public static ClientLimiter create(ClientLimits limits, Clock clock) {
    return new ClientLimiter(limits, clock);
  }

  /** The limits. */
  public ClientLimits limits() {
    return limits;
  }

  /** The number of clients remembered now; at most about {@link ClientLimits#maxTrackedClients}. */
  public int trackedClients() {
    return table.size();
  }

  private long slot() {
    return clock.millis() / slotMillis;
  }

  private boolean exempt(InetAddress client) {
    return !limits.enabled() || Cidr.anyContains(limits.exempt(), client);
  }

  /**
   * Counts a new connection. Call {@link Lease#close()} when it ends, whatever the verdict (closing
   * a refused lease does nothing).
   */
  public Lease connect(InetAddress client) {
    requireNonNull(client, "client");
    if (exempt(client)) {
      return Lease.UNTRACKED;
    }
    ClientKey key = ClientKey.of(client);
    while (true) {
      State s = table.getOrCreate(key, k -> new State(), evictable);
      if (s == null) {
        return Lease.UNTRACKED;
      }
      synchronized (s) {
        if (s.removed) {
          continue;
        }
        int concurrent = limits.maxConcurrentConnections();
        if (concurrent > 0 && s.connections >= concurrent) {
          return new Lease(null, Verdict.TOO_MANY_CONNECTIONS);
        }
        if (!s.tryAdd(CONN, slot(), max[CONN])) {
          return new Lease(null, Verdict.CONNECTION_RATE);
        }
        s.connections++;
        return new Lease(s, Verdict.ADMITTED);
      }
    }
  }

  /**
   * Counts one message of {@code client}; false (and nothing counted) when that would exceed {@code
   * maxMessagesPerWindow}.
   */
  public boolean tryMessage(InetAddress client) {
    return tryCount(client, MSG);
  }

  /**
   * Counts one recipient of {@code client}; false (and nothing counted) when that would exceed
   * {@code maxRecipientsPerWindow}.
   */
  public boolean tryRecipient(InetAddress client) {
    return tryCount(client, RCPT);
  }

  /** Whether {@code client} has used up its messages of the current window (counts nothing). */
  public boolean messageLimitReached(InetAddress client) {
    requireNonNull(client, "client");
    if (max[MSG] == 0 || exempt(client)) {
      return false;
    }
    State s = table.get(ClientKey.of(client));
    if (s == null) {
      return false;
    }
    synchronized (s) {
      return !s.removed && s.full(MSG, slot(), max[MSG]);
    }
  }

  private boolean tryCount(InetAddress client, int counter) {
    requireNonNull(client, "client");
    if (max[counter] == 0 || exempt(client)) {
      return true;
    }
    ClientKey key = ClientKey.of(client);
    while (true) {
      State s = table.getOrCreate(key, k -> new State(), evictable);
      if (s == null) {
        return true;
      }
      synchronized (s) {
        if (s.removed) {
          continue;
        }
        return s.tryAdd(counter, slot(), max[counter]);
      }
    }
  }

  /**
   * Wraps a recipient policy: each RCPT counts towards {@code maxRecipientsPerWindow} before {@code
   * policy} runs (so a dictionary attack is limited too), and a client that has used up its
   * messages gets {@code 450 4.7.1} at its first RCPT instead of sending DATA for nothing. Never
   * accepts what {@code policy} refuses.
   */
  public RecipientPolicy limitRecipients(RecipientPolicy policy) {
    requireNonNull(policy, "policy");
    if (!limits.enabled()) {
      return policy;
    }
    return check -> {
      InetAddress client = check.session().remote().getAddress();
      if (client != null) {
        if (messageLimitReached(client)) {
          log.debug("message rate limit reached by {}", client.getHostAddress());
          return RecipientDecision.reject(
              450, "4.7.1", "Too many messages from your address, slow down");
        }
        if (!tryRecipient(client)) {
          log.debug("recipient rate limit reached by {}", client.getHostAddress());
          return RecipientDecision.reject(
              450, "4.7.1", "Too many recipients from your address, slow down");
        }
      }
      return policy.check(check);
    };
  }

  /**
   * Wraps a delivery handler: each message counts towards {@code maxMessagesPerWindow}; the one
   * that would exceed it gets {@code 450 4.7.1} and {@code handler} is not called.
   */
  public DeliveryHandler limitMessages(DeliveryHandler handler) {
    requireNonNull(handler, "handler");
    if (!limits.enabled()) {
      return handler;
    }
    // Both methods delegate to their own counterpart, so a handler's per-recipient outcomes
    // (deliverEach) pass through unchanged.
    return new DeliveryHandler() {
      @Override
      public void deliver(Delivery delivery) throws RejectException, IOException {
        count(delivery);
        handler.deliver(delivery);
      }

      @Override
      public List<RecipientOutcome> deliverEach(Delivery delivery)
          throws RejectException, IOException {
        count(delivery);
        return handler.deliverEach(delivery);
      }
    };
  }

  private void count(Delivery delivery) throws RejectException {
    InetAddress client = delivery.session().remote().getAddress();
    if (client != null && !tryMessage(client)) {
      log.debug("message rate limit reached by {}", client.getHostAddress());
      throw new RejectException(450, "4.7.1", "Too many messages from your address, slow down");
    }
  }

  /**
   * The reply to send to a refused connection before closing it: {@code 421 4.7.0} (RFC 5321 §3.8).
   */
  public static String refusal(String hostname, Verdict verdict) {
    String text =
        switch (verdict) {
          case TOO_MANY_CONNECTIONS -> " Too many connections from your address";
          case CONNECTION_RATE -> " Too many connections from your address, slow down";
          case ADMITTED -> throw new IllegalArgumentException("not refused");
        };
    return "421 4.7.0 " + hostname + text + "\r\n";
  }

  /**
   * Writes the refusal of {@code lease}, best effort (the caller then closes the connection).
   *
   * @return true when the connection was refused
   */
  public static boolean refuse(Lease lease, String hostname, java.io.OutputStream out) {
    if (lease.admitted()) {
      return false;
    }
    try {
      out.write(
          refusal(hostname, lease.verdict()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      log.debug("could not send 421: {}", e.toString());
    }
    return true;
  }

  /**
   * One counted connection: {@link #close()} gives its slot back. Thread-safe; close is idempotent.
   */
  public static final class Lease implements AutoCloseable {
    static final Lease UNTRACKED = new Lease(null, Verdict.ADMITTED);

    private final State state;
    private final Verdict verdict;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Lease(State state, Verdict verdict) {
      this.state = state;
      this.verdict = verdict;
    }

    /** Whether the connection may proceed. */
    public boolean admitted() {
      return verdict == Verdict.ADMITTED;
    }

    /** The verdict. */
    public Verdict verdict() {
      return verdict;
    }

    @Override
    public void close() {
      if (state != null && closed.compareAndSet(false, true)) {
        synchronized (state) {
          state.connections--; // an evicted state has connections > 0, so it never is
        }
      }
    }
  }

  /** One client: open connections and three rate rings sharing one slot clock. */
  static final class State extends BoundedTable.Slot {
    int connections;
    private long slot = Long.MIN_VALUE;
    private final int[] counts = new int[3 * RING];
    private final int[] totals = new int[3];

    /** Moves the ring to slot {@code now}, dropping the slots that left the window. */
    private void advance(long now) {
      if (now <= slot) {
        return; // same slot, or the clock went back: keep counting in the newest slot
      }
      if (slot == Long.MIN_VALUE || now - slot >= RING) {
        java.util.Arrays.fill(counts, 0);
        java.util.Arrays.fill(totals, 0);
      } else {
        for (long s = slot + 1; s <= now; s++) {
          int i = (int) Math.floorMod(s, (long) RING);
          for (int c = 0; c < 3; c++) {
            totals[c] -= counts[c * RING + i];
            counts[c * RING + i] = 0;
          }
        }
      }
      slot = now;
    }

    boolean tryAdd(int counter, long now, int limit) {
      advance(now);
      if (limit > 0 && totals[counter] >= limit) {
        return false;
      }
      counts[counter * RING + (int) Math.floorMod(slot, (long) RING)]++;
      totals[counter]++;
      return true;
    }

    boolean full(int counter, long now, int limit) {
      advance(now);
      return totals[counter] >= limit;
    }

    /** No request in the window: forgetting the client loses nothing. */
    boolean idleSince(long now) {
      advance(now);
      return totals[0] == 0 && totals[1] == 0 && totals[2] == 0;
    }
  }
}
