package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

/**
 * A delegated admin role for one domain. The global admin role is {@link Account#admin()}.
 *
 * <p>Immutable.
 *
 * @param kind what the role allows
 * @param domain the normalised domain it applies to
 */
public record Role(Kind kind, String domain) {
  public Role {
    requireNonNull(kind, "kind");
    requireNonNull(domain, "domain");
  }

  /** Delegated admin roles. */
  public enum Kind {
    /**
     * Manages the domain's accounts, aliases and lists: create, change, delete, passwords,
     * statuses, quotas and classes of service of its accounts. Cannot create or delete domains,
     * manage classes of service or grant roles.
     */
    DOMAIN_ADMIN,
    /** Reads the domain's accounts and lists; resets passwords; locks and unlocks accounts. */
    HELP_DESK
  }

  /** The stored form: {@code domain-admin:example.com} or {@code help-desk:example.com}. */
  public String value() {
    return (kind == Kind.DOMAIN_ADMIN ? "domain-admin:" : "help-desk:") + domain;
  }

  /** Parses {@link #value()}; null for anything else. */
  public static Role parse(String value) {
    int colon = value.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String domain = value.substring(colon + 1);
    return switch (value.substring(0, colon)) {
      case "domain-admin" -> new Role(Kind.DOMAIN_ADMIN, domain);
      case "help-desk" -> new Role(Kind.HELP_DESK, domain);
      default -> null;
    };
  }
}
