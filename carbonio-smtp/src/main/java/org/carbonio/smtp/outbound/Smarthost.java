package org.carbonio.smtp.outbound;

import static java.util.Objects.requireNonNull;

/**
 * A relay that receives every outbound message instead of the recipients' MX hosts. Immutable.
 *
 * <p>With {@link Tls#IMPLICIT} or {@link Tls#STARTTLS} the relay's certificate must be valid for
 * {@code host} under {@link OutboundConfig#trust()}; credentials are sent only over such a
 * connection (RFC 4954 §4 forbids AUTH PLAIN in the clear in practice).
 *
 * @param host the relay's host name or IP literal; a name is resolved through the {@code
 *     DnsResolver}, and the certificate must name it
 * @param port its port (587 for STARTTLS, 465 for implicit TLS, 25 for a plain relay)
 * @param tls how the connection is protected
 * @param username the AUTH login, {@code ""} for no AUTH
 * @param password the AUTH password ({@code ""} without AUTH); never shown by {@link #toString()}
 */
public record Smarthost(String host, int port, Tls tls, String username, String password) {

  /** How the connection to the relay is protected. */
  public enum Tls {
    /** TLS from the first byte (RFC 8314 §3.3), certificate verified. */
    IMPLICIT,
    /** STARTTLS required (RFC 3207), certificate verified. */
    STARTTLS,
    /** STARTTLS when offered, certificate not verified; AUTH only when TLS was established. */
    OPPORTUNISTIC
  }

  /** Checks the components. */
  public Smarthost {
    requireNonNull(host, "host");
    requireNonNull(tls, "tls");
    requireNonNull(username, "username");
    requireNonNull(password, "password");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("empty smarthost host");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("smarthost port " + port);
    }
  }

  /** A relay without AUTH. */
  public static Smarthost of(String host, int port, Tls tls) {
    return new Smarthost(host, port, tls, "", "");
  }

  /** The same relay with AUTH credentials. */
  public Smarthost withCredentials(String user, String pass) {
    return new Smarthost(host, port, tls, user, pass);
  }

  /** True when AUTH is configured. */
  public boolean authenticates() {
    return !username.isEmpty();
  }

  @Override
  public String toString() {
    return "Smarthost["
        + host
        + ":"
        + port
        + ", "
        + tls
        + (authenticates() ? ", user " + username : "")
        + "]";
  }
}
