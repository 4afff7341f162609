package org.carbonio.imap.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Receives the bytes of one large APPEND literal as the decoder sees them, so that the transport
 * can spool it to a file instead of memory. Not thread-safe: used by one decoder.
 */
public interface LiteralSink extends AutoCloseable {
  /** Appends the remaining bytes of {@code chunk}. */
  void write(ByteBuffer chunk) throws IOException;

  /** All bytes arrived; returns them as a source that the command's consumer closes. */
  ByteSource finish() throws IOException;

  /** Discards the bytes if {@link #finish()} was not called; idempotent, never throws. */
  @Override
  void close();

  /** Opens sinks; the transport supplies one that spools above a threshold. */
  @FunctionalInterface
  interface Factory {
    LiteralSink open(long size) throws IOException;

    /** Keeps every literal in memory (fine for tests and small limits). */
    Factory IN_MEMORY = LiteralSink::inMemory;
  }

  /** A sink that keeps the literal in memory; {@code size} must fit an array. */
  static LiteralSink inMemory(long size) {
    return new MemorySink(size);
  }

  /** Not thread-safe: an in-memory sink. */
  final class MemorySink implements LiteralSink {
    private byte[] buf;
    private int len;

    MemorySink(long size) {
      if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("literal " + size);
      buf = new byte[(int) size];
    }

    @Override
    public void write(ByteBuffer chunk) {
      int n = chunk.remaining();
      if (len + n > buf.length) throw new IllegalStateException("literal overflow");
      chunk.get(buf, len, n);
      len += n;
    }

    @Override
    public ByteSource finish() {
      return ByteSource.of(buf, 0, len);
    }

    @Override
    public void close() {}
  }
}
