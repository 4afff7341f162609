package org.carbonio.mime.internal;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Lenient base64 (RFC 2045 §6.8). Characters outside the alphabet are ignored; an {@code =} after
 * two or three characters of a quantum ends the data (what follows is ignored), a stray {@code =}
 * at the start of a quantum is ignored; missing padding is tolerated (a final quantum of two or
 * three characters gives one or two bytes, a lone final character none). Not thread-safe.
 *
 * <p>A heap buffer is decoded straight from its backing array; other buffers are copied in bulk
 * into a small window ({@link ByteBuffer#get(int, byte[], int, int)}, a plain memory copy) and
 * decoded from there: per-octet {@code get(i)} calls made decoding a third slower than over a
 * {@code byte[]}. {@link #read(byte[], int, int)} turns runs of four alphabet characters into three
 * bytes directly.
 */
final class Base64Decoder extends BufferDecoder {

  private static final int WINDOW = 8192;
  private static final byte[] VALUES = new byte[256];
  // the value of an alphabet character shifted to its place in a quantum, -1 for other octets:
  // OR-ing four lookups gives the 24 bits of a quantum, negative when any character is not valid
  private static final int[] SHIFTED_18 = new int[256];
  private static final int[] SHIFTED_12 = new int[256];
  private static final int[] SHIFTED_6 = new int[256];
  private static final int[] VALUES_INT = new int[256];

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      VALUES[alphabet.charAt(i)] = (byte) i;
    }
    for (int c = 0; c < 256; c++) {
      int v = VALUES[c];
      SHIFTED_18[c] = v < 0 ? -1 : v << 18;
      SHIFTED_12[c] = v < 0 ? -1 : v << 12;
      SHIFTED_6[c] = v < 0 ? -1 : v << 6;
      VALUES_INT[c] = v;
    }
  }

  // input not yet decoded: window[windowPos, windowLength), then the buffer from pos. For a heap
  // buffer the window is its backing array over the whole range (nothing is copied, pos is end)
  private final byte[] window;
  private int windowPos;
  private int windowLength;
  private int outBits; // decoded bytes waiting, most significant first
  private int outCount;
  private boolean done;

  Base64Decoder(ByteBuffer in, int start, int end) {
    super(in, start, end);
    if (in.hasArray()) {
      this.window = in.array();
      this.windowPos = in.arrayOffset() + start;
      this.windowLength = in.arrayOffset() + end;
      this.pos = end;
    } else {
      this.window = new byte[Math.min(WINDOW, end - start)];
    }
  }

  @Override
  int next() {
    if (outCount == 0 && !fill()) {
      return -1;
    }
    outCount--;
    return (outBits >>> (8 * outCount)) & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    int n = 0;
    while (true) {
      while (outCount > 0 && n < len) {
        outCount--;
        b[off + n++] = (byte) (outBits >>> (8 * outCount));
      }
      // fast path: runs of quanta of four alphabet characters, three bytes each (a counted loop
      // the compiler strips of index checks), and between quanta an octet outside the alphabet
      // other than '=' (a line end) skipped as fill() would skip it; anything else (padding, a
      // quantum split by junk, the end of the window) goes through fill()
      byte[] w = window;
      int wp = windowPos;
      int wl = windowLength;
      while (!done && len - n >= 3 && wp < wl) {
        int quanta = Math.min((wl - wp) >> 2, (len - n) / 3);
        int k = 0;
        for (; k < quanta; k++) {
          int i = wp + 4 * k;
          int v =
              SHIFTED_18[w[i] & 0xff]
                  | SHIFTED_12[w[i + 1] & 0xff]
                  | SHIFTED_6[w[i + 2] & 0xff]
                  | VALUES_INT[w[i + 3] & 0xff];
          if (v < 0) {
            break;
          }
          int o = off + n + 3 * k;
          b[o] = (byte) (v >>> 16);
          b[o + 1] = (byte) (v >>> 8);
          b[o + 2] = (byte) v;
        }
        wp += 4 * k;
        n += 3 * k;
        if (k == quanta && k > 0) {
          continue;
        }
        int c = w[wp] & 0xff;
        if (VALUES[c] >= 0 || c == '=') {
          break;
        }
        wp++;
      }
      windowPos = wp;
      if (n == len || !fill()) {
        break;
      }
    }
    return n == 0 ? -1 : n;
  }

  /** The next input octet (0 to 255), or -1 at the end of the range. */
  private int nextChar() {
    if (windowPos == windowLength) {
      int n = Math.min(window.length, end - pos);
      if (n == 0) {
        return -1;
      }
      in.get(pos, window, 0, n);
      pos += n;
      windowPos = 0;
      windowLength = n;
    }
    return window[windowPos++] & 0xff;
  }

  /** Decodes the next quantum into outBits; false at the end of the data. */
  private boolean fill() {
    if (done) {
      return false;
    }
    int acc = 0;
    int n = 0;
    while (n < 4) {
      int c = nextChar();
      if (c < 0) {
        break;
      }
      if (c == '=') {
        if (n >= 2) {
          done = true; // RFC 2045 §6.8: "=" is taken as the end of the data
          break;
        }
        continue; // stray padding where no data ended: ignored
      }
      int v = VALUES[c];
      if (v >= 0) {
        acc = acc << 6 | v;
        n++;
      }
    }
    if (n < 4) {
      done = true;
    }
    switch (n) {
      case 4 -> {
        outBits = acc;
        outCount = 3;
      }
      case 3 -> {
        outBits = acc >>> 2;
        outCount = 2;
      }
      case 2 -> {
        outBits = acc >>> 4;
        outCount = 1;
      }
      default -> outCount = 0; // a single leftover character carries less than one byte
    }
    return outCount > 0;
  }
}
