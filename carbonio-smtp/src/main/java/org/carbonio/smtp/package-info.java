/**
 * Embeddable SMTP/LMTP server: build a {@link org.carbonio.smtp.SmtpServer}, give it a {@link
 * org.carbonio.smtp.spi.DeliveryHandler}, start it.
 *
 * {@snippet :
 * try (SmtpServer smtp = SmtpServer.builder()
 *         .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
 *         .hostname("mx.example.test")
 *         .deliveryHandler(d -> System.out.println(d.sender() + " -> " + d.recipients()))
 *         .build()
 *         .start()) {
 *   int port = smtp.localAddress().getPort();
 * }
 * }
 */
package org.carbonio.smtp;
