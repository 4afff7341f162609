package org.carbonio.smtp.outbound;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the replies of an SMTP server (RFC 5321 §4.2): {@code NNN-text} lines continue a reply,
 * {@code NNN text} (or a bare {@code NNN}) ends it. Sans-IO, push-based, and bounded: a line longer
 * than {@code maxLineLength} or a reply of more than {@code maxLines} lines is {@link Bad}, after
 * which the caller closes the connection. Not thread-safe: one per connection.
 *
 * <p>Lenient where servers are sloppy: a bare LF ends a line, and a continuation line with another
 * code keeps the first line's code. Bytes are read as UTF-8 (RFC 6531 allows it in replies).
 */
final class ReplyDecoder {

  /** The result of one {@link #decode} call. */
  sealed interface Result {}

  /** A complete reply. */
  record Done(Reply reply) implements Result {}

  /** More bytes are needed. */
  record NeedMore() implements Result {}

  /** The server broke the syntax or a limit. */
  record Bad(String reason) implements Result {}

  private static final NeedMore NEED_MORE = new NeedMore();

  private enum State {
    LINE,
    CR
  }

  private final int maxLineLength;
  private final int maxLines;
  private final byte[] line;
  private int length;
  private State state = State.LINE;
  private final List<String> lines = new ArrayList<>();
  private int code = -1;

  /**
   * @param maxLineLength the longest line, CRLF excluded (RFC 5321 §4.5.3.1.5 says 512 octets)
   * @param maxLines the most lines in one reply
   */
  ReplyDecoder(int maxLineLength, int maxLines) {
    if (maxLineLength < 3 || maxLines < 1) {
      throw new IllegalArgumentException("limits " + maxLineLength + ", " + maxLines);
    }
    this.maxLineLength = maxLineLength;
    this.maxLines = maxLines;
    this.line = new byte[maxLineLength];
  }

  /** True when no partial reply is buffered. */
  boolean idle() {
    return length == 0 && lines.isEmpty() && state == State.LINE;
  }

  /**
   * Consumes bytes of {@code in} up to the end of one reply, or all of them. Never throws on input.
   */
  Result decode(ByteBuffer in) {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (b == '\n') {
        state = State.LINE;
        Result r = endLine();
        if (r != null) {
          return r;
        }
        continue;
      }
      if (state == State.CR) {
        // a CR not followed by LF: keep it as text
        if (!append((byte) '\r')) {
          return new Bad("reply line longer than " + maxLineLength);
        }
        state = State.LINE;
      }
      if (b == '\r') {
        state = State.CR;
        continue;
      }
      if (!append(b)) {
        return new Bad("reply line longer than " + maxLineLength);
      }
    }
    return NEED_MORE;
  }

  private boolean append(byte b) {
    if (length == maxLineLength) {
      return false;
    }
    line[length++] = b;
    return true;
  }

  private Result endLine() {
    int n = length;
    length = 0;
    if (n < 3
        || !digit(line[0], '2', '5')
        || !digit(line[1], '0', '9')
        || !digit(line[2], '0', '9')) {
      return reset(new Bad("malformed reply line"));
    }
    if (n > 3 && line[3] != ' ' && line[3] != '-') {
      return reset(new Bad("malformed reply line"));
    }
    int lineCode = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (code < 0) {
      code = lineCode;
    }
    String text = n > 4 ? new String(line, 4, n - 4, StandardCharsets.UTF_8) : "";
    lines.add(text);
    boolean more = n > 3 && line[3] == '-';
    if (!more) {
      Reply reply = Reply.of(code, lines);
      reset(null);
      return new Done(reply);
    }
    if (lines.size() >= maxLines) {
      return reset(new Bad("reply longer than " + maxLines + " lines"));
    }
    return null;
  }

  private Result reset(Result r) {
    lines.clear();
    code = -1;
    length = 0;
    return r;
  }

  private static boolean digit(byte b, char lo, char hi) {
    return b >= lo && b <= hi;
  }
}
