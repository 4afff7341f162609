package org.carbonio.mime.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scans the fields of a raw header block. Offsets are absolute indices into the buffer (its
 * position is ignored). The {@code byte[]} methods wrap the array and delegate. Thread-safe
 * (stateless).
 */
public final class RawHeader {

  /**
   * One header field: {@code [start, end)} covers the field name, its value, its continuation lines
   * and their line endings. {@code colon} is the offset of the ':' or -1 when the line has none.
   *
   * @param start first byte of the field
   * @param colon offset of the colon, or -1
   * @param end offset after the last line ending of the field
   */
  public record Field(int start, int colon, int end) {}

  private RawHeader() {}

  /** Offset just after the line starting at {@code pos} (after its LF), or {@code end}. */
  public static int lineEnd(ByteBuffer b, int pos, int end) {
    int lf = Bytes.indexOf(b, (byte) '\n', pos, end);
    return lf < 0 ? end : lf + 1;
  }

  /** {@link #lineEnd(ByteBuffer, int, int)} over an array. */
  public static int lineEnd(byte[] b, int pos, int end) {
    return lineEnd(ByteBuffer.wrap(b), pos, end);
  }

  /** True when the line {@code [pos, lineEnd)} holds only a line ending. */
  public static boolean isBlankLine(ByteBuffer b, int pos, int lineEnd) {
    int len = lineEnd - pos;
    return (len == 1 && b.get(pos) == '\n')
        || (len == 2 && b.get(pos) == '\r' && b.get(pos + 1) == '\n');
  }

  /** {@link #isBlankLine(ByteBuffer, int, int)} over an array. */
  public static boolean isBlankLine(byte[] b, int pos, int lineEnd) {
    return isBlankLine(ByteBuffer.wrap(b), pos, lineEnd);
  }

  /**
   * The fields of the header block in {@code [start, end)}, stopping at the blank line that ends
   * the header (RFC 5322 §2.1), at {@code end}, or once {@code maxBytes} bytes were scanned.
   */
  public static List<Field> fields(ByteBuffer b, int start, int end, int maxBytes) {
    List<Field> out = new ArrayList<>();
    int limit = (int) Math.min(end, (long) start + maxBytes);
    int pos = start;
    while (pos < limit) {
      int le = lineEnd(b, pos, end);
      if (isBlankLine(b, pos, le)) {
        break;
      }
      int fieldStart = pos;
      pos = le;
      // RFC 5322 §2.2.3: continuation lines start with WSP
      while (pos < end && isWsp(b.get(pos))) {
        pos = lineEnd(b, pos, end);
      }
      int colon = -1;
      for (int i = fieldStart; i < le; i++) {
        byte c = b.get(i);
        if (c == ':') {
          colon = i;
          break;
        }
        if (c == '\n') {
          break;
        }
      }
      out.add(new Field(fieldStart, colon, pos));
    }
    return out;
  }

  /** {@link #fields(ByteBuffer, int, int, int)} over an array. */
  public static List<Field> fields(byte[] b, int start, int end, int maxBytes) {
    return fields(ByteBuffer.wrap(b), start, end, maxBytes);
  }

  /** Field name in lower case (trailing whitespace removed), or null when there is no colon. */
  public static String name(ByteBuffer b, Field f) {
    if (f.colon() < 0) {
      return null;
    }
    int e = f.colon();
    while (e > f.start() && isWsp(b.get(e - 1))) {
      e--;
    }
    return Bytes.latin1(b, f.start(), e).toLowerCase(Locale.ROOT);
  }

  /** {@link #name(ByteBuffer, Field)} over an array. */
  public static String name(byte[] b, Field f) {
    return name(ByteBuffer.wrap(b), f);
  }

  /**
   * Unfolded value of a field as a byte string (one char per octet, ISO-8859-1): CR and LF removed
   * (RFC 5322 §2.2.3), leading and trailing whitespace trimmed.
   */
  public static String value(ByteBuffer b, Field f) {
    if (f.colon() < 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder(f.end() - f.colon());
    for (int i = f.colon() + 1; i < f.end(); i++) {
      byte c = b.get(i);
      if (c != '\r' && c != '\n') {
        sb.append((char) (c & 0xff));
      }
    }
    return trimWsp(sb);
  }

  /** {@link #value(ByteBuffer, Field)} over an array. */
  public static String value(byte[] b, Field f) {
    return value(ByteBuffer.wrap(b), f);
  }

  private static String trimWsp(CharSequence s) {
    int a = 0;
    int z = s.length();
    while (a < z && isWsp(s.charAt(a))) {
      a++;
    }
    while (z > a && isWsp(s.charAt(z - 1))) {
      z--;
    }
    return s.subSequence(a, z).toString();
  }

  private static boolean isWsp(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isWsp(byte c) {
    return c == ' ' || c == '\t';
  }
}
