package org.carbonio.imap.pop3.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Push decoder of POP3 command lines: frames lines ended by CRLF (a bare LF is accepted too,
 * lenient), decodes them as UTF-8 and parses each with {@link Pop3Command#parse}, or passes it as a
 * {@link Pop3Command.SaslResponse} after {@link #expectSaslResponse()}. It never rescans bytes
 * already seen and never throws on input: running out of bytes is {@link Pop3Decoded.NeedMore}, a
 * line over the limit is {@link Pop3Decoded.TooLong}.
 *
 * <p>Not thread-safe: confine to one connection.
 */
public final class Pop3Decoder {
  private enum State {
    LINE,
    SKIP
  }

  private final int maxLineLength;
  private byte[] buf = new byte[64];
  private int len;
  private State state = State.LINE;
  private boolean saslResponse;

  /**
   * @param maxLineLength longest line accepted, in octets including the line end (RFC 2449 §4
   *     requires 255 at least)
   */
  public Pop3Decoder(int maxLineLength) {
    if (maxLineLength < 255) throw new IllegalArgumentException("maxLineLength " + maxLineLength);
    this.maxLineLength = maxLineLength;
  }

  /** The next complete line is a SASL response (RFC 5034 §4), not a command. */
  public void expectSaslResponse() {
    saslResponse = true;
  }

  /** Consumes bytes from {@code in} up to and including the end of one line at most. */
  public Pop3Decoded decode(ByteBuffer in) {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (state == State.SKIP) {
        if (b == '\n') {
          state = State.LINE;
          len = 0;
        }
        continue;
      }
      if (b == '\n') {
        int end = len > 0 && buf[len - 1] == '\r' ? len - 1 : len;
        String line = new String(buf, 0, end, StandardCharsets.UTF_8);
        len = 0;
        if (buf.length > 1024) buf = new byte[64]; // do not keep a long line's buffer
        if (saslResponse) {
          saslResponse = false;
          return new Pop3Decoded.Command(new Pop3Command.SaslResponse(line));
        }
        return new Pop3Decoded.Command(Pop3Command.parse(line));
      }
      // the line end counts: the CR is kept in buf, room is left for the LF
      if (len + 1 >= maxLineLength) {
        state = State.SKIP;
        len = 0;
        saslResponse = false;
        return new Pop3Decoded.TooLong(maxLineLength);
      }
      if (len == buf.length) buf = Arrays.copyOf(buf, Math.min(buf.length * 2, maxLineLength));
      buf[len++] = b;
    }
    return new Pop3Decoded.NeedMore();
  }
}
