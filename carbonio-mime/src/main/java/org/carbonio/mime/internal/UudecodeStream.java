package org.carbonio.mime.internal;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Decodes uuencoded lines in a range of a buffer (read by absolute index), one line at a time. Each
 * line is a length character ({@code ' ' + n}, n bytes, with {@code '`'} for 0) and then characters
 * {@code ' ' + v} carrying 6 bits each ({@code '`'} for 0). Lines with characters outside {@code '
 * '..'`'}, or too short to carry their length, are skipped; missing trailing characters that carry
 * no data (blanks stripped by a mailer) are taken as 0; characters past the length are ignored. Not
 * thread-safe.
 */
public final class UudecodeStream extends BufferDecoder {

  private final byte[] line = new byte[64];
  private int lineLen;
  private int linePos;

  /** Decodes {@code in[start, end)}; the array is read in place, not copied. */
  public UudecodeStream(byte[] in, int start, int end) {
    this(ByteBuffer.wrap(in), start, end);
  }

  /** Decodes {@code [start, end)} of {@code in} by absolute index, in place. */
  public UudecodeStream(ByteBuffer in, int start, int end) {
    super(in, start, end);
    Objects.checkFromToIndex(start, end, in.limit());
  }

  @Override
  int next() {
    while (linePos == lineLen) {
      if (pos >= end) {
        return -1;
      }
      decodeNextLine();
    }
    return line[linePos++] & 0xff;
  }

  private void decodeNextLine() {
    int start = pos;
    int lf = Bytes.indexOf(in, (byte) '\n', start, end);
    int e = lf < 0 ? end : lf;
    pos = e < end ? e + 1 : end;
    if (e > start && in.get(e - 1) == '\r') {
      e--;
    }
    lineLen = 0;
    linePos = 0;
    if (e == start) {
      return;
    }
    int n = value(in.get(start));
    if (n <= 0) {
      return; // zero length (the last data line) or a bad length character
    }
    int chars = e - start - 1;
    int needed = (n * 4 + 2) / 3; // characters that carry the n bytes' bits
    if (chars < needed) {
      return; // too short: skipped
    }
    for (int i = start + 1; i < e; i++) {
      if (value(in.get(i)) < 0) {
        return; // not uuencode: skipped
      }
    }
    int out = 0;
    for (int q = start + 1; out < n; q += 4) {
      int v = 0;
      for (int k = 0; k < 4; k++) {
        int idx = q + k;
        v = v << 6 | (idx < e ? value(in.get(idx)) : 0);
      }
      for (int k = 2; k >= 0 && out < n; k--) {
        line[out++] = (byte) (v >>> (8 * k));
      }
    }
    lineLen = n;
  }

  /** The 6-bit value of a uuencode character, or -1 outside {@code ' '..'`'}. */
  private static int value(byte b) {
    return b >= ' ' && b <= '`' ? (b - ' ') & 0x3f : -1;
  }
}
