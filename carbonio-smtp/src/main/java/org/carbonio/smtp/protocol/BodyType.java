package org.carbonio.smtp.protocol;

/** The {@code BODY=} parameter of MAIL (RFC 6152, RFC 3030 §3). Immutable. */
public enum BodyType {
  /** No BODY parameter; treated as 7BIT. */
  UNSPECIFIED,
  /** {@code BODY=7BIT}. */
  SEVEN_BIT,
  /** {@code BODY=8BITMIME}. */
  EIGHT_BIT_MIME,
  /** {@code BODY=BINARYMIME} (RFC 3030 §3): only with BDAT. */
  BINARY_MIME
}
