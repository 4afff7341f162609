package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.carbonio.mime.internal.Bytes;

/**
 * Finds uuencoded blocks (the {@code begin}/{@code end} format of POSIX uuencode, historical
 * encoding) inside text bodies, where old mailers put attachments. Stateless and thread-safe.
 *
 * <p>A block starts with a line {@code begin MODE NAME} at the start of a line (MODE is 1 to 6
 * octal digits, NAME is not empty) and ends with a line {@code end}, at the next {@code begin}
 * line, or at the end of the text. The base64 form ({@code begin-base64}) is not recognised.
 */
public final class Uuencode {

  private Uuencode() {}

  /**
   * The uuencoded blocks in {@code textBody}, a range of {@code message} holding text as stored
   * (7bit or 8bit: the caller decodes other transfer encodings first), in order. Never throws on
   * any content.
   *
   * @throws IllegalArgumentException when the range lies outside the message
   */
  public static List<UuencodedBlock> find(byte[] message, ByteRange textBody) {
    requireNonNull(message, "message");
    return find(ByteBuffer.wrap(message), textBody);
  }

  /**
   * {@link #find(byte[], ByteRange)} over a buffer, read by absolute index (its position is ignored
   * and never changed). The blocks keep the buffer to decode from.
   *
   * @throws IllegalArgumentException when the range lies outside the message
   */
  public static List<UuencodedBlock> find(ByteBuffer message, ByteRange textBody) {
    requireNonNull(message, "message");
    requireNonNull(textBody, "textBody");
    if (textBody.end() > message.limit()) {
      throw new IllegalArgumentException("range " + textBody + " lies outside the message");
    }
    List<UuencodedBlock> blocks = new ArrayList<>();
    int end = textBody.end();
    int line = textBody.start();
    while (line < end) {
      int next = nextLine(message, line, end);
      Begin b = begin(message, line, contentEnd(message, line, next));
      if (b == null) {
        line = next;
        continue;
      }
      int dataStart = next;
      int dataEnd = end;
      int blockEnd = end;
      int l = next;
      while (l < end) {
        int n = nextLine(message, l, end);
        int ce = contentEnd(message, l, n);
        if (isEnd(message, l, ce)) {
          dataEnd = l;
          blockEnd = n;
          break;
        }
        if (begin(message, l, ce) != null) {
          dataEnd = l;
          blockEnd = l;
          break;
        }
        l = n;
      }
      blocks.add(
          new UuencodedBlock(
              message,
              new ByteRange(line, blockEnd),
              new ByteRange(dataStart, dataEnd),
              b.mode,
              b.name));
      line = blockEnd;
    }
    return List.copyOf(blocks);
  }

  private record Begin(int mode, String name) {}

  /** Parses {@code begin MODE NAME} in [from, to), or null. */
  private static Begin begin(ByteBuffer m, int from, int to) {
    byte[] kw = {'b', 'e', 'g', 'i', 'n', ' '};
    if (to - from < kw.length + 1) {
      return null;
    }
    for (int i = 0; i < kw.length; i++) {
      if (m.get(from + i) != kw[i]) {
        return null;
      }
    }
    int i = from + kw.length;
    int mode = 0;
    int digits = 0;
    while (i < to && m.get(i) >= '0' && m.get(i) <= '7' && digits < 7) {
      mode = mode * 8 + (m.get(i) - '0');
      digits++;
      i++;
    }
    if (digits == 0 || digits > 6 || (i < to && m.get(i) != ' ' && m.get(i) != '\t')) {
      return null;
    }
    int s = i;
    int e = to;
    while (s < e && (m.get(s) == ' ' || m.get(s) == '\t')) {
      s++;
    }
    while (e > s && (m.get(e - 1) == ' ' || m.get(e - 1) == '\t')) {
      e--;
    }
    if (s == e) {
      return null; // POSIX: "begin mode name"; a name is required, which also spares prose
    }
    return new Begin(mode, Bytes.latin1(m, s, e));
  }

  /** True for a line that is {@code end}, allowing trailing blanks. */
  private static boolean isEnd(ByteBuffer m, int from, int to) {
    while (to > from && (m.get(to - 1) == ' ' || m.get(to - 1) == '\t')) {
      to--;
    }
    return to - from == 3 && m.get(from) == 'e' && m.get(from + 1) == 'n' && m.get(from + 2) == 'd';
  }

  /** Start of the line after the one at {@code from} (past its LF), or {@code end}. */
  static int nextLine(ByteBuffer m, int from, int end) {
    int lf = Bytes.indexOf(m, (byte) '\n', from, end);
    return lf < 0 ? end : lf + 1;
  }

  /** End of the line's content: before its LF and a CR before that. */
  static int contentEnd(ByteBuffer m, int from, int next) {
    int e = next;
    if (e > from && m.get(e - 1) == '\n') {
      e--;
    }
    if (e > from && m.get(e - 1) == '\r') {
      e--;
    }
    return e;
  }
}
