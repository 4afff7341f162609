package org.carbonio.smtp;

/** A value of the {@code NOTIFY=} parameter of RCPT (RFC 3461 §4.1). Immutable. */
public enum DsnNotify {
  /** Report successful delivery. */
  SUCCESS,
  /** Report failure (the default when NOTIFY is absent, RFC 3461 §4.1). */
  FAILURE,
  /** Report delay. */
  DELAY,
  /** Never report; must appear alone. */
  NEVER
}
