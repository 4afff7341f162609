package org.carbonio.smtp;

/** Which protocol a listener speaks. Immutable. */
public enum SmtpMode {
  /** SMTP with ESMTP extensions (RFC 5321). Clients greet with EHLO or HELO. */
  SMTP,
  /**
   * LMTP (RFC 2033): clients greet with LHLO, and after DATA the server sends one reply per
   * accepted recipient. The {@link org.carbonio.smtp.spi.DeliveryHandler} outcome applies to every
   * recipient of the transaction.
   */
  LMTP
}
