package org.carbonio.smtp;

import static java.util.Objects.requireNonNull;

/**
 * What happened to one recipient of one delivery attempt, in SMTP terms, so that it can become an
 * LMTP reply (RFC 2033 §4.2), a retry decision, or a line of a delivery status notification (RFC
 * 3464 §2.3). Immutable.
 *
 * @param recipient the forward-path
 * @param status delivered, failed for now, or failed for good
 * @param code the SMTP reply code (250, 4xx, 5xx)
 * @param enhancedStatus the RFC 3463 code, e.g. {@code 5.1.1}
 * @param text the reply text, for the DSN's Diagnostic-Code
 * @param remoteMta the host that gave the reply, or {@code ""} when it was decided locally
 */
public record RecipientOutcome(
    String recipient,
    Status status,
    int code,
    String enhancedStatus,
    String text,
    String remoteMta) {

  /** The three ways a recipient's attempt ends. */
  public enum Status {
    /** Accepted by the next hop or stored. */
    DELIVERED,
    /** Failed for now: retry later (4xx, network errors). */
    TEMPORARY,
    /** Failed for good: bounce (5xx). */
    PERMANENT
  }

  /** Checks the components; {@code code} must agree with {@code status}. */
  public RecipientOutcome {
    requireNonNull(recipient, "recipient");
    requireNonNull(status, "status");
    requireNonNull(enhancedStatus, "enhancedStatus");
    requireNonNull(text, "text");
    requireNonNull(remoteMta, "remoteMta");
    int expectedClass =
        switch (status) {
          case DELIVERED -> 2;
          case TEMPORARY -> 4;
          case PERMANENT -> 5;
        };
    if (code / 100 != expectedClass) {
      throw new IllegalArgumentException(status + " with code " + code);
    }
  }

  /** Delivered locally. */
  public static RecipientOutcome delivered(String recipient) {
    return new RecipientOutcome(recipient, Status.DELIVERED, 250, "2.0.0", "OK", "");
  }

  /** A local temporary failure. */
  public static RecipientOutcome temporary(
      String recipient, int code, String enhanced, String text) {
    return new RecipientOutcome(recipient, Status.TEMPORARY, code, enhanced, text, "");
  }

  /** A local permanent failure. */
  public static RecipientOutcome permanent(
      String recipient, int code, String enhanced, String text) {
    return new RecipientOutcome(recipient, Status.PERMANENT, code, enhanced, text, "");
  }
}
