package org.carbonio.store.internal.blob;

import static java.nio.file.StandardOpenOption.READ;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * {@code length} octets of a file from {@code offset}, as a request body the SDK can re-read on a
 * retry: every {@link #newStream} opens a fresh stream from the start of the slice (and closes the
 * previous one). A file that ends before the slice does fails the read with {@link EOFException}
 * rather than sending a short body.
 *
 * <p>Not thread-safe: confine to one request.
 */
final class FileSlice implements ContentStreamProvider, AutoCloseable {
  private final Path file;
  private final long offset;
  private final long length;
  private SliceStream current;

  FileSlice(Path file, long offset, long length) {
    this.file = file;
    this.offset = offset;
    this.length = length;
  }

  @Override
  public InputStream newStream() {
    close();
    try {
      current = new SliceStream(FileChannel.open(file, READ), offset, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return current;
  }

  @Override
  public String name() {
    return "FileSlice";
  }

  /** Closes the stream handed out last, if any. */
  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  /** Positional reads, so the channel's own position never matters. */
  private static final class SliceStream extends InputStream {
    private final FileChannel ch;
    private final long end;
    private long pos;

    SliceStream(FileChannel ch, long offset, long length) {
      this.ch = ch;
      this.pos = offset;
      this.end = offset + length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (pos >= end) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int want = (int) Math.min(len, end - pos);
      int n = ch.read(ByteBuffer.wrap(b, off, want), pos);
      if (n == -1) {
        throw new EOFException("file ended at " + pos + ", before the part's end at " + end);
      }
      pos += n;
      return n;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, end - pos);
    }

    @Override
    public void close() {
      try {
        ch.close();
      } catch (IOException e) {
        // a read-only channel: nothing is lost when its close fails
      }
    }
  }
}
