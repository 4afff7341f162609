package org.carbonio.imap;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import org.carbonio.imap.internal.ImapConnection;
import org.carbonio.imap.internal.ListenerSettings;
import org.carbonio.imap.internal.ListenerSupport;
import org.carbonio.imap.protocol.SessionOptions;
import org.carbonio.imap.spi.ImapAuthenticator;
import org.carbonio.imap.spi.MailboxBackend;
import org.carbonio.transport.ConnectionHandler;
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

  private final Builder config;
  private final ListenerSupport listener = new ListenerSupport("IMAP", log);

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
    ImapLimits limits = config.limits;
    listener.start(
        config.common,
        new ListenerSupport.Limits(
            limits.maxConnections(), limits.idleTimeout(), limits.writeTimeout(), ""),
        this::handler);
    return this;
  }

  private ConnectionHandler handler() throws IOException {
    if (!Files.isDirectory(config.spoolDirectory)) {
      throw new NoSuchFileException(config.spoolDirectory.toString(), null, "spool directory");
    }
    ListenerSettings common = config.common;
    SessionOptions options =
        new SessionOptions(
            config.hostname + " " + common.greeting,
            common.startTls(),
            common.allowPlaintextAuth,
            config.limits.maxLiteralSize(),
            common.clock);
    ImapLimits limits = config.limits;
    SSLContext ssl = common.sslContext;
    ImapAuthenticator authenticator = common.authenticator;
    MailboxBackend backend = common.backend;
    Path spool = config.spoolDirectory;
    return c -> new ImapConnection(c, ssl, limits, options, authenticator, backend, spool).run();
  }

  /** The bound address (with the real port when bound to port 0). */
  public InetSocketAddress localAddress() {
    return listener.localAddress();
  }

  /** Connections currently open (0 before start and after close). */
  public int activeConnections() {
    return listener.activeConnections();
  }

  /** Stops the server; idempotent. */
  @Override
  public void close() {
    listener.close();
  }

  /** Not thread-safe: configures an {@link ImapServer}. */
  public static final class Builder {
    private ListenerSettings common = new ListenerSettings(143, "Carbonio IMAP4rev2 ready");
    private ImapLimits limits = ImapLimits.DEFAULTS;
    private String hostname = "localhost";
    private Path spoolDirectory = Path.of(System.getProperty("java.io.tmpdir"));

    private Builder() {}

    /** Address to listen on; port 0 picks a free port. Default loopback:143. */
    public Builder bind(InetSocketAddress address) {
      common.bind = requireNonNull(address, "address");
      return this;
    }

    /** TLS for STARTTLS (or implicit TLS, see {@link #implicitTls}). */
    public Builder tls(SSLContext context) {
      common.sslContext = requireNonNull(context, "context");
      return this;
    }

    /** Whether connections start with TLS (port 993 style). Default false. */
    public Builder implicitTls(boolean implicit) {
      common.implicitTls = implicit;
      return this;
    }

    /** Whether LOGIN/AUTHENTICATE work without TLS. Default false (LOGINDISABLED). */
    public Builder allowPlaintextAuth(boolean allow) {
      common.allowPlaintextAuth = allow;
      return this;
    }

    public Builder limits(ImapLimits limits) {
      this.limits = requireNonNull(limits, "limits");
      return this;
    }

    public Builder authenticator(ImapAuthenticator authenticator) {
      common.authenticator = requireNonNull(authenticator, "authenticator");
      return this;
    }

    public Builder backend(MailboxBackend backend) {
      common.backend = requireNonNull(backend, "backend");
      return this;
    }

    /** Greeting text after the host name. */
    public Builder greeting(String greeting) {
      common.greeting = requireNonNull(greeting, "greeting");
      return this;
    }

    /** Host name shown in the greeting. */
    public Builder hostname(String hostname) {
      this.hostname = requireNonNull(hostname, "hostname");
      return this;
    }

    /** Clock for APPEND without a date. Default UTC system clock. */
    public Builder clock(Clock clock) {
      common.clock = requireNonNull(clock, "clock");
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
      common.check();
      return new ImapServer(this);
    }

    private Builder copy() {
      Builder b = new Builder();
      b.common = common.copy();
      b.limits = limits;
      b.hostname = hostname;
      b.spoolDirectory = spoolDirectory;
      return b;
    }
  }
}
