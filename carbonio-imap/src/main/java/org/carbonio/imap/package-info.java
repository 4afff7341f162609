/**
 * Embeddable IMAP4rev1 server: {@link org.carbonio.imap.ImapServer} with its builder and {@link
 * org.carbonio.imap.ImapLimits}. Storage and authentication come from the {@code spi} package.
 */
package org.carbonio.imap;
