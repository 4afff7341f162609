package org.carbonio.imap.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import org.carbonio.imap.spi.ImapAuthenticator;
import org.carbonio.imap.spi.MailboxBackend;

/**
 * The settings {@code ImapServer.Builder} and {@code Pop3Server.Builder} share: where to listen,
 * TLS, plaintext authentication, the authenticator, the backend, the greeting and the clock. The
 * builders' setters check their arguments and set these fields; {@link #check()} is their {@code
 * build()}'s check.
 *
 * <p>Not thread-safe: confine to one builder; a server keeps a {@link #copy()}.
 */
public final class ListenerSettings {
  public InetSocketAddress bind;
  public SSLContext sslContext;
  public boolean implicitTls;
  public boolean allowPlaintextAuth;
  public ImapAuthenticator authenticator;
  public MailboxBackend backend;
  public String greeting;
  public Clock clock = Clock.systemUTC();

  /**
   * @param defaultPort the port bound on loopback unless {@link #bind} is set
   */
  public ListenerSettings(int defaultPort, String greeting) {
    this.bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), defaultPort);
    this.greeting = greeting;
  }

  /** A copy that later changes to this one do not affect. */
  public ListenerSettings copy() {
    ListenerSettings s = new ListenerSettings(0, greeting);
    s.bind = bind;
    s.sslContext = sslContext;
    s.implicitTls = implicitTls;
    s.allowPlaintextAuth = allowPlaintextAuth;
    s.authenticator = authenticator;
    s.backend = backend;
    s.clock = clock;
    return s;
  }

  /** Throws {@link IllegalStateException} naming what {@code build()} misses. */
  public void check() {
    if (authenticator == null) throw new IllegalStateException("authenticator(...) is required");
    if (backend == null) throw new IllegalStateException("backend(...) is required");
    if (implicitTls && sslContext == null) {
      throw new IllegalStateException("implicitTls(true) requires tls(...)");
    }
  }

  /** Whether the in-band upgrade (IMAP STARTTLS, POP3 STLS) is offered: TLS, but not implicit. */
  public boolean startTls() {
    return sslContext != null && !implicitTls;
  }
}
