package org.carbonio.imap.pop3;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import org.carbonio.imap.internal.pop3.Pop3Connection;
import org.carbonio.imap.pop3.protocol.MaildropLocks;
import org.carbonio.imap.pop3.protocol.Pop3Session;
import org.carbonio.imap.pop3.protocol.Pop3SessionOptions;
import org.carbonio.imap.pop3.protocol.SaslOffer;
import org.carbonio.imap.spi.ImapAuthenticator;
import org.carbonio.imap.spi.MailboxBackend;
import org.carbonio.transport.TcpListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A POP3 server (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 SASL) over the IMAP storage SPI:
 * the maildrop is the user's INBOX, one POP3 session per maildrop at a time, deletions applied only
 * at QUIT. One virtual thread per connection, STLS or implicit TLS (port 995 style), limits from
 * {@link Pop3Limits}.
 *
 * {@snippet :
 * try (Pop3Server pop3 = Pop3Server.builder()
 *         .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
 *         .tls(sslContext)
 *         .authenticator(req -> req.password().equals("secret") ? Optional.of(req.username()) : Optional.empty())
 *         .backend(myBackend)
 *         .build().start()) {
 *   int port = pop3.localAddress().getPort();
 * }
 * }
 *
 * <p>Thread-safe. {@link #close()} is idempotent: it stops accepting, tells idle connections {@code
 * -ERR [SYS/TEMP]}, closes every connection (without UPDATE) and waits a bounded time.
 */
public final class Pop3Server implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Pop3Server.class);

  /** How long {@link #close()} waits for connections before forcing them, twice at most. */
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  private final Builder config;
  private final ReentrantLock lock = new ReentrantLock();
  private TcpListener listener;
  private boolean closed;

  private Pop3Server(Builder b) {
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
  public Pop3Server start() throws IOException {
    lock.lock();
    try {
      if (listener != null || closed) throw new IllegalStateException("already started");
      Pop3Limits limits = config.limits;
      Pop3SessionOptions options =
          new Pop3SessionOptions(
              config.greeting,
              "Carbonio",
              config.sslContext != null && !config.implicitTls,
              config.allowPlaintextAuth,
              config.mechanisms,
              limits.maxBadCommands(),
              limits.maxAuthFailures(),
              limits.loginDelay(),
              config.clock);
      SSLContext ssl = config.sslContext;
      ImapAuthenticator authenticator = config.authenticator;
      MailboxBackend backend = config.backend;
      MaildropLocks locks = config.locks;
      listener =
          TcpListener.start(
              new TcpListener.Config(
                  config.bind,
                  "pop3",
                  limits.maxConnections(),
                  limits.idleTimeout(),
                  limits.writeTimeout(),
                  SHUTDOWN_TIMEOUT,
                  config.implicitTls ? Optional.of(ssl) : Optional.empty(),
                  "-ERR [SYS/TEMP] Too many connections\r\n"),
              c ->
                  new Pop3Connection(
                          c,
                          ssl,
                          limits.maxLineLength(),
                          new Pop3Session(
                              options, authenticator, backend, locks, c.remote(), c.tls()))
                      .run());
      log.info(
          "POP3 listening on {}{}",
          listener.localAddress(),
          config.implicitTls ? " (implicit TLS)" : "");
      return this;
    } finally {
      lock.unlock();
    }
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
        log.info("POP3 listener on {} stopped", listener.localAddress());
      }
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  /** Not thread-safe: configures a {@link Pop3Server}. */
  public static final class Builder {
    private InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 110);
    private SSLContext sslContext;
    private boolean implicitTls;
    private boolean allowPlaintextAuth;
    private Pop3Limits limits = Pop3Limits.DEFAULTS;
    private ImapAuthenticator authenticator;
    private MailboxBackend backend;
    private String greeting = "Carbonio POP3 ready";
    private Clock clock = Clock.systemUTC();
    private MaildropLocks locks = new MaildropLocks();
    private List<SaslOffer> mechanisms = List.of(SaslOffer.PLAIN, SaslOffer.LOGIN);

    private Builder() {}

    /** Address to listen on; port 0 picks a free port. Default loopback:110. */
    public Builder bind(InetSocketAddress address) {
      this.bind = requireNonNull(address, "address");
      return this;
    }

    /** TLS for STLS (or implicit TLS, see {@link #implicitTls}). */
    public Builder tls(SSLContext context) {
      this.sslContext = requireNonNull(context, "context");
      return this;
    }

    /** Whether connections start with TLS (port 995 style, RFC 8314). Default false. */
    public Builder implicitTls(boolean implicit) {
      this.implicitTls = implicit;
      return this;
    }

    /**
     * Whether USER/PASS and AUTH PLAIN/LOGIN work without TLS. Default false: they get {@code -ERR
     * [AUTH]} (or {@code [SYS/PERM]} when no TLS is configured) until STLS.
     */
    public Builder allowPlaintextAuth(boolean allow) {
      this.allowPlaintextAuth = allow;
      return this;
    }

    public Builder limits(Pop3Limits limits) {
      this.limits = requireNonNull(limits, "limits");
      return this;
    }

    /** Checks USER/PASS and the passwords of AUTH PLAIN and LOGIN. Required. */
    public Builder authenticator(ImapAuthenticator authenticator) {
      this.authenticator = requireNonNull(authenticator, "authenticator");
      return this;
    }

    /** The mailboxes; the maildrop is each user's INBOX. Required. */
    public Builder backend(MailboxBackend backend) {
      this.backend = requireNonNull(backend, "backend");
      return this;
    }

    /** Greeting text (RFC 1939 §4). */
    public Builder greeting(String greeting) {
      this.greeting = requireNonNull(greeting, "greeting");
      return this;
    }

    /** Clock for the login delay. Default UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The maildrop locks; pass one instance to every POP3 server over the same backend (POP3 and
     * POP3S) so that a maildrop has one session across them. Default: one per server.
     */
    public Builder locks(MaildropLocks locks) {
      this.locks = requireNonNull(locks, "locks");
      return this;
    }

    /**
     * Adds a SASL mechanism, or replaces the one of the same name (default: PLAIN and LOGIN), e.g.
     * SCRAM-SHA-256 over the directory; see {@link SaslOffer}.
     */
    public Builder sasl(SaslOffer offer) {
      requireNonNull(offer, "offer");
      List<SaslOffer> next = new ArrayList<>();
      for (SaslOffer m : mechanisms) if (!m.name().equals(offer.name())) next.add(m);
      next.add(offer);
      this.mechanisms = List.copyOf(next);
      return this;
    }

    /** Only these SASL mechanisms, in this order (an empty list turns AUTH off). */
    public Builder saslMechanisms(List<SaslOffer> offers) {
      this.mechanisms = List.copyOf(offers);
      return this;
    }

    public Pop3Server build() {
      if (authenticator == null) throw new IllegalStateException("authenticator(...) is required");
      if (backend == null) throw new IllegalStateException("backend(...) is required");
      if (implicitTls && sslContext == null) {
        throw new IllegalStateException("implicitTls(true) requires tls(...)");
      }
      return new Pop3Server(this);
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
      b.clock = clock;
      b.locks = locks;
      b.mechanisms = mechanisms;
      return b;
    }
  }
}
