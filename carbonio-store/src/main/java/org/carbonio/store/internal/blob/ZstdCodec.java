package org.carbonio.store.internal.blob;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * zstd (RFC 8878) streaming on top of zstd-jni's context API. The library's own {@code Zstd*Stream}
 * classes do their I/O inside {@code synchronized} methods, which pins a virtual thread's carrier
 * on Java 21 (JEP 491 lifts this only in Java 24); here the I/O happens in our code, outside any
 * monitor, and zstd only transforms buffers.
 *
 * <p>Frames carry a content checksum (RFC 8878 §3.1.1.1.1 Content_Checksum_Flag), so a damaged blob
 * fails to read rather than returning wrong bytes.
 *
 * <p>Thread-safe (stateless); the compressor and the streams it makes are not.
 */
final class ZstdCodec {
  private static final int BUFFER = 128 * 1024;

  private ZstdCodec() {}

  /**
   * Compresses into a file channel, chunk by chunk. Holds native memory until closed.
   *
   * <p>Not thread-safe: confine to one thread.
   */
  static final class Compressor implements AutoCloseable {
    private final ZstdCompressCtx ctx = new ZstdCompressCtx();
    private final ByteBuffer out = ByteBuffer.allocate(BUFFER);
    private final FileChannel target;
    private long written;

    Compressor(FileChannel target, int level) {
      this.target = target;
      ctx.setLevel(level);
      ctx.setChecksum(true);
    }

    /** Compresses {@code len} octets of {@code b}. */
    void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer in = ByteBuffer.wrap(b, off, len);
      while (in.hasRemaining()) {
        out.clear();
        compress(in, EndDirective.CONTINUE);
        drain();
      }
    }

    /** Ends the frame and writes what zstd still holds. */
    void finish() throws IOException {
      ByteBuffer empty = ByteBuffer.allocate(0);
      boolean done;
      do {
        out.clear();
        done = compress(empty, EndDirective.END);
        drain();
      } while (!done);
    }

    /** Octets written to the channel so far. */
    long written() {
      return written;
    }

    private boolean compress(ByteBuffer in, EndDirective directive) throws IOException {
      try {
        return ctx.compressByteBufferStream(out, in, directive);
      } catch (ZstdException e) {
        throw new IOException("zstd compression failed: " + e.getMessage(), e);
      }
    }

    private void drain() throws IOException {
      out.flip();
      written += out.remaining();
      while (out.hasRemaining()) {
        target.write(out);
      }
    }

    @Override
    public void close() {
      ctx.close();
    }
  }

  /**
   * The decompressed content of {@code compressed}, streamed; closing it closes {@code compressed}.
   */
  static InputStream decompressing(InputStream compressed) {
    return new Decompressing(compressed);
  }

  /** Not thread-safe: confine to one thread. */
  private static final class Decompressing extends InputStream {
    private final InputStream in;
    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
    private final byte[] inBuf = new byte[BUFFER];
    private final ByteBuffer src = ByteBuffer.wrap(inBuf).limit(0);
    private final byte[] one = new byte[1];
    private boolean frameEnd;
    private boolean closed;

    Decompressing(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      int n = read(one, 0, 1);
      return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (closed) {
        throw new IOException("stream closed");
      }
      if (len == 0) {
        return 0;
      }
      ByteBuffer dst = ByteBuffer.wrap(b, off, len);
      while (true) {
        // zstd may hold decoded output from earlier input, so ask it even when src is empty
        int consumedFrom = src.position();
        boolean end;
        try {
          end = ctx.decompressByteBufferStream(dst, src);
        } catch (ZstdException e) {
          throw new IOException("zstd blob is damaged: " + e.getMessage(), e);
        }
        int produced = dst.position() - off;
        if (produced > 0 || src.position() != consumedFrom) {
          // a call without progress reports on the next frame, which has not begun
          frameEnd = end;
        }
        if (produced > 0) {
          return produced;
        }
        if (src.hasRemaining()) {
          continue; // headers consumed without output yet
        }
        int n = in.read(inBuf);
        if (n == -1) {
          if (frameEnd) {
            return -1;
          }
          throw new EOFException("zstd blob is truncated");
        }
        src.position(0).limit(n);
      }
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        ctx.close();
        in.close();
      }
    }
  }
}
