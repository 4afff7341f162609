package org.carbonio.smtp.internal.mailauth;

/** An SPF record or macro that breaks the grammar of RFC 7208 §12: a permerror. */
public final class SpfSyntaxException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The error, naming the bad text. */
  public SpfSyntaxException(String message) {
    super(message, null, false, false);
  }
}
