package org.carbonio.smtp;

/** Which protocol a listener speaks. Immutable. */
public enum SmtpMode {
  /** SMTP with ESMTP extensions (RFC 5321). Clients greet with EHLO or HELO. */
  SMTP,
  /**
   * LMTP (RFC 2033): clients greet with LHLO, and after DATA the server sends one reply per
   * accepted recipient, from the per-recipient outcomes of {@link
   * org.carbonio.smtp.spi.DeliveryHandler#deliverEach} (by default the same for every recipient).
   */
  LMTP
}
