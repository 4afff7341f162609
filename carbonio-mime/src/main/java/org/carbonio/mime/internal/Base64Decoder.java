package org.carbonio.mime.internal;

import java.nio.ByteBuffer;

/**
 * Lenient base64 (RFC 2045 §6.8). Characters outside the alphabet are ignored; an {@code =} after
 * two or three characters of a quantum ends the data (what follows is ignored), a stray {@code =}
 * at the start of a quantum is ignored; missing padding is tolerated (a final quantum of two or
 * three characters gives one or two bytes, a lone final character none). Not thread-safe.
 */
final class Base64Decoder extends BufferDecoder {

  private static final byte[] VALUES = new byte[256];

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      VALUES[alphabet.charAt(i)] = (byte) i;
    }
  }

  private int outBits; // decoded bytes waiting, most significant first
  private int outCount;
  private boolean done;

  Base64Decoder(ByteBuffer in, int start, int end) {
    super(in, start, end);
  }

  @Override
  int next() {
    if (outCount == 0 && !fill()) {
      return -1;
    }
    outCount--;
    return (outBits >>> (8 * outCount)) & 0xff;
  }

  /** Decodes the next quantum into outBits; false at the end of the data. */
  private boolean fill() {
    if (done) {
      return false;
    }
    int acc = 0;
    int n = 0;
    while (n < 4 && pos < end) {
      int c = in.get(pos++) & 0xff;
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
