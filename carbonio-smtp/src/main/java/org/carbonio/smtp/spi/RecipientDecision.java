package org.carbonio.smtp.spi;

/**
 * The answer of a {@link RecipientPolicy}: {@link #accept()} or {@link #reject(int, String,
 * String)}. Immutable.
 */
public sealed interface RecipientDecision {

  /** The recipient is accepted: {@code 250 2.1.5}. */
  record Accept() implements RecipientDecision {}

  /**
   * The recipient is refused with this reply.
   *
   * @param code a 4xx (try later) or 5xx (permanent) reply code
   * @param enhancedStatus the RFC 3463 code, whose class matches {@code code}, e.g. {@code 5.1.1}
   * @param text human-readable text, printable ASCII
   */
  record Reject(int code, String enhancedStatus, String text) implements RecipientDecision {
    /** Checks the code and the enhanced status code. */
    public Reject {
      RejectException.validate(code, enhancedStatus, text);
    }
  }

  /** Accepts the recipient. */
  static RecipientDecision accept() {
    return new Accept();
  }

  /**
   * Refuses the recipient, for example {@code reject(550, "5.1.1", "No such user")}, {@code
   * reject(550, "5.7.1", "Relaying denied")} or {@code reject(451, "4.3.0", "Try again later")}.
   */
  static RecipientDecision reject(int code, String enhancedStatus, String text) {
    return new Reject(code, enhancedStatus, text);
  }
}
