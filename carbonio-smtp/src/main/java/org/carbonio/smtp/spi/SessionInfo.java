package org.carbonio.smtp.spi;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * What is known about one SMTP connection at the time of a callback. Immutable; a session hands out
 * a new instance whenever it changes (after EHLO, after STARTTLS).
 *
 * @param id the session id, unique within the server's lifetime; also the MDC key {@code session}
 * @param remote the client's address
 * @param local the server address the client connected to
 * @param remoteHost the client's host name as given by the transport, or its IP address when none
 *     is known (the engine does not look up reverse DNS)
 * @param heloName the argument of the last HELO/EHLO/LHLO, {@code ""} before one
 * @param esmtp true when the client greeted with EHLO or LHLO
 * @param tls true when the connection is encrypted (STARTTLS or implicit TLS)
 * @param authenticated the identity the {@link Authenticator} returned after a successful {@code
 *     AUTH} (RFC 4954), {@code ""} when the client has not authenticated
 */
public record SessionInfo(
    String id,
    InetSocketAddress remote,
    InetSocketAddress local,
    String remoteHost,
    String heloName,
    boolean esmtp,
    boolean tls,
    String authenticated) {

  /** Checks that no component is null. */
  public SessionInfo {
    requireNonNull(id, "id");
    requireNonNull(remote, "remote");
    requireNonNull(local, "local");
    requireNonNull(remoteHost, "remoteHost");
    requireNonNull(heloName, "heloName");
    requireNonNull(authenticated, "authenticated");
  }

  /** A connection whose client has not authenticated. */
  public SessionInfo(
      String id,
      InetSocketAddress remote,
      InetSocketAddress local,
      String remoteHost,
      String heloName,
      boolean esmtp,
      boolean tls) {
    this(id, remote, local, remoteHost, heloName, esmtp, tls, "");
  }

  /** True after a successful {@code AUTH}. */
  public boolean isAuthenticated() {
    return !authenticated.isEmpty();
  }

  /** Returns a copy after a HELO/EHLO/LHLO; the authentication stays (RFC 4954 §4). */
  public SessionInfo withHelo(String name, boolean extended) {
    return new SessionInfo(id, remote, local, remoteHost, name, extended, tls, authenticated);
  }

  /**
   * Returns a copy after STARTTLS: the greeting and any authentication are forgotten (RFC 3207
   * §4.2).
   */
  public SessionInfo withTls() {
    return new SessionInfo(id, remote, local, remoteHost, "", false, true, "");
  }

  /** Returns a copy after a successful {@code AUTH} as {@code identity}. */
  public SessionInfo withAuthenticated(String identity) {
    requireNonNull(identity, "identity");
    return new SessionInfo(id, remote, local, remoteHost, heloName, esmtp, tls, identity);
  }
}
