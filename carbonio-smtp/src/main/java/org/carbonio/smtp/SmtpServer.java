package org.carbonio.smtp;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.carbonio.smtp.abuse.ClientLimiter;
import org.carbonio.smtp.abuse.ClientLimits;
import org.carbonio.smtp.internal.GuardedCallbacks;
import org.carbonio.smtp.internal.SmtpConnection;
import org.carbonio.smtp.protocol.ReplyEncoder;
import org.carbonio.smtp.protocol.SmtpReplies;
import org.carbonio.smtp.protocol.SmtpSessionConfig;
import org.carbonio.smtp.spi.Authenticator;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.carbonio.transport.TcpListener;
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
 *         .authenticator(auth)        // optional: AUTH PLAIN/LOGIN after STARTTLS
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
  private final GuardedCallbacks callbacks;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final String idPrefix;
  private final ClientLimiter clientLimiter;
  private volatile TcpListener listener;

  private SmtpServer(Builder b) {
    this.settings = b.copy();
    this.clientLimiter =
        b.clientLimiter != null
            ? b.clientLimiter
            : ClientLimiter.create(
                b.mode == SmtpMode.LMTP ? ClientLimits.NONE : ClientLimits.DEFAULTS);
    GuardedCallbacks guard =
        new GuardedCallbacks(
            b.mode.name().toLowerCase(Locale.ROOT),
            b.limits.recipientCheckTimeout(),
            b.limits.deliveryTimeout(),
            b.limits.recipientCheckTimeout());
    this.callbacks = guard;
    this.sessionConfig =
        new SmtpSessionConfig(
            b.hostname,
            b.limits,
            b.mode,
            b.compliance,
            b.sslContext != null && !b.implicitTls(),
            clientLimiter.limitRecipients(guard.guardPolicy(b.recipientPolicy)),
            clientLimiter.limitMessages(guard.guardHandler(b.deliveryHandler)),
            b.clock,
            b.spoolDirectory,
            Optional.ofNullable(b.authenticator)
                .map(a -> guard.guardAuthenticator(a, b.limits.recipientCheckTimeout())),
            b.policy);
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
    SmtpLimits limits = settings.limits;
    TcpListener.Config config =
        new TcpListener.Config(
            settings.bind,
            "smtp",
            limits.maxConnections(),
            limits.idleTimeout(),
            limits.writeTimeout(),
            settings.shutdownTimeout,
            settings.implicitTls() ? Optional.of(settings.sslContext) : Optional.empty(),
            ReplyEncoder.encodeToString(SmtpReplies.tooManyConnections(settings.hostname)));
    callbacks.start();
    TcpListener l;
    try {
      l = listen(config);
    } catch (IOException | RuntimeException e) {
      callbacks.close();
      throw e;
    }
    listener = l;
    if (closed.get()) { // close() ran while binding
      l.close();
      callbacks.close();
    }
    log.info(
        "{} listening on {} as {}{}",
        settings.mode,
        l.localAddress(),
        settings.hostname,
        settings.sslContext == null
            ? ""
            : settings.implicitTls() ? " (implicit TLS)" : " (STARTTLS)");
    return this;
  }

  private TcpListener listen(TcpListener.Config config) throws IOException {
    return TcpListener.start(
        config,
        c -> {
          // per-client limits (org.carbonio.smtp.abuse): 421 4.7.0 and close when over
          try (ClientLimiter.Lease lease = clientLimiter.connect(c.remote().getAddress())) {
            if (!ClientLimiter.refuse(lease, settings.hostname, c.output())) {
              new SmtpConnection(
                      idPrefix + "-" + Long.toString(c.id(), 36),
                      c,
                      sessionConfig,
                      settings.sslContext)
                  .run();
            }
          }
        });
  }

  /**
   * The bound address, with the real port when bound to port 0.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public InetSocketAddress localAddress() {
    TcpListener l = listener;
    if (l == null) {
      throw new IllegalStateException("not started");
    }
    return l.localAddress();
  }

  /** The number of connections being served now. */
  public int activeConnections() {
    TcpListener l = listener;
    return l == null ? 0 : l.activeConnections();
  }

  /** Stops the server; idempotent. Returns within about twice {@code shutdownTimeout} at most. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    TcpListener l = listener;
    try {
      if (l != null) {
        l.close();
      }
    } finally {
      callbacks.close();
    }
    if (l != null) {
      log.info("{} on {} stopped", settings.mode, l.localAddress());
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
    private Authenticator authenticator;
    private ListenerPolicy policy = ListenerPolicy.MX;
    private ClientLimiter clientLimiter;

    private Builder() {}

    private boolean implicitTls() {
      return implicitTls || policy.implicitTls();
    }

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
      b.authenticator = authenticator;
      b.policy = policy;
      b.clientLimiter = clientLimiter;
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
     * Checks AUTH PLAIN and LOGIN credentials (RFC 4954); without one AUTH is not offered. Each
     * call is bounded by {@link SmtpLimits#recipientCheckTimeout()}; failed exchanges per
     * connection by {@link SmtpLimits#maxAuthFailures()}. AUTH is offered only on TLS connections
     * unless {@link ListenerPolicy#plaintextAuthAllowed()}.
     */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = requireNonNull(authenticator, "authenticator");
      return this;
    }

    /**
     * What this listener requires of clients; default {@link ListenerPolicy#MX}. {@link
     * ListenerPolicy#SUBMISSION} and {@link ListenerPolicy#SUBMISSIONS} need {@link #authenticator}
     * and {@link #tls}; {@link ListenerPolicy#implicitTls()} implies {@link #implicitTls(boolean)}.
     */
    public Builder listenerPolicy(ListenerPolicy policy) {
      this.policy = requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Per-client connection, message and recipient limits ({@link ClientLimiter}); share one
     * limiter among listeners so that a client's counts add up. Default: a limiter of its own with
     * {@link ClientLimits#DEFAULTS} (loopback exempt) in SMTP mode, none ({@link
     * ClientLimits#NONE}) in LMTP mode, whose client is usually one MTA.
     */
    public Builder clientLimiter(ClientLimiter limiter) {
      this.clientLimiter = requireNonNull(limiter, "limiter");
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
      if (implicitTls() && sslContext == null) {
        throw new IllegalStateException("implicitTls(true) needs tls(sslContext)");
      }
      if (policy.authRequired() && authenticator == null) {
        throw new IllegalStateException("listenerPolicy " + policy + " needs authenticator(...)");
      }
      if (policy.authRequired() && !policy.plaintextAuthAllowed() && sslContext == null) {
        throw new IllegalStateException(
            "listenerPolicy " + policy + " needs tls(sslContext): AUTH is only offered over TLS");
      }
      return new SmtpServer(this);
    }
  }
}
