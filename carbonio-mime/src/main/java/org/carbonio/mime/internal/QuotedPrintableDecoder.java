package org.carbonio.mime.internal;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Lenient quoted-printable (RFC 2045 §6.7). {@code =XX} with hex digits of either case is the octet
 * XX; {@code =} followed by optional blanks and a line end (CRLF or LF) or the end of the data is a
 * soft line break and vanishes; any other {@code =} is passed through literally; blanks (space,
 * tab) before a line end or the end of the data are removed (rule 3). Line ends themselves are kept
 * as they are (CRLF or LF). The output is never longer than the input. Not thread-safe.
 *
 * <p>{@link #next()} applies the rules one octet at a time and is the reference. {@link
 * #read(byte[], int, int)} finds the next octet that may need a rule eight octets at a time (SWAR
 * over {@link ByteBuffer#getLong(int)}), copies the run before it in bulk, decodes {@code =XX} and
 * plain soft line breaks itself and leaves the rest to {@link #next()}: decoding the corpus octet
 * by octet took about 2.5 times as long.
 */
final class QuotedPrintableDecoder extends BufferDecoder {

  private static final int[] HEX = new int[256]; // hex digit value of either case, else -1

  static {
    for (int c = 0; c < 256; c++) {
      HEX[c] = Character.digit(c, 16) >= 0 && c < 0x80 ? Character.digit(c, 16) : -1;
    }
  }

  private int keptBlanksEnd; // blanks before this offset are known not to be trailing

  QuotedPrintableDecoder(ByteBuffer in, int start, int end) {
    super(in, start, end);
  }

  /** The octet at {@code i}, {@code pos <= i < end}. */
  private byte at(int i) {
    return in.get(i);
  }

  @Override
  public int read(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    int o = off;
    int outEnd = off + len;
    while (o < outEnd && pos < end) {
      if (in.get(pos) == '=') {
        // the two common escapes without a detour: =XX and a soft line break ("=" LF, "=" CRLF)
        if (pos + 2 < end) {
          int hi = hex(in.get(pos + 1));
          int lo = hex(in.get(pos + 2));
          if ((hi | lo) >= 0) {
            b[o++] = (byte) (hi << 4 | lo);
            pos += 3;
            continue;
          }
          byte c1 = in.get(pos + 1);
          if (c1 == '\n') {
            pos += 2; // RFC 2045 §6.7 rule 5
            continue;
          }
          if (c1 == '\r' && in.get(pos + 2) == '\n') {
            pos += 3;
            continue;
          }
        }
      } else {
        // the octets before the next one that may need a rule decode to themselves: bulk copy
        int stop = (int) Math.min(end, (long) pos + (outEnd - o));
        int special = nextSpecial(pos, stop);
        if (special > pos) {
          Bytes.copy(in, pos, b, o, special - pos);
          o += special - pos;
          pos = special;
          continue;
        }
      }
      int c = next(); // anything else: the octet-by-octet rules
      if (c < 0) {
        break;
      }
      b[o++] = (byte) c;
    }
    int n = o - off;
    return n == 0 ? -1 : n;
  }

  /**
   * The first offset in {@code [from, to)} holding an octet that may not decode to itself: an
   * {@code =}, or a blank followed by an octet below 0x21 (a blank, CR, LF: perhaps trailing white
   * space, rule 3) or by the end of the data; {@code to} when there is none. A blank followed by
   * anything else is kept as it is. Tests eight octets at a time.
   */
  private int nextSpecial(int from, int to) {
    int i = from;
    for (; i + 9 <= end && i + 8 <= to; i += 8) {
      long x = in.getLong(i);
      long m = Bytes.lanes(x, (byte) '=');
      long blanks = Bytes.lanes(x, (byte) ' ') | Bytes.lanes(x, (byte) '\t');
      if (blanks != 0) {
        // octets below 0x21 (blanks, CR, LF and other controls) right after a blank: a few
        // blanks followed by another control octet go the slow way, which decides right
        m |= blanks & Bytes.lanesBelow(in.getLong(i + 1), 0x21);
      }
      if (m != 0) {
        return i + Bytes.firstLane(in, m);
      }
    }
    for (; i < to; i++) {
      byte c = in.get(i);
      if (c == '=') {
        return i;
      }
      if (c == ' ' || c == '\t') {
        if (i + 1 == end) {
          return i;
        }
        byte d = in.get(i + 1);
        if (d == ' ' || d == '\t' || d == '\r' || d == '\n') {
          return i;
        }
      }
    }
    return to;
  }

  @Override
  int next() {
    while (pos < end) {
      int c = in.get(pos) & 0xff;
      if (c == '=') {
        if (pos + 2 < end) {
          int hi = hex(in.get(pos + 1));
          int lo = hex(in.get(pos + 2));
          if (hi >= 0 && lo >= 0) {
            pos += 3;
            return hi << 4 | lo;
          }
        }
        int after = skipBlanks(pos + 1);
        int eol = lineEndLength(after);
        if (eol >= 0) {
          pos = after + eol; // RFC 2045 §6.7 rule 5: soft line break
          continue;
        }
        pos++;
        return '='; // malformed: passed through literally
      }
      if ((c == ' ' || c == '\t') && pos >= keptBlanksEnd) {
        int after = skipBlanks(pos);
        if (lineEndLength(after) >= 0) {
          pos = after; // RFC 2045 §6.7 rule 3: trailing white space is deleted
          continue;
        }
        keptBlanksEnd = after; // not trailing: each blank of the run is kept without rescanning
        pos++;
        return c;
      }
      pos++;
      return c;
    }
    return -1;
  }

  private int skipBlanks(int i) {
    while (i < end && (at(i) == ' ' || at(i) == '\t')) {
      i++;
    }
    return i;
  }

  /** Length of the line end at i (0 at the end of the data), or -1 when there is none. */
  private int lineEndLength(int i) {
    if (i == end) {
      return 0;
    }
    if (at(i) == '\n') {
      return 1;
    }
    if (at(i) == '\r' && i + 1 < end && at(i + 1) == '\n') {
      return 2;
    }
    return -1;
  }

  private static int hex(byte b) {
    return HEX[b & 0xff];
  }
}
