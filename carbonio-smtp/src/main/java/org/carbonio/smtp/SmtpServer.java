package org.carbonio.smtp;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.carbonio.smtp.internal.AcceptFailures;
import org.carbonio.smtp.internal.GuardedCallbacks;
import org.carbonio.smtp.internal.SmtpConnection;
import org.carbonio.smtp.protocol.ReplyEncoder;
import org.carbonio.smtp.protocol.SmtpReplies;
import org.carbonio.smtp.protocol.SmtpSessionConfig;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SMTP (or LMTP) listener: one virtual thread per connection, plain blocking I/O, every read and
 * write bounded by a timeout and every size by {@link SmtpLimits}. Thread-safe.
 *
 * <p>Writes are bounded by a watchdog thread, one per server, that closes the socket of a
 * connection whose current write has been blocked longer than {@link SmtpLimits#writeTimeout()} (a
 * client that pipelines commands and never reads the replies).
 *
 * {@snippet :
 * try (SmtpServer smtp = SmtpServer.builder()
 *         .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
 *         .hostname("mx.example.test")
 *         .limits(SmtpLimits.DEFAULTS.withMaxMessageBytes(50L << 20))
 *         .tls(sslContext)            // optional: offers STARTTLS
 *         .recipientPolicy(check -> RecipientDecision.accept())
 *         .deliveryHandler(delivery -> store(delivery.content()))
 *         .build()
 *         .start()) {
 *   int port = smtp.localAddress().getPort();
 * }
 * }
 *
 * <p>{@link #close()} stops accepting, sends {@code 421 4.3.2} to idle connections and closes them,
 * waits up to {@code shutdownTimeout} for busy ones (a delivery in progress), then closes their
 * sockets and interrupts them.
 */
public final class SmtpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SmtpServer.class);

  private final Builder settings;
  private final SmtpSessionConfig sessionConfig;
  private final ExecutorService connections;
  private final ExecutorService callbacks;
  private final ScheduledExecutorService watchdog;
  private final Semaphore permits;
  private final Set<SmtpConnection> live = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final AtomicLong connectionCounter = new AtomicLong();
  private final String idPrefix;
  private volatile ServerSocket serverSocket;
  private volatile Thread acceptor;

  private SmtpServer(Builder b) {
    this.settings = b.copy();
    this.connections =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("smtp-", 0).factory());
    this.callbacks =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("smtp-callback-", 0).factory());
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("smtp-watchdog").daemon(true).factory());
    GuardedCallbacks guard =
        new GuardedCallbacks(
            callbacks, b.limits.recipientCheckTimeout(), b.limits.deliveryTimeout());
    this.sessionConfig =
        new SmtpSessionConfig(
            b.hostname,
            b.limits,
            b.mode,
            b.compliance,
            b.sslContext != null && !b.implicitTls,
            guard.guardPolicy(b.recipientPolicy),
            guard.guardHandler(b.deliveryHandler),
            b.clock,
            b.spoolDirectory);
    this.permits = new Semaphore(b.limits.maxConnections());
    this.idPrefix =
        Long.toString(new SecureRandom().nextLong() & 0xFFFFFFFFL | 0x100000000L, 36).substring(1);
  }

  /** A new builder with defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this server's settings, to derive a variant. */
  public Builder toBuilder() {
    return settings.copy();
  }

  /**
   * Binds and starts accepting.
   *
   * @return this server
   * @throws IOException when the address cannot be bound, or the spool directory is not a writable
   *     directory ({@link NotDirectoryException}, {@link AccessDeniedException})
   * @throws IllegalStateException when already started or closed
   */
  public SmtpServer start() throws IOException {
    if (closed.get() || !started.compareAndSet(false, true)) {
      throw new IllegalStateException("SmtpServer can be started once");
    }
    Path spool = settings.spoolDirectory;
    if (!Files.isDirectory(spool)) {
      throw new NotDirectoryException("spoolDirectory " + spool);
    }
    if (!Files.isWritable(spool)) {
      throw new AccessDeniedException(spool.toString(), null, "spoolDirectory is not writable");
    }
    ServerSocket ss = new ServerSocket();
    try {
      ss.setReuseAddress(true);
      ss.bind(settings.bind, 128);
    } catch (IOException e) {
      ss.close();
      throw e;
    }
    serverSocket = ss;
    long writeTimeout = settings.limits.writeTimeout().toNanos();
    long period =
        Math.clamp(
            writeTimeout / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1));
    watchdog.scheduleWithFixedDelay(
        () -> closeStalledWriters(writeTimeout), period, period, TimeUnit.NANOSECONDS);
    acceptor = Thread.ofVirtual().name("smtp-acceptor").start(this::acceptLoop);
    log.info(
        "{} listening on {} as {}{}",
        settings.mode,
        ss.getLocalSocketAddress(),
        settings.hostname,
        settings.sslContext == null
            ? ""
            : settings.implicitTls ? " (implicit TLS)" : " (STARTTLS)");
    return this;
  }

  /**
   * The bound address, with the real port when bound to port 0.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public InetSocketAddress localAddress() {
    ServerSocket ss = serverSocket;
    if (ss == null) {
      throw new IllegalStateException("not started");
    }
    return (InetSocketAddress) ss.getLocalSocketAddress();
  }

  /** The number of connections being served now. */
  public int activeConnections() {
    return live.size();
  }

  /** Watchdog task: Java sockets have no write timeout, so stalled writers are closed here. */
  private void closeStalledWriters(long writeTimeoutNanos) {
    try {
      long now = System.nanoTime();
      for (SmtpConnection c : live) {
        c.closeIfWriteStalled(now, writeTimeoutNanos);
      }
    } catch (RuntimeException e) {
      log.warn("write watchdog failed", e); // an escaping exception would cancel the task
    }
  }

  private void acceptLoop() {
    ServerSocket ss = serverSocket;
    AcceptFailures failures = new AcceptFailures();
    while (!closed.get()) {
      Socket socket;
      try {
        socket = ss.accept();
      } catch (IOException e) {
        switch (failures.failed(closed.get() || ss.isClosed())) {
          case STOP -> {
            return;
          }
          case LOG_AND_RETRY ->
              log.error(
                  "accept failed, retrying every {} ms until it succeeds",
                  AcceptFailures.BACKOFF.toMillis(),
                  e);
          case RETRY -> {}
        }
        try {
          // a timed wait that close() ends at once
          stopping.await(AcceptFailures.BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        continue;
      }
      long failed = failures.accepted();
      if (failed > 0) {
        log.warn("accept works again after {} failures", failed);
      }
      if (!permits.tryAcquire()) {
        refuse(socket);
        continue;
      }
      String id = idPrefix + "-" + Long.toString(connectionCounter.incrementAndGet(), 36);
      SmtpConnection[] self = new SmtpConnection[1];
      SmtpConnection c =
          new SmtpConnection(
              id,
              socket,
              sessionConfig,
              settings.sslContext,
              settings.implicitTls,
              closed::get,
              () -> {
                live.remove(self[0]);
                permits.release();
              });
      self[0] = c;
      live.add(c);
      try {
        connections.execute(c);
      } catch (RejectedExecutionException e) {
        live.remove(c);
        permits.release();
        closeQuietly(socket);
      }
    }
  }

  private void refuse(Socket socket) {
    log.warn(
        "maxConnections {} reached, refusing {}",
        settings.limits.maxConnections(),
        socket.getRemoteSocketAddress());
    try (socket) {
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ReplyEncoder.encodeToString(SmtpReplies.tooManyConnections(settings.hostname))
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      log.debug("refusing connection: {}", e.toString());
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      log.debug("close failed: {}", e.toString());
    }
  }

  /** Stops the server; idempotent. Returns within about twice {@code shutdownTimeout} at most. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopping.countDown();
    ServerSocket ss = serverSocket;
    if (ss != null) {
      try {
        ss.close();
      } catch (IOException e) {
        log.debug("closing listener: {}", e.toString());
      }
    }
    for (SmtpConnection c : new ArrayList<>(live)) {
      c.shutdown(false);
    }
    connections.shutdown();
    long timeoutMillis = settings.shutdownTimeout.toMillis();
    try {
      if (!connections.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
        List<SmtpConnection> busy = new ArrayList<>(live);
        log.warn(
            "{} connections still busy after {}, forcing", busy.size(), settings.shutdownTimeout);
        busy.forEach(c -> c.shutdown(true));
        connections.shutdownNow();
        callbacks.shutdownNow();
        connections.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
      }
      Thread a = acceptor;
      if (a != null) {
        a.join(timeoutMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      live.forEach(c -> c.shutdown(true));
      connections.shutdownNow();
    } finally {
      callbacks.shutdownNow();
      watchdog.shutdownNow();
    }
    if (ss != null) {
      log.info("{} on {} stopped", settings.mode, ss.getLocalSocketAddress());
    }
  }

  /**
   * Configures an {@link SmtpServer}. Not thread-safe. Required: {@link #bind}, {@link #hostname},
   * {@link #deliveryHandler}.
   */
  public static final class Builder {
    private InetSocketAddress bind;
    private String hostname;
    private SmtpLimits limits = SmtpLimits.DEFAULTS;
    private SSLContext sslContext;
    private boolean implicitTls;
    private RecipientPolicy recipientPolicy = RecipientPolicy.ACCEPT_ALL;
    private DeliveryHandler deliveryHandler;
    private SmtpMode mode = SmtpMode.SMTP;
    private Compliance compliance = Compliance.LENIENT;
    private Path spoolDirectory = Path.of(System.getProperty("java.io.tmpdir"));
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Clock clock = Clock.systemDefaultZone();

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.bind = bind;
      b.hostname = hostname;
      b.limits = limits;
      b.sslContext = sslContext;
      b.implicitTls = implicitTls;
      b.recipientPolicy = recipientPolicy;
      b.deliveryHandler = deliveryHandler;
      b.mode = mode;
      b.compliance = compliance;
      b.spoolDirectory = spoolDirectory;
      b.shutdownTimeout = shutdownTimeout;
      b.clock = clock;
      return b;
    }

    /** The address to listen on; port 0 picks a free port. Required. */
    public Builder bind(InetSocketAddress address) {
      this.bind = requireNonNull(address, "address");
      return this;
    }

    /** This server's name for the greeting, replies and {@code Received:} header. Required. */
    public Builder hostname(String name) {
      this.hostname = requireNonNull(name, "name");
      return this;
    }

    /** Size, count and time bounds; default {@link SmtpLimits#DEFAULTS}. */
    public Builder limits(SmtpLimits limits) {
      this.limits = requireNonNull(limits, "limits");
      return this;
    }

    /** Enables TLS: STARTTLS (RFC 3207), or implicit TLS with {@link #implicitTls(boolean)}. */
    public Builder tls(SSLContext context) {
      this.sslContext = requireNonNull(context, "context");
      return this;
    }

    /**
     * True to run TLS from the first byte (SMTPS, port 465 style, RFC 8314 §3.3); needs {@link
     * #tls}. STARTTLS is then not offered. Default false.
     */
    public Builder implicitTls(boolean implicit) {
      this.implicitTls = implicit;
      return this;
    }

    /** Decides each RCPT; default {@link RecipientPolicy#ACCEPT_ALL} (fine for tests only). */
    public Builder recipientPolicy(RecipientPolicy policy) {
      this.recipientPolicy = requireNonNull(policy, "policy");
      return this;
    }

    /** Takes each accepted message. Required. */
    public Builder deliveryHandler(DeliveryHandler handler) {
      this.deliveryHandler = requireNonNull(handler, "handler");
      return this;
    }

    /** SMTP (default) or LMTP. */
    public Builder mode(SmtpMode mode) {
      this.mode = requireNonNull(mode, "mode");
      return this;
    }

    /** How strictly client input is read; default {@link Compliance#LENIENT}. */
    public Builder compliance(Compliance compliance) {
      this.compliance = requireNonNull(compliance, "compliance");
      return this;
    }

    /**
     * The directory for message bodies above {@link SmtpLimits#spoolThreshold()}; default the
     * {@code java.io.tmpdir} of the JVM. Every spool file is created here (named {@code
     * smtp-*.msg}, mode 0600 on POSIX) and deleted when the transaction ends, whatever the outcome:
     * delivered, rejected, handler failure or timeout, message too large, client disconnect, server
     * shutdown. Only a JVM crash or a failed delete (on Windows: a timed-out handler still holding
     * the file open) leaves files behind, so give the server a dedicated directory on a disk with
     * room for {@code maxConnections × maxMessageBytes} and clean it at startup. {@link
     * SmtpServer#start()} fails unless it is a writable directory.
     */
    public Builder spoolDirectory(Path directory) {
      this.spoolDirectory = requireNonNull(directory, "directory");
      return this;
    }

    /** How long {@link SmtpServer#close()} waits for busy connections; default 10 seconds. */
    public Builder shutdownTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout " + timeout + " < 0");
      }
      this.shutdownTimeout = timeout;
      return this;
    }

    /** The clock for {@code Received:} dates; default the system clock and zone. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Creates the server (not yet listening).
     *
     * @throws IllegalStateException naming missing required settings or an inconsistent one
     * @throws IllegalArgumentException when the host name is not a domain
     */
    public SmtpServer build() {
      List<String> missing = new ArrayList<>();
      if (bind == null) {
        missing.add("bind");
      }
      if (hostname == null) {
        missing.add("hostname");
      }
      if (deliveryHandler == null) {
        missing.add("deliveryHandler");
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "SmtpServer.builder() is missing " + String.join(", ", missing));
      }
      if (implicitTls && sslContext == null) {
        throw new IllegalStateException("implicitTls(true) needs tls(sslContext)");
      }
      return new SmtpServer(this);
    }
  }
}
