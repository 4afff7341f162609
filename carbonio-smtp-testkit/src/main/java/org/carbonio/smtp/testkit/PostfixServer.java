package org.carbonio.smtp.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A private Postfix 3.x (Debian's {@code postfix} package) on 127.0.0.1: its own configuration,
 * queue and data directories under one temporary directory, started with {@code postfix -c DIR/etc
 * start} and stopped by {@link #close()}. Several instances run side by side; none touches {@code
 * /etc/postfix} or the system's queue. Thread-safe (the counting methods only read files).
 *
 * <p>Two roles, which can be combined:
 *
 * <ul>
 *   <li>{@linkplain Builder#relayTo relay}: everything Postfix accepts from 127.0.0.0/8 is
 *       forwarded over SMTP to one next hop ({@code relayhost = [127.0.0.1]:PORT}), so Postfix
 *       relays mail into the server under test;
 *   <li>{@linkplain Builder#mailbox final destination}: virtual mailboxes delivered by Postfix's
 *       {@code virtual(8)} agent to maildirs under {@link #maildir()}, so Postfix acts as the
 *       remote MX for outbound mail, or as the reference system of a load run.
 * </ul>
 *
 * <pre>{@code
 * try (PostfixServer mx = PostfixServer.builder().mailbox("bob@remote.test").start()) {
 *   // send to 127.0.0.1:mx.port() ...
 *   mx.awaitDelivered(1, Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>Layout of {@link #directory()}: {@code etc/} (main.cf, master.cf, the virtual mailbox map),
 * {@code queue/} ({@code queue_directory}; the master's pid file is {@code queue/pid/master.pid}),
 * {@code data/} ({@code data_directory}, with {@code master.lock}), {@code maildir/} and {@code
 * maillog} (Postfix 3.4+ {@code maillog_file} through the {@code postlog} service, no syslog).
 * Needs root (Postfix's master runs as root and drops to {@code mail_owner = postfix}); there is no
 * chroot. Postfix's own retry timers are shortened (queue run every second, back-off 1–2 s) so a
 * test that makes the next hop fail once sees the retry quickly.
 */
public final class PostfixServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private final Path dir;
  private final boolean ownsDir;
  private final int port;
  private final long masterPid;
  private final List<String> mailboxes;
  private boolean closed;

  private PostfixServer(
      Path dir, boolean ownsDir, int port, long masterPid, List<String> mailboxes) {
    this.dir = dir;
    this.ownsDir = ownsDir;
    this.port = port;
    this.masterPid = masterPid;
    this.mailboxes = mailboxes;
  }

  /** A builder for a private instance; add a relay target, mailboxes or both. */
  public static Builder builder() {
    return new Builder();
  }

  /** Where smtpd listens: 127.0.0.1 and the port chosen at start. */
  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** The smtpd port. */
  public int port() {
    return port;
  }

  /** The instance's directory (see the class comment for its layout). */
  public Path directory() {
    return dir;
  }

  /** The configuration directory given to {@code postfix -c}. */
  public Path configDirectory() {
    return dir.resolve("etc");
  }

  /** {@code virtual_mailbox_base}: one maildir per mailbox, at {@code DOMAIN/LOCALPART/}. */
  public Path maildir() {
    return dir.resolve("maildir");
  }

  /** The maildir of one mailbox given to {@link Builder#mailbox}. */
  public Path maildir(String address) {
    int at = address.lastIndexOf('@');
    if (at < 1 || !mailboxes.contains(address.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("not a mailbox of this instance: " + address);
    }
    String lower = address.toLowerCase(Locale.ROOT);
    return maildir().resolve(lower.substring(at + 1)).resolve(lower.substring(0, at));
  }

  /** Postfix's log file ({@code maillog_file}). */
  public Path maillog() {
    return dir.resolve("maillog");
  }

  /** The log so far, empty if nothing was logged yet. */
  public String maillogText() throws IOException {
    return Files.exists(maillog()) ? Files.readString(maillog(), StandardCharsets.UTF_8) : "";
  }

  /**
   * The master process's pid. Postfix's master daemonizes (its parent is init), and it reaps every
   * service process it forks, so its {@code /proc/PID/stat} {@code cutime}/{@code cstime} plus its
   * live children cover all of Postfix's CPU.
   */
  public long masterPid() {
    return masterPid;
  }

  /** Messages delivered to all mailboxes (files in the maildirs' {@code new/} and {@code cur/}). */
  public long deliveredCount() throws IOException {
    return PostfixSupport.countMaildirFiles(maildir());
  }

  /** Messages delivered to one mailbox. */
  public long deliveredCount(String address) throws IOException {
    return PostfixSupport.countMaildirFiles(maildir(address));
  }

  /** The delivered message files, in no particular order. */
  public List<Path> deliveredFiles() throws IOException {
    if (!Files.isDirectory(maildir())) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(maildir())) {
      return s.filter(PostfixSupport::isMaildirMessage).toList();
    }
  }

  /**
   * Messages in Postfix's queue (incoming, active, deferred, hold, maildrop): accepted but not yet
   * delivered or bounced. Zero once everything is delivered.
   */
  public long queuedCount() throws IOException {
    long n = 0;
    for (String q : List.of("maildrop", "incoming", "active", "deferred", "hold")) {
      Path d = dir.resolve("queue").resolve(q);
      if (Files.isDirectory(d)) {
        try (Stream<Path> s = Files.walk(d)) {
          n += s.filter(Files::isRegularFile).count();
        }
      }
    }
    return n;
  }

  /** Waits until at least {@code count} messages sit in the maildirs; polls every 10 ms. */
  public void awaitDelivered(long count, Duration timeout) throws IOException {
    PostfixSupport.await(
        timeout,
        () -> uncheck(this::deliveredCount) >= count,
        () ->
            count + " messages in " + maildir() + " (found " + uncheck(this::deliveredCount) + ")");
  }

  /** Waits until Postfix's queue is empty (every accepted message delivered or bounced). */
  public void awaitQueueEmpty(Duration timeout) throws IOException {
    PostfixSupport.await(
        timeout,
        () -> uncheck(this::queuedCount) == 0,
        () -> "an empty queue in " + dir.resolve("queue"));
  }

  private interface IoLong {
    long get() throws IOException;
  }

  private static long uncheck(IoLong f) {
    try {
      return f.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stops Postfix ({@code postfix stop}, then {@code abort} and a kill if the master lingers),
   * waits until the master and every process it had forked have exited, then deletes the directory
   * if the builder created it. Idempotent.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    stop(dir, masterPid);
    if (ownsDir) {
      PostfixSupport.deleteTree(dir);
    }
  }

  private static void stop(Path dir, long masterPid) throws IOException {
    Optional<ProcessHandle> master = ProcessHandle.of(masterPid);
    List<ProcessHandle> family = new ArrayList<>();
    master.ifPresent(
        m -> {
          family.add(m);
          m.descendants().forEach(family::add);
        });
    String etc = dir.resolve("etc").toString();
    try {
      PostfixSupport.run(STOP_TIMEOUT, List.of(postfix(), "-c", etc, "stop"));
    } catch (IOException e) {
      // already stopped, or wedged: abort below takes care of it
    }
    if (!awaitExit(family, STOP_TIMEOUT)) {
      try {
        PostfixSupport.run(STOP_TIMEOUT, List.of(postfix(), "-c", etc, "abort"));
      } catch (IOException e) {
        // fall through to the kill
      }
      family.forEach(ProcessHandle::destroyForcibly);
      if (!awaitExit(family, STOP_TIMEOUT)) {
        throw new IOException("postfix master " + masterPid + " did not exit");
      }
    }
  }

  private static boolean awaitExit(List<ProcessHandle> processes, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ProcessHandle p : processes) {
      long left = deadline - System.nanoTime();
      try {
        p.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        return false;
      } catch (ExecutionException e) {
        return !p.isAlive();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static String postfix() throws IOException {
    return PostfixSupport.binary("postfix").toString();
  }

  /** Builds and starts a {@link PostfixServer}. Not thread-safe. */
  public static final class Builder {
    private InetSocketAddress relayTo;
    private final Set<String> mailboxes = new LinkedHashSet<>();
    private String hostname = "postfix.test";
    private Path parent;
    private final Map<String, String> parameters = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Forwards every accepted message to {@code nextHop} ({@code relayhost = [IP]:PORT}, no MX
     * lookup). Any recipient is accepted from 127.0.0.0/8 ({@code mynetworks}), except those of the
     * {@linkplain #mailbox mailbox} domains, which are delivered locally.
     */
    public Builder relayTo(InetSocketAddress nextHop) {
      this.relayTo = requireNonNull(nextHop, "nextHop");
      return this;
    }

    /**
     * Adds a virtual mailbox: its domain becomes one of {@code virtual_mailbox_domains}, and
     * messages to the address land in {@code maildir/DOMAIN/LOCALPART/}. Other addresses of that
     * domain are rejected at RCPT ({@code 550 5.1.1}).
     */
    public Builder mailbox(String address) {
      requireNonNull(address, "address");
      int at = address.lastIndexOf('@');
      if (at < 1 || at == address.length() - 1 || address.matches(".*[\\s/:].*")) {
        throw new IllegalArgumentException("not a plain mailbox address: " + address);
      }
      mailboxes.add(address.toLowerCase(Locale.ROOT));
      return this;
    }

    /** Adds each of {@code addresses} as by {@link #mailbox}. */
    public Builder mailboxes(Iterable<String> addresses) {
      addresses.forEach(this::mailbox);
      return this;
    }

    /** {@code myhostname} (default {@code postfix.test}): the greeting and Received: headers. */
    public Builder hostname(String hostname) {
      this.hostname = requireNonNull(hostname, "hostname");
      return this;
    }

    /**
     * Creates the instance's directory under {@code parent} (default: the system's temporary
     * directory) and leaves it in place on close. {@code parent} must be searchable by the user
     * {@code postfix}.
     */
    public Builder parentDirectory(Path parent) {
      this.parent = requireNonNull(parent, "parent");
      return this;
    }

    /** Sets any main.cf parameter, after (and so overriding) the ones this class writes. */
    public Builder parameter(String name, String value) {
      if (!name.matches("[a-z0-9_]+") || value.contains("\n")) {
        throw new IllegalArgumentException("bad main.cf parameter: " + name);
      }
      parameters.put(name, value);
      return this;
    }

    /**
     * Writes the configuration, checks it ({@code postfix check}), starts Postfix and returns once
     * smtpd answers 220.
     */
    public PostfixServer start() throws IOException {
      if (!PostfixSupport.isRoot()) {
        throw new IOException("a private Postfix needs root (its master runs as root)");
      }
      Path dir =
          parent == null
              ? Files.createTempDirectory("postfix-")
              : Files.createTempDirectory(Files.createDirectories(parent), "postfix-");
      boolean ownsDir = parent == null;
      try {
        return start(dir, ownsDir);
      } catch (IOException | RuntimeException e) {
        if (ownsDir) {
          try {
            PostfixSupport.deleteTree(dir);
          } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
    }

    private PostfixServer start(Path dir, boolean ownsDir) throws IOException {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path etc = Files.createDirectories(dir.resolve("etc"));
      Files.createDirectories(dir.resolve("queue")); // root-owned; postfix check makes the rest
      Path data = Files.createDirectories(dir.resolve("data"));
      PostfixSupport.chown(data, "postfix");
      Path maildir = Files.createDirectories(dir.resolve("maildir"));
      PostfixSupport.chown(maildir, "postfix");
      int uid = (Integer) Files.getAttribute(maildir, "unix:uid");
      int gid = (Integer) Files.getAttribute(maildir, "unix:gid");
      int port = PostfixSupport.freePort();

      Map<String, String> main = new LinkedHashMap<>();
      main.put("compatibility_level", "3.6");
      main.put("queue_directory", dir.resolve("queue").toString());
      main.put("data_directory", data.toString());
      main.put("mail_owner", "postfix");
      main.put("setgid_group", "postdrop");
      main.put("inet_interfaces", "loopback-only");
      main.put("inet_protocols", "ipv4");
      main.put("myhostname", hostname);
      main.put("mydestination", "");
      main.put("mynetworks", "127.0.0.0/8");
      main.put("alias_maps", "");
      main.put("alias_database", "");
      main.put("biff", "no");
      main.put("maillog_file", dir.resolve("maillog").toString());
      main.put("maillog_file_prefixes", dir.toString());
      main.put("syslog_name", "postfix-" + port);
      main.put("queue_run_delay", "1s");
      main.put("minimal_backoff_time", "1s");
      main.put("maximal_backoff_time", "2s");
      if (relayTo != null) {
        main.put(
            "relayhost", "[" + relayTo.getAddress().getHostAddress() + "]:" + relayTo.getPort());
      }
      if (!mailboxes.isEmpty()) {
        Set<String> domains = new LinkedHashSet<>();
        StringBuilder map = new StringBuilder();
        for (String m : mailboxes) {
          String domain = m.substring(m.lastIndexOf('@') + 1);
          domains.add(domain);
          map.append(m)
              .append(' ')
              .append(domain)
              .append('/')
              .append(m, 0, m.lastIndexOf('@'))
              .append("/\n"); // a trailing slash: maildir format
        }
        Files.writeString(etc.resolve("vmailbox"), map);
        main.put("virtual_mailbox_domains", String.join(", ", domains));
        main.put("virtual_mailbox_base", maildir.toString());
        main.put("virtual_mailbox_maps", "hash:" + etc.resolve("vmailbox"));
        main.put("virtual_uid_maps", "static:" + uid);
        main.put("virtual_gid_maps", "static:" + gid);
      }
      main.putAll(parameters);
      StringBuilder cf = new StringBuilder();
      main.forEach((k, v) -> cf.append(k).append(" = ").append(v).append('\n'));
      Files.writeString(etc.resolve("main.cf"), cf);
      Files.writeString(etc.resolve("master.cf"), masterCf(port));

      String postfix = postfix();
      String etcPath = etc.toString();
      if (!mailboxes.isEmpty()) {
        PostfixSupport.run(
            START_TIMEOUT,
            List.of(
                PostfixSupport.binary("postmap").toString(),
                "-c",
                etcPath,
                "hash:" + etc.resolve("vmailbox")));
      }
      // check creates the queue's subdirectories with Postfix's own owners and modes
      // (postfix-files), and fails on a configuration it would refuse to start with.
      try {
        PostfixSupport.run(START_TIMEOUT, List.of(postfix, "-c", etcPath, "check"));
        PostfixSupport.run(START_TIMEOUT, List.of(postfix, "-c", etcPath, "start"));
      } catch (IOException e) {
        // Postfix reports why in its log, not on stderr
        Path log = dir.resolve("maillog");
        String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        throw new IOException(e.getMessage() + "; maillog:\n" + text.strip(), e);
      }
      Path pidFile = dir.resolve("queue").resolve("pid").resolve("master.pid");
      long pid;
      try {
        pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).strip());
      } catch (IOException | NumberFormatException e) {
        throw new IOException("postfix started but wrote no pid to " + pidFile, e);
      }
      PostfixServer server = new PostfixServer(dir, ownsDir, port, pid, List.copyOf(mailboxes));
      try {
        PostfixSupport.awaitGreeting(
            port,
            START_TIMEOUT,
            () -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
            "postfix in " + dir);
      } catch (IOException e) {
        String log = server.maillogText();
        stop(dir, pid);
        throw new IOException(e.getMessage() + "; maillog:\n" + log, e);
      }
      return server;
    }

    /**
     * master.cf: Debian's services without chroot, smtpd only on 127.0.0.1:PORT, and the postlog
     * service that {@code maillog_file} needs.
     */
    private static String masterCf(int port) {
      return String.join(
          "\n",
          "# service type private unpriv chroot wakeup maxproc command",
          "127.0.0.1:" + port + " inet n - n - - smtpd",
          "pickup    unix  n - n 60    1 pickup",
          "cleanup   unix  n - n -     0 cleanup",
          "qmgr      unix  n - n 300   1 qmgr",
          "rewrite   unix  - - n -     - trivial-rewrite",
          "bounce    unix  - - n -     0 bounce",
          "defer     unix  - - n -     0 bounce",
          "trace     unix  - - n -     0 bounce",
          "verify    unix  - - n -     1 verify",
          "flush     unix  n - n 1000? 0 flush",
          "proxymap  unix  - - n -     - proxymap",
          "proxywrite unix - - n -     1 proxymap",
          "smtp      unix  - - n -     - smtp",
          "relay     unix  - - n -     - smtp",
          "showq     unix  n - n -     - showq",
          "error     unix  - - n -     - error",
          "retry     unix  - - n -     - error",
          "discard   unix  - - n -     - discard",
          "local     unix  - n n -     - local",
          "virtual   unix  - n n -     - virtual",
          "lmtp      unix  - - n -     - lmtp",
          "anvil     unix  - - n -     1 anvil",
          "scache    unix  - - n -     1 scache",
          "postlog   unix-dgram n - n - 1 postlogd",
          "");
    }
  }
}
