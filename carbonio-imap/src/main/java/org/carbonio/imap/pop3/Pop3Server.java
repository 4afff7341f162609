package org.carbonio.imap.pop3;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.carbonio.imap.internal.ListenerSettings;
import org.carbonio.imap.internal.ListenerSupport;
import org.carbonio.imap.internal.pop3.Pop3Connection;
import org.carbonio.imap.pop3.protocol.MaildropLocks;
import org.carbonio.imap.pop3.protocol.Pop3Session;
import org.carbonio.imap.pop3.protocol.Pop3SessionOptions;
import org.carbonio.imap.pop3.protocol.SaslOffer;
import org.carbonio.imap.spi.ImapAuthenticator;
import org.carbonio.imap.spi.MailboxBackend;
import org.carbonio.transport.ConnectionHandler;
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

  private final Builder config;
  private final ListenerSupport listener = new ListenerSupport("POP3", log);

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
    Pop3Limits limits = config.limits;
    listener.start(
        config.common,
        new ListenerSupport.Limits(
            limits.maxConnections(),
            limits.idleTimeout(),
            limits.writeTimeout(),
            "-ERR [SYS/TEMP] Too many connections\r\n"),
        this::handler);
    return this;
  }

  private ConnectionHandler handler() {
    ListenerSettings common = config.common;
    Pop3Limits limits = config.limits;
    Pop3SessionOptions options =
        new Pop3SessionOptions(
            common.greeting,
            "Carbonio",
            common.startTls(),
            common.allowPlaintextAuth,
            config.mechanisms,
            limits.maxBadCommands(),
            limits.maxAuthFailures(),
            limits.loginDelay(),
            common.clock);
    SSLContext ssl = common.sslContext;
    ImapAuthenticator authenticator = common.authenticator;
    MailboxBackend backend = common.backend;
    MaildropLocks locks = config.locks;
    return c ->
        new Pop3Connection(
                c,
                ssl,
                limits.maxLineLength(),
                new Pop3Session(options, authenticator, backend, locks, c.remote(), c.tls()))
            .run();
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

  /** Not thread-safe: configures a {@link Pop3Server}. */
  public static final class Builder {
    private ListenerSettings common = new ListenerSettings(110, "Carbonio POP3 ready");
    private Pop3Limits limits = Pop3Limits.DEFAULTS;
    private MaildropLocks locks = new MaildropLocks();
    private List<SaslOffer> mechanisms = List.of(SaslOffer.PLAIN, SaslOffer.LOGIN);

    private Builder() {}

    /** Address to listen on; port 0 picks a free port. Default loopback:110. */
    public Builder bind(InetSocketAddress address) {
      common.bind = requireNonNull(address, "address");
      return this;
    }

    /** TLS for STLS (or implicit TLS, see {@link #implicitTls}). */
    public Builder tls(SSLContext context) {
      common.sslContext = requireNonNull(context, "context");
      return this;
    }

    /** Whether connections start with TLS (port 995 style, RFC 8314). Default false. */
    public Builder implicitTls(boolean implicit) {
      common.implicitTls = implicit;
      return this;
    }

    /**
     * Whether USER/PASS and AUTH PLAIN/LOGIN work without TLS. Default false: they get {@code -ERR
     * [AUTH]} (or {@code [SYS/PERM]} when no TLS is configured) until STLS.
     */
    public Builder allowPlaintextAuth(boolean allow) {
      common.allowPlaintextAuth = allow;
      return this;
    }

    public Builder limits(Pop3Limits limits) {
      this.limits = requireNonNull(limits, "limits");
      return this;
    }

    /** Checks USER/PASS and the passwords of AUTH PLAIN and LOGIN. Required. */
    public Builder authenticator(ImapAuthenticator authenticator) {
      common.authenticator = requireNonNull(authenticator, "authenticator");
      return this;
    }

    /** The mailboxes; the maildrop is each user's INBOX. Required. */
    public Builder backend(MailboxBackend backend) {
      common.backend = requireNonNull(backend, "backend");
      return this;
    }

    /** Greeting text (RFC 1939 §4). */
    public Builder greeting(String greeting) {
      common.greeting = requireNonNull(greeting, "greeting");
      return this;
    }

    /** Clock for the login delay. Default UTC system clock. */
    public Builder clock(Clock clock) {
      common.clock = requireNonNull(clock, "clock");
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
      common.check();
      return new Pop3Server(this);
    }

    private Builder copy() {
      Builder b = new Builder();
      b.common = common.copy();
      b.limits = limits;
      b.locks = locks;
      b.mechanisms = mechanisms;
      return b;
    }
  }
}
