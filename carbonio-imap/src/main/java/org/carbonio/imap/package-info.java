/**
 * Embeddable IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501) server: {@link
 * org.carbonio.imap.ImapServer} with its builder and {@link org.carbonio.imap.ImapLimits}. Storage
 * and authentication come from the {@code spi} package.
 */
package org.carbonio.imap;
