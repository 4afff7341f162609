package org.carbonio.smtp.internal.mailauth;

import java.io.IOException;

/** The header section is larger than the configured limit. */
public final class HeaderLimitException extends IOException {
  private static final long serialVersionUID = 1L;

  /** A limit of {@code max} bytes was exceeded. */
  public HeaderLimitException(long max) {
    super("header section exceeds " + max + " bytes");
  }
}
