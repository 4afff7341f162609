/**
 * Abuse controls for an SMTP listener: per-client connection, message and recipient rate limits
 * ({@link org.carbonio.smtp.abuse.ClientLimiter}), a throttle for failed AUTH attempts ({@link
 * org.carbonio.smtp.abuse.AuthThrottle}) and optional greylisting ({@link
 * org.carbonio.smtp.abuse.Greylist}, RFC 6647). Each is a small, thread-safe component with bounded
 * memory; the limiter is wired into {@link org.carbonio.smtp.SmtpServer} with {@code
 * SmtpServer.Builder.clientLimiter}, the other two are decorators of the {@link
 * org.carbonio.smtp.spi.Authenticator} and {@link org.carbonio.smtp.spi.RecipientPolicy} SPIs.
 */
package org.carbonio.smtp.abuse;
