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
 * <p>The input is read through a window copied in bulk from the buffer: one {@code get(i)} per
 * octet (with look-ahead) made decoding half again as slow as over a {@code byte[]}. {@link
 * #read(byte[], int, int)} copies runs of plain octets (anything but {@code =}, space and tab)
 * straight from the window and leaves only the others to {@link #next()}.
 */
final class QuotedPrintableDecoder extends BufferDecoder {

  private static final int WINDOW = 8192;

  private int keptBlanksEnd; // blanks before this offset are known not to be trailing
  private final byte[] window; // in[windowStart, windowStart + windowLength)
  private int windowStart;
  private int windowLength;

  QuotedPrintableDecoder(ByteBuffer in, int start, int end) {
    super(in, start, end);
    this.window = new byte[Math.min(WINDOW, end - start)];
    this.windowStart = start;
  }

  /** The octet at {@code i}, {@code pos <= i < end}. */
  private byte at(int i) {
    int k = i - windowStart;
    if (k >= 0 && k < windowLength) {
      return window[k];
    }
    if (i - pos >= window.length) {
      return in.get(i); // look-ahead past a whole window (a very long run of blanks)
    }
    slide();
    return window[i - pos];
  }

  /** Moves the window to start at pos: every access is at pos or after it. */
  private void slide() {
    windowStart = pos;
    windowLength = Math.min(window.length, end - pos);
    in.get(pos, window, 0, windowLength);
  }

  @Override
  public int read(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    int n = 0;
    while (n < len && pos < end) {
      if (pos - windowStart >= windowLength) {
        slide();
      }
      // a plain octet decodes to itself: copy the run of them up to the next '=' or blank
      byte[] w = window;
      int k = pos - windowStart;
      int stop = Math.min(windowLength, k + len - n);
      int run = k;
      while (run < stop) {
        byte c = w[run];
        if (c == '=' || c == ' ' || c == '\t') {
          break;
        }
        run++;
      }
      System.arraycopy(w, k, b, off + n, run - k);
      n += run - k;
      pos += run - k;
      if (run < stop) {
        int c = next(); // '=' or a blank: the octet-by-octet rules
        if (c < 0) {
          break;
        }
        b[off + n++] = (byte) c;
      }
    }
    return n == 0 ? -1 : n;
  }

  @Override
  int next() {
    while (pos < end) {
      if (pos + 3 > windowStart + windowLength && windowStart + windowLength < end) {
        slide(); // the window now holds [pos, pos + 3) or up to the end
      }
      byte[] w = window;
      int k = pos - windowStart;
      int c = w[k] & 0xff;
      if (c == '=') {
        if (pos + 2 < end) {
          int hi = hex(w[k + 1]);
          int lo = hex(w[k + 2]);
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
    return Character.digit(b, 16); // b < 0 (8-bit octets) gives -1
  }
}
