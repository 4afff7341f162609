package org.carbonio.imap;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import org.carbonio.imap.internal.ImapConnection;
import org.carbonio.imap.protocol.SessionOptions;
import org.carbonio.imap.spi.ImapAuthenticator;
import org.carbonio.imap.spi.MailboxBackend;
import org.carbonio.transport.TcpListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501) server over a {@link MailboxBackend}: one
 * virtual thread per connection, STARTTLS or implicit TLS, limits from {@link ImapLimits}.
 *
 * {@snippet :
 * try (ImapServer imap = ImapServer.builder()
 *         .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
 *         .tls(sslContext)
 *         .authenticator(req -> req.password().equals("secret") ? Optional.of(req.username()) : Optional.empty())
 *         .backend(myBackend)
 *         .build().start()) {
 *   int port = imap.localAddress().getPort();
 * }
 * }
 *
 * <p>Thread-safe. {@link #close()} is idempotent: it stops accepting, closes every connection and
 * waits a bounded time for their threads.
 */
public final class ImapServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ImapServer.class);

  /** How long {@link #close()} waits for connections before forcing them, twice at most. */
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  private final Builder config;
  private final ReentrantLock lock = new ReentrantLock();
  private TcpListener listener;
  private boolean closed;

  private ImapServer(Builder b) {
    this.config = b.copy();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this server's settings, to derive a variant. */
  public Builder toBuilder() {
    return config.copy();
  }

  /** Binds and starts accepting; returns this. */
  public ImapServer start() throws IOException {
    lock.lock();
    try {
      return doStart();
    } finally {
      lock.unlock();
    }
  }

  private ImapServer doStart() throws IOException {
    if (listener != null || closed) throw new IllegalStateException("already started");
    if (!Files.isDirectory(config.spoolDirectory)) {
      throw new NoSuchFileException(config.spoolDirectory.toString(), null, "spool directory");
    }
    SessionOptions options =
        new SessionOptions(
            config.hostname + " " + config.greeting,
            config.sslContext != null && !config.implicitTls,
            config.allowPlaintextAuth,
            config.limits.maxLiteralSize(),
            config.clock);
    ImapLimits limits = config.limits;
    SSLContext ssl = config.sslContext;
    ImapAuthenticator authenticator = config.authenticator;
    MailboxBackend backend = config.backend;
    Path spool = config.spoolDirectory;
    listener =
        TcpListener.start(
            new TcpListener.Config(
                config.bind,
                "imap",
                limits.maxConnections(),
                limits.idleTimeout(),
                limits.writeTimeout(),
                SHUTDOWN_TIMEOUT,
                config.implicitTls ? Optional.of(ssl) : Optional.empty(),
                ""),
            c -> new ImapConnection(c, ssl, limits, options, authenticator, backend, spool).run());
    log.info(
        "IMAP listening on {}{}",
        listener.localAddress(),
        config.implicitTls ? " (implicit TLS)" : "");
    return this;
  }

  /** The bound address (with the real port when bound to port 0). */
  public InetSocketAddress localAddress() {
    lock.lock();
    try {
      if (listener == null) throw new IllegalStateException("not started");
      return listener.localAddress();
    } finally {
      lock.unlock();
    }
  }

  /** Connections currently open (0 before start and after close). */
  public int activeConnections() {
    lock.lock();
    try {
      return listener == null ? 0 : listener.activeConnections();
    } finally {
      lock.unlock();
    }
  }

  /** Stops the server; idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (listener != null && !closed) {
        closed = true;
        listener.close();
        log.info("IMAP listener on {} stopped", listener.localAddress());
      }
    } finally {
      lock.unlock();
    }
  }

  /** Not thread-safe: configures an {@link ImapServer}. */
  public static final class Builder {
    private InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 143);
    private SSLContext sslContext;
    private boolean implicitTls;
    private boolean allowPlaintextAuth;
    private ImapLimits limits = ImapLimits.DEFAULTS;
    private ImapAuthenticator authenticator;
    private MailboxBackend backend;
    private String greeting = "Carbonio IMAP4rev1 ready";
    private String hostname = "localhost";
    private Clock clock = Clock.systemUTC();
    private Path spoolDirectory = Path.of(System.getProperty("java.io.tmpdir"));

    private Builder() {}

    /** Address to listen on; port 0 picks a free port. Default loopback:143. */
    public Builder bind(InetSocketAddress address) {
      this.bind = requireNonNull(address, "address");
      return this;
    }

    /** TLS for STARTTLS (or implicit TLS, see {@link #implicitTls}). */
    public Builder tls(SSLContext context) {
      this.sslContext = requireNonNull(context, "context");
      return this;
    }

    /** Whether connections start with TLS (port 993 style). Default false. */
    public Builder implicitTls(boolean implicit) {
      this.implicitTls = implicit;
      return this;
    }

    /** Whether LOGIN/AUTHENTICATE work without TLS. Default false (LOGINDISABLED). */
    public Builder allowPlaintextAuth(boolean allow) {
      this.allowPlaintextAuth = allow;
      return this;
    }

    public Builder limits(ImapLimits limits) {
      this.limits = requireNonNull(limits, "limits");
      return this;
    }

    public Builder authenticator(ImapAuthenticator authenticator) {
      this.authenticator = requireNonNull(authenticator, "authenticator");
      return this;
    }

    public Builder backend(MailboxBackend backend) {
      this.backend = requireNonNull(backend, "backend");
      return this;
    }

    /** Greeting text after the host name. */
    public Builder greeting(String greeting) {
      this.greeting = requireNonNull(greeting, "greeting");
      return this;
    }

    /** Host name shown in the greeting. */
    public Builder hostname(String hostname) {
      this.hostname = requireNonNull(hostname, "hostname");
      return this;
    }

    /** Clock for APPEND without a date. Default UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Directory for APPEND messages above {@link ImapLimits#spoolThreshold()}: each is written to a
     * file named {@code carbonio-imap-append-*.eml} there and deleted when the command ends.
     * Default {@code java.io.tmpdir}. The directory must exist when the server starts.
     */
    public Builder spoolDirectory(Path directory) {
      this.spoolDirectory = requireNonNull(directory, "directory");
      return this;
    }

    public ImapServer build() {
      if (authenticator == null) throw new IllegalStateException("authenticator(...) is required");
      if (backend == null) throw new IllegalStateException("backend(...) is required");
      if (implicitTls && sslContext == null) {
        throw new IllegalStateException("implicitTls(true) requires tls(...)");
      }
      return new ImapServer(this);
    }

    private Builder copy() {
      Builder b = new Builder();
      b.bind = bind;
      b.sslContext = sslContext;
      b.implicitTls = implicitTls;
      b.allowPlaintextAuth = allowPlaintextAuth;
      b.limits = limits;
      b.authenticator = authenticator;
      b.backend = backend;
      b.greeting = greeting;
      b.hostname = hostname;
      b.clock = clock;
      b.spoolDirectory = spoolDirectory;
      return b;
    }
  }
}
