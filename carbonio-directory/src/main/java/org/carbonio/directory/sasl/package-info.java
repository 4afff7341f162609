/**
 * Server sides of the SASL mechanisms PLAIN (RFC 4616), LOGIN and SCRAM-SHA-256 (RFC 5802, RFC
 * 7677), sans-IO, for protocol modules (IMAP AUTHENTICATE, SMTP AUTH, ...).
 *
 * <p>A protocol module creates one {@link org.carbonio.directory.sasl.SaslMechanism} per
 * authentication exchange, feeds it each decoded client response and acts on the {@link
 * org.carbonio.directory.sasl.SaslResult}: send a {@code Challenge}, check the password of a {@code
 * CheckPassword} against the directory, accept a {@code Success}, refuse a {@code Failure}. Base64
 * framing, the client's "*" cancellation and timeouts belong to the transport.
 *
 * {@snippet :
 * SaslMechanism m = new ScramSha256Mechanism(directoryLookup, serverSecret);
 * SaslResult r = m.evaluate(clientFirst);              // Challenge: server-first
 * r = m.evaluate(clientFinal);                         // Success or Failure
 * if (r instanceof SaslResult.Success s) {
 *   // send s.additionalData() (server-final "v=..."), then the protocol's OK
 * }
 * }
 *
 * <p>{@link org.carbonio.directory.sasl.ScramCredentials} is what the directory stores per account
 * for SCRAM (derived once from the password when it is set).
 */
package org.carbonio.directory.sasl;
