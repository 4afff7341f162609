package org.carbonio.transport.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A buffered output stream whose buffer is allocated at the first write, starts small and grows
 * (doubling) up to a maximum, so that a connection that only ever writes short replies holds a
 * small buffer, and an idle connection that never wrote holds none. Writes of at least the maximum
 * go straight to the underlying stream. Not thread-safe: confine to one thread at a time.
 */
public final class GrowingBufferedOutput extends OutputStream {

  private static final byte[] NONE = new byte[0];

  private final OutputStream out;
  private final int initialSize;
  private final int maxSize;
  private byte[] buf = NONE;
  private int count;

  /**
   * @param out where the bytes go; not closed by {@link #close()}
   * @param initialSize the buffer's size at the first write, at least 1
   * @param maxSize the largest buffer, at least {@code initialSize}
   */
  public GrowingBufferedOutput(OutputStream out, int initialSize, int maxSize) {
    if (initialSize < 1 || maxSize < initialSize) {
      throw new IllegalArgumentException("buffer sizes " + initialSize + ", " + maxSize);
    }
    this.out = out;
    this.initialSize = initialSize;
    this.maxSize = maxSize;
  }

  /** The size of the buffer now held (0 before the first write), for tests. */
  public int bufferSize() {
    return buf.length;
  }

  @Override
  public void write(int b) throws IOException {
    if (count == buf.length) {
      if (buf.length < maxSize) {
        grow(count + 1);
      } else {
        flushBuffer();
      }
    }
    buf[count++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len >= maxSize) {
      flushBuffer();
      out.write(b, off, len);
      return;
    }
    if (len > buf.length - count) {
      if (count + len <= maxSize) {
        grow(count + len);
      } else {
        flushBuffer();
        if (len > buf.length) {
          grow(len);
        }
      }
    }
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  @Override
  public void flush() throws IOException {
    flushBuffer();
    out.flush();
  }

  /** Does not close the underlying stream: its owner does. */
  @Override
  public void close() {}

  private void flushBuffer() throws IOException {
    if (count > 0) {
      int n = count;
      count = 0; // dropped even if the write fails: the connection is then broken anyway
      out.write(buf, 0, n);
    }
  }

  private void grow(int needed) {
    int size = Math.max(buf.length, initialSize);
    while (size < needed) {
      size = Math.min(maxSize, size * 2);
    }
    buf = Arrays.copyOf(buf, size);
  }
}
