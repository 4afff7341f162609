package org.carbonio.server;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * A listener the running server opened. Immutable.
 *
 * @param kind what it serves
 * @param address where it listens (the real port, also when port 0 was asked for)
 */
public record Listener(Kind kind, InetSocketAddress address) {

  public Listener {
    requireNonNull(kind, "kind");
    requireNonNull(address, "address");
  }

  /** The listeners of the reference server with their base ports (before the port offset). */
  public enum Kind {
    SMTP("smtp", 2525, "SMTP, STARTTLS"),
    SUBMISSION("submission", 2587, "SMTP submission, STARTTLS, AUTH required"),
    SUBMISSIONS("submissions", 2465, "SMTP submission, implicit TLS, AUTH required"),
    IMAP("imap", 1143, "IMAP4rev2 and IMAP4rev1, STARTTLS"),
    IMAPS("imaps", 1993, "IMAP4rev2 and IMAP4rev1, implicit TLS"),
    POP3("pop3", 1110, "POP3, STLS"),
    POP3S("pop3s", 1995, "POP3, implicit TLS"),
    LMTP("lmtp", 2424, "LMTP local delivery, STARTTLS, admin address"),
    HTTP("http", 8080, "HTTP admin API, admin address"),
    LDAP("ldap", 1389, "LDAP directory, admin address");

    private final String label;
    private final int basePort;
    private final String description;

    Kind(String label, int basePort, String description) {
      this.label = label;
      this.basePort = basePort;
      this.description = description;
    }

    /** The short name printed at startup and used as key in {@code server.json}. */
    public String label() {
      return label;
    }

    public int basePort() {
      return basePort;
    }

    public String description() {
      return description;
    }

    /**
     * Admin and internal listeners (admin API, LDAP, LMTP) bind {@link ServerConfig#adminBind()},
     * not the mail address.
     */
    public boolean administrative() {
      return this == HTTP || this == LDAP || this == LMTP;
    }
  }

  /** The line printed for this listener at startup, e.g. {@code smtp 127.0.0.1:2525 (SMTP...)}. */
  public String describe() {
    return String.format(
        "%-11s %s:%d  (%s)",
        kind.label(), address.getAddress().getHostAddress(), address.getPort(), kind.description());
  }
}
