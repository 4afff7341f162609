/**
 * The sans-IO IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501) engine: {@link
 * org.carbonio.imap.protocol.ImapDecoder} turns bytes into {@link
 * org.carbonio.imap.protocol.ImapCommand} values, {@link org.carbonio.imap.protocol.ImapSession}
 * turns commands into {@link org.carbonio.imap.protocol.ImapResponse} values over the SPI, and
 * {@link org.carbonio.imap.protocol.ImapEncoder} writes responses. Nothing here touches sockets,
 * threads, clocks or logs. Experimental until 1.0.
 */
package org.carbonio.imap.protocol;
