package org.carbonio.smtp.spi;

import java.util.regex.Pattern;

/**
 * An embedder's refusal of a message, thrown from {@link DeliveryHandler#deliver}. The client
 * receives the given reply. Immutable; carries no stack trace (it is a reply, not a bug).
 */
public final class RejectException extends Exception {

  private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

  private final int code;
  private final String enhancedStatus;

  /**
   * Creates a refusal.
   *
   * @param code a 4xx (temporary) or 5xx (permanent) reply code, e.g. {@code 554}
   * @param enhancedStatus the RFC 3463 code of the same class, e.g. {@code 5.7.1}
   * @param text human-readable text, printable ASCII (other characters are replaced on the wire)
   * @throws IllegalArgumentException when the code is not 4xx/5xx or the classes differ
   */
  public RejectException(int code, String enhancedStatus, String text) {
    super(validate(code, enhancedStatus, text), null, false, false);
    this.code = code;
    this.enhancedStatus = enhancedStatus;
  }

  /** The reply code. */
  public int code() {
    return code;
  }

  /** The RFC 3463 enhanced status code. */
  public String enhancedStatus() {
    return enhancedStatus;
  }

  /** The reply text. */
  public String text() {
    return getMessage();
  }

  static String validate(int code, String enhancedStatus, String text) {
    if (code < 400 || code > 599) {
      throw new IllegalArgumentException("reply code " + code + " is not 4xx or 5xx");
    }
    if (enhancedStatus == null || !ENHANCED.matcher(enhancedStatus).matches()) {
      throw new IllegalArgumentException("enhanced status " + enhancedStatus + " is not x.y.z");
    }
    if (enhancedStatus.charAt(0) - '0' != code / 100) {
      throw new IllegalArgumentException(
          "enhanced status " + enhancedStatus + " does not match reply code " + code);
    }
    if (text == null) {
      throw new IllegalArgumentException("text is null");
    }
    return text;
  }
}
