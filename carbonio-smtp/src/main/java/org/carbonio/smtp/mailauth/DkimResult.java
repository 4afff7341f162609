package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * The outcome of one DKIM signature (RFC 6376 §6.1, result names of RFC 8601 §2.7.1). Immutable.
 *
 * @param result the result
 * @param domain d=, lower case ("" when the signature could not be parsed that far)
 * @param selector s= ("" likewise)
 * @param signature b= without whitespace ("" likewise); {@link #headerB()} is its prefix
 * @param reason why it did not pass, or null
 */
public record DkimResult(
    DkimResult.Result result, String domain, String selector, String signature, String reason) {

  /** The result names of RFC 8601 §2.7.1. */
  public enum Result {
    /** The signature verified. */
    PASS,
    /** The body hash or the signature did not verify. */
    FAIL,
    /** It failed, but the key is in testing mode (t=y), so it counts as unsigned. */
    NEUTRAL,
    /** The key could not be fetched now (DNS failure); try later. */
    TEMPERROR,
    /**
     * The signature cannot be checked: syntax, missing or revoked key, key too short, expired (x=).
     */
    PERMERROR;

    /** The RFC 8601 keyword. */
    public String keyword() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Checks the components. */
  public DkimResult {
    requireNonNull(result, "result");
    requireNonNull(domain, "domain");
    requireNonNull(selector, "selector");
    requireNonNull(signature, "signature");
  }

  /** The first 8 characters of b=, for {@code header.b} (RFC 6008 §4). */
  public String headerB() {
    return signature.length() > 8 ? signature.substring(0, 8) : signature;
  }
}
