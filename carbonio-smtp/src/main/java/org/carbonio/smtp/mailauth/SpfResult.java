package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * The outcome of an SPF check (RFC 7208 §2.6). Immutable.
 *
 * @param result the result
 * @param domain the domain checked: the MAIL FROM domain, or the HELO name when MAIL FROM was empty
 *     (RFC 7208 §2.4); lower case, "" when there was none
 * @param explanation the exp= text of a {@code fail} (RFC 7208 §6.2), or a short reason for an
 *     error; null otherwise
 * @param identity which identity was checked
 */
public record SpfResult(
    SpfResult.Result result, String domain, String explanation, SpfResult.Identity identity) {

  /** The results of RFC 7208 §2.6. */
  public enum Result {
    /** No SPF record, or no checkable domain. */
    NONE,
    /** The domain makes no assertion ("?"). */
    NEUTRAL,
    /** The client is authorized. */
    PASS,
    /** The client is not authorized ("-"). */
    FAIL,
    /** Probably not authorized ("~"). */
    SOFTFAIL,
    /** A DNS failure that may go away. */
    TEMPERROR,
    /** The published records are wrong (syntax, more than 10 lookups, more than 2 void lookups). */
    PERMERROR;

    /** The RFC 8601 keyword. */
    public String keyword() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which SMTP identity the check authorized (RFC 7208 §2.3, §2.4). */
  public enum Identity {
    /** The MAIL FROM address. */
    MAILFROM,
    /** The HELO/EHLO name. */
    HELO
  }

  /** Checks the components. */
  public SpfResult {
    requireNonNull(result, "result");
    requireNonNull(domain, "domain");
    requireNonNull(identity, "identity");
  }
}
