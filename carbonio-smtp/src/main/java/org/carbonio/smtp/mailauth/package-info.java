/**
 * Authentication of mail: SPF (RFC 7208), DKIM signing and verification (RFC 6376, RFC 8463
 * Ed25519), DMARC (RFC 7489), ARC verification (RFC 8617) and the Authentication-Results header
 * (RFC 8601). {@link org.carbonio.smtp.mailauth.MailAuthenticator} runs them all for a received
 * message; {@link org.carbonio.smtp.mailauth.DkimSigner} signs outgoing mail; {@link
 * org.carbonio.smtp.mailauth.DkimKeys} makes keys and the TXT records to publish. All DNS goes
 * through {@link org.carbonio.smtp.dns.DnsResolver}.
 */
package org.carbonio.smtp.mailauth;
