package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * The outcome of ARC chain validation (RFC 8617 §5.2). Immutable.
 *
 * @param result the chain validation status
 * @param instances the number of ARC sets in the message (0 for none)
 * @param domain d= of the latest ARC-Seal, lower case, or "" when none could be read
 * @param reason why it failed, or null
 */
public record ArcResult(ArcResult.Result result, int instances, String domain, String reason) {

  /** Chain validation status (RFC 8617 §4.4). */
  public enum Result {
    /** No ARC sets. */
    NONE,
    /** Every seal and the latest AMS verified. */
    PASS,
    /** The chain is broken, malformed, or a seal or the latest AMS failed. */
    FAIL;

    /** The RFC 8601 keyword. */
    public String keyword() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Checks the components. */
  public ArcResult {
    requireNonNull(result, "result");
    requireNonNull(domain, "domain");
  }
}
