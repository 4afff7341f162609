/**
 * The POP3 engine, sans-IO (experimental until 1.0): {@link
 * org.carbonio.imap.pop3.protocol.Pop3Decoder} frames lines into {@link
 * org.carbonio.imap.pop3.protocol.Pop3Command}s, {@link
 * org.carbonio.imap.pop3.protocol.Pop3Session} runs them over the IMAP storage SPI ({@code
 * org.carbonio.imap.spi}, the user's INBOX is the maildrop) and returns {@link
 * org.carbonio.imap.pop3.protocol.Pop3Reply} values, which {@link
 * org.carbonio.imap.pop3.protocol.Pop3Encoder} writes (CRLF line ends, byte-stuffing). Nothing here
 * does I/O, starts threads or reads a clock other than the one it is given.
 */
package org.carbonio.imap.pop3.protocol;
