package org.carbonio.mime.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
      byte c = b.get(pos);
      if (c == '\n' || (c == '\r' && pos + 1 < end && b.get(pos + 1) == '\n')) {
        break; // the blank line
      }
      Field f = fieldAt(b, pos, end);
      out.add(f);
      pos = f.end();
    }
    return out;
  }

  /**
   * The field that starts at the line start {@code fieldStart} (not a blank line) of a header block
   * ending at {@code end}: its first line and the continuation lines after it.
   */
  public static Field fieldAt(ByteBuffer b, int fieldStart, int end) {
    int le = lineEnd(b, fieldStart, end);
    int pos = le;
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
    return new Field(fieldStart, colon, pos);
  }

  /** {@link #fields(ByteBuffer, int, int, int)} over an array. */
  public static List<Field> fields(byte[] b, int start, int end, int maxBytes) {
    return fields(ByteBuffer.wrap(b), start, end, maxBytes);
  }

  /** Field name in lower case (trailing whitespace removed), or null when there is no colon. */
  public static String name(ByteBuffer b, Field f) {
    int e = nameEnd(b, f);
    return e < 0 ? null : Bytes.latin1(b, f.start(), e).toLowerCase(Locale.ROOT);
  }

  /** {@link #name(ByteBuffer, Field)} over an array. */
  public static String name(byte[] b, Field f) {
    return name(ByteBuffer.wrap(b), f);
  }

  /**
   * True when the field's name is {@code lowerName}, a lower-case ASCII name: what {@code
   * lowerName.equals(name(b, f))} says, without making a string.
   */
  public static boolean nameIs(ByteBuffer b, Field f, String lowerName) {
    int e = nameEnd(b, f);
    int n = lowerName.length();
    if (e - f.start() != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      // only ASCII letters lower-case to ASCII letters, so the ASCII case fold is exact here
      int c = b.get(f.start() + i);
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lowerName.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The length of the field's name (trailing blanks removed), or -1 when it has no colon. */
  public static int nameLength(ByteBuffer b, Field f) {
    int e = nameEnd(b, f);
    return e < 0 ? -1 : e - f.start();
  }

  /** True when the field's name starts with {@code lowerPrefix}, lower-case ASCII. */
  public static boolean nameStartsWith(ByteBuffer b, Field f, String lowerPrefix) {
    int e = nameEnd(b, f);
    int n = lowerPrefix.length();
    if (e - f.start() < n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      int c = b.get(f.start() + i);
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lowerPrefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The end of the name (trailing blanks removed), or -1 when the field has no colon. */
  private static int nameEnd(ByteBuffer b, Field f) {
    int e = f.colon();
    if (e < 0) {
      return -1;
    }
    while (e > f.start() && isWsp(b.get(e - 1))) {
      e--;
    }
    return e;
  }

  /**
   * Unfolded value of a field as a byte string (one char per octet, ISO-8859-1): CR and LF removed
   * (RFC 5322 §2.2.3), leading and trailing whitespace trimmed.
   */
  public static String value(ByteBuffer b, Field f) {
    if (f.colon() < 0) {
      return "";
    }
    // trim blanks, CR and LF at both ends (CR and LF go anyway), then drop those inside
    int from = f.colon() + 1;
    int to = f.end();
    while (from < to && isWspOrLineEnd(b.get(from))) {
      from++;
    }
    while (to > from && isWspOrLineEnd(b.get(to - 1))) {
      to--;
    }
    if (Bytes.indexOfLineBreak(b, from, to) < 0) {
      return Bytes.latin1(b, from, to); // one line: the common case
    }
    byte[] out = new byte[to - from];
    int n = 0;
    for (int i = from; i < to; i++) {
      byte c = b.get(i);
      if (c != '\r' && c != '\n') {
        out[n++] = c;
      }
    }
    return new String(out, 0, n, StandardCharsets.ISO_8859_1);
  }

  /** {@link #value(ByteBuffer, Field)} over an array. */
  public static String value(byte[] b, Field f) {
    return value(ByteBuffer.wrap(b), f);
  }

  private static boolean isWspOrLineEnd(byte c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  private static boolean isWsp(byte c) {
    return c == ' ' || c == '\t';
  }
}
