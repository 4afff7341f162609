package org.carbonio.mime.internal;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An input stream that produces decoded bytes one at a time from a range of a buffer, read by
 * absolute index. Not thread-safe: one reader at a time.
 */
abstract class BufferDecoder extends InputStream {

  final ByteBuffer in;
  int pos;
  final int end;

  BufferDecoder(ByteBuffer in, int start, int end) {
    this.in = in;
    this.pos = start;
    this.end = end;
  }

  /** The next decoded byte (0 to 255), or -1 at the end. */
  abstract int next();

  @Override
  public final int read() {
    return next();
  }

  @Override
  public int read(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    int n = 0;
    while (n < len) {
      int c = next();
      if (c < 0) {
        break;
      }
      b[off + n++] = (byte) c;
    }
    return n == 0 ? -1 : n;
  }
}
