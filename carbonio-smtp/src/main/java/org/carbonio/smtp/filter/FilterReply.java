package org.carbonio.smtp.filter;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;
import org.carbonio.smtp.spi.RejectException;

/**
 * The SMTP reply a filter decision maps to: {@code 250 2.0.0} for accepted recipients, {@code 550
 * 5.7.1} for a rejection, {@code 451 4.7.1} for a temporary failure. Immutable.
 *
 * @param code the reply code (2xx, 4xx or 5xx)
 * @param enhancedStatus the RFC 3463 code of the same class, e.g. {@code 5.7.1}
 * @param text printable ASCII text without CR or LF
 */
public record FilterReply(int code, String enhancedStatus, String text) {

  private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

  /** Checks the components. */
  public FilterReply {
    requireNonNull(enhancedStatus, "enhancedStatus");
    requireNonNull(text, "text");
    if (code != 250 && (code < 400 || code > 599)) {
      throw new IllegalArgumentException("reply code " + code + " is not 250, 4xx or 5xx");
    }
    if (!ENHANCED.matcher(enhancedStatus).matches()
        || enhancedStatus.charAt(0) - '0' != code / 100) {
      throw new IllegalArgumentException(
          "enhanced status " + FilterHeader.escape(enhancedStatus) + " does not fit code " + code);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException("reply text " + FilterHeader.escape(text));
      }
    }
  }

  /** {@code 250 2.0.0 OK}. */
  public static final FilterReply OK = new FilterReply(250, "2.0.0", "OK");

  /** Whether the code is 4xx. */
  public boolean isTemporary() {
    return code / 100 == 4;
  }

  /** Whether the code is 5xx. */
  public boolean isPermanent() {
    return code / 100 == 5;
  }

  /**
   * The same reply as the exception a {@link org.carbonio.smtp.spi.DeliveryHandler} throws to
   * refuse the message.
   *
   * @throws IllegalStateException for a {@code 250} reply
   */
  public RejectException toRejectException() {
    if (code == 250) {
      throw new IllegalStateException("250 is not a refusal");
    }
    return new RejectException(code, enhancedStatus, text);
  }

  /** {@code "550 5.7.1 Virus found: X"}. */
  @Override
  public String toString() {
    return code + " " + enhancedStatus + " " + text;
  }
}
