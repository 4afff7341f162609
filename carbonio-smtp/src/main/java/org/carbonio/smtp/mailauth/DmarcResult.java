package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * The outcome of a DMARC evaluation (RFC 7489 §6.6). Immutable.
 *
 * @param result the result
 * @param domain the RFC5322.From domain, lower case; "" when there was none
 * @param policy what the domain asks for (p=, or sp= for a subdomain); {@link Disposition#NONE}
 *     without a record
 * @param disposition what to apply: {@link Disposition#NONE} on pass, else the policy after pct=
 *     sampling (RFC 7489 §6.6.4)
 * @param spfAligned true when SPF passed for a domain aligned with From (RFC 7489 §3.1.2)
 * @param dkimAligned true when a DKIM signature of an aligned domain passed (RFC 7489 §3.1.1)
 * @param reason why the result is not pass, or null
 */
public record DmarcResult(
    DmarcResult.Result result,
    String domain,
    Disposition policy,
    Disposition disposition,
    boolean spfAligned,
    boolean dkimAligned,
    String reason) {

  /** DMARC results (RFC 8601 §2.7 with RFC 7489 §11.2). */
  public enum Result {
    /** No DMARC record for the From domain or its organizational domain. */
    NONE,
    /** An aligned identifier passed. */
    PASS,
    /** No aligned identifier passed. */
    FAIL,
    /** The record lookup failed in a way that may go away. */
    TEMPERROR,
    /** The record is unusable, or the message has no single From domain (RFC 7489 §6.6.1). */
    PERMERROR;

    /** The RFC 8601 keyword. */
    public String keyword() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Checks the components. */
  public DmarcResult {
    requireNonNull(result, "result");
    requireNonNull(domain, "domain");
    requireNonNull(policy, "policy");
    requireNonNull(disposition, "disposition");
  }
}
