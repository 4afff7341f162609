/**
 * The sans-IO SMTP engine: {@link org.carbonio.smtp.protocol.SmtpDecoder} turns bytes into {@link
 * org.carbonio.smtp.protocol.Decoded} values, {@link org.carbonio.smtp.protocol.SmtpSession} turns
 * them into {@link org.carbonio.smtp.protocol.SmtpReply} values and calls the SPI, and {@link
 * org.carbonio.smtp.protocol.ReplyEncoder} serialises replies. Nothing here touches a socket,
 * thread or clock; a transport (such as {@link org.carbonio.smtp.SmtpServer}) drives it.
 *
 * <p>Experimental until 1.0: signatures may change in minor versions.
 */
package org.carbonio.smtp.protocol;
