package org.carbonio.smtp;

/**
 * How strictly the engine reads what clients send. Immutable.
 *
 * <p>{@link #LENIENT} is the default (Postel): it accepts a bare LF as a line ending, normalises a
 * bare LF inside DATA to CRLF (like Postfix {@code smtpd_forbid_bare_newline = normalize}), accepts
 * {@code MAIL FROM: <a@b>} with a space after the colon and a path without angle brackets. {@link
 * #STRICT} follows RFC 5321 to the letter: a bare LF (or bare CR) in a command is a syntax error
 * and a message containing one is refused with {@code 550 5.6.0} once its DATA has been read (RFC
 * 5321 §2.3.8).
 *
 * <p>Both modes recognise the end of DATA only at {@code <CRLF>.<CRLF>}, never at {@code <LF>.<LF>}
 * or {@code <LF>.<CRLF>}: this defeats SMTP smuggling.
 */
public enum Compliance {
  /** RFC 5321 as written; bare CR or LF is refused. */
  STRICT,
  /** The default: accept common client mistakes when their meaning is unambiguous. */
  LENIENT
}
