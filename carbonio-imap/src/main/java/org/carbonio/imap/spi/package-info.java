/**
 * What an embedder implements to serve IMAP: {@link org.carbonio.imap.spi.ImapAuthenticator} and
 * {@link org.carbonio.imap.spi.MailboxBackend}. Storage-neutral: mailbox names are Unicode strings
 * with {@code "/"} as hierarchy delimiter, messages are addressed by UID, flags are strings such as
 * {@code "\\Seen"} or keywords.
 */
package org.carbonio.imap.spi;
