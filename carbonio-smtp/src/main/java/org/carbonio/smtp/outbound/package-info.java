/**
 * Outbound SMTP delivery: {@link org.carbonio.smtp.outbound.OutboundDelivery} implements the
 * queue's {@link org.carbonio.smtp.spi.DeliveryAgent} over SMTP, with MX routing (RFC 5321 §5.1,
 * RFC 7505), opportunistic STARTTLS (RFC 3207), MTA-STS (RFC 8461), DANE (RFC 7672), REQUIRETLS
 * (RFC 8689), DSN pass-through (RFC 3461), SMTPUTF8 (RFC 6531), connection reuse and a smarthost
 * with AUTH (RFC 4954). Configured by {@link org.carbonio.smtp.outbound.OutboundConfig}.
 */
package org.carbonio.smtp.outbound;
