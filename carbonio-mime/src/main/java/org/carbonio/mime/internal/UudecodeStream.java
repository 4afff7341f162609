package org.carbonio.mime.internal;

import java.io.InputStream;
import java.util.Objects;

/**
 * Decodes uuencoded lines in a range of an array, one line at a time. Each line is a length
 * character ({@code ' ' + n}, n bytes, with {@code '`'} for 0) and then characters {@code ' ' + v}
 * carrying 6 bits each ({@code '`'} for 0). Lines with characters outside {@code ' '..'`'}, or too
 * short to carry their length, are skipped; missing trailing characters that carry no data (blanks
 * stripped by a mailer) are taken as 0; characters past the length are ignored. Not thread-safe.
 */
public final class UudecodeStream extends InputStream {

  private final byte[] in;
  private int pos;
  private final int end;
  private final byte[] line = new byte[64];
  private int lineLen;
  private int linePos;

  public UudecodeStream(byte[] in, int start, int end) {
    Objects.checkFromToIndex(start, end, in.length);
    this.in = in;
    this.pos = start;
    this.end = end;
  }

  @Override
  public int read() {
    while (linePos == lineLen) {
      if (pos >= end) {
        return -1;
      }
      decodeNextLine();
    }
    return line[linePos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    int n = 0;
    while (n < len) {
      int c = read();
      if (c < 0) {
        break;
      }
      b[off + n++] = (byte) c;
    }
    return n == 0 ? -1 : n;
  }

  private void decodeNextLine() {
    int start = pos;
    int e = start;
    while (e < end && in[e] != '\n') {
      e++;
    }
    pos = e < end ? e + 1 : end;
    if (e > start && in[e - 1] == '\r') {
      e--;
    }
    lineLen = 0;
    linePos = 0;
    if (e == start) {
      return;
    }
    int n = value(in[start]);
    if (n <= 0) {
      return; // zero length (the last data line) or a bad length character
    }
    int chars = e - start - 1;
    int needed = (n * 4 + 2) / 3; // characters that carry the n bytes' bits
    if (chars < needed) {
      return; // too short: skipped
    }
    for (int i = start + 1; i < e; i++) {
      if (value(in[i]) < 0) {
        return; // not uuencode: skipped
      }
    }
    int out = 0;
    for (int q = start + 1; out < n; q += 4) {
      int v = 0;
      for (int k = 0; k < 4; k++) {
        int idx = q + k;
        v = v << 6 | (idx < e ? value(in[idx]) : 0);
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
