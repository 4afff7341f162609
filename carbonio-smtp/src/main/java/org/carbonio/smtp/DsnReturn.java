package org.carbonio.smtp;

/** The {@code RET=} parameter of MAIL (RFC 3461 §4.3): what a failure report returns. Immutable. */
public enum DsnReturn {
  /** The whole message. */
  FULL,
  /** Only the header. */
  HDRS
}
