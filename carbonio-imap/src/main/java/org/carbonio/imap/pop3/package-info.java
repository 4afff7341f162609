/**
 * A POP3 server (RFC 1939 with CAPA, UIDL, TOP, STLS, SASL, RESP-CODES) over the same storage SPI
 * as the IMAP server ({@code org.carbonio.imap.spi}): {@link org.carbonio.imap.pop3.Pop3Server} and
 * {@link org.carbonio.imap.pop3.Pop3Limits}. An embedder plugs one {@code MailboxBackend} and one
 * {@code ImapAuthenticator} into both; the POP3 maildrop is the user's INBOX.
 */
package org.carbonio.imap.pop3;
