package org.carbonio.smtp.mailauth;

import java.util.Locale;

/** What to do with a message that fails DMARC (RFC 7489 §6.3 p=). Immutable. */
public enum Disposition {
  /** Deliver as usual. */
  NONE,
  /** Deliver to the spam folder or hold (RFC 7489 §6.3). */
  QUARANTINE,
  /** Refuse during the SMTP transaction (RFC 7489 §6.3, §10.3: 550 5.7.1). */
  REJECT;

  /** The lower-case name used in DMARC records and Authentication-Results. */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }
}
