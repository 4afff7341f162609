package org.carbonio.smtp.internal;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A message body: in memory up to a threshold, then in a temporary file (mode 0600 on POSIX) that
 * {@link #close()} deletes. Not thread-safe: confine to one connection.
 */
public final class Spool implements Closeable {

  private final Path directory;
  private final int threshold;
  private byte[] memory = new byte[0];
  private int memoryLength;
  private Path file;
  private FileChannel channel;
  private long size;

  /** Creates an empty spool. */
  public Spool(Path directory, int threshold) {
    this.directory = directory;
    this.threshold = threshold;
  }

  /** Appends the remaining bytes of {@code src}. */
  public void write(ByteBuffer src) throws IOException {
    int n = src.remaining();
    if (channel == null && (long) memoryLength + n <= threshold) {
      if (memoryLength + n > memory.length) {
        int capacity = (int) Math.min(threshold, Math.max(8192L, 2L * (memoryLength + n)));
        memory = Arrays.copyOf(memory, capacity);
      }
      src.get(memory, memoryLength, n);
      memoryLength += n;
    } else {
      if (channel == null) {
        file = Files.createTempFile(directory, "smtp-", ".msg");
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        writeFully(ByteBuffer.wrap(memory, 0, memoryLength));
        memory = null;
      }
      writeFully(src);
    }
    size += n;
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  /** The number of bytes written. */
  public long size() {
    return size;
  }

  /** True when the body went to a file. */
  public boolean onDisk() {
    return channel != null;
  }

  /** A new stream over everything written so far. */
  public InputStream open() throws IOException {
    if (channel == null) {
      return new ByteArrayInputStream(memory, 0, memoryLength);
    }
    return Files.newInputStream(file);
  }

  /** Frees the memory and deletes the file. Idempotent. */
  @Override
  public void close() throws IOException {
    memory = null;
    try {
      if (channel != null) {
        channel.close();
      }
    } finally {
      channel = null;
      if (file != null) {
        Path f = file;
        file = null;
        Files.deleteIfExists(f);
      }
    }
  }
}
