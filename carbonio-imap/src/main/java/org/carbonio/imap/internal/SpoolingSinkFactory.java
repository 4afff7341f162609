package org.carbonio.imap.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import org.carbonio.imap.protocol.ByteSource;
import org.carbonio.imap.protocol.LiteralSink;

/**
 * Keeps APPEND literals up to a threshold in memory and spools larger ones to a file in a spool
 * directory that is deleted when the resulting {@link ByteSource} is closed. Thread-safe (stateless
 * factory).
 */
public final class SpoolingSinkFactory implements LiteralSink.Factory {
  /** Name prefix of spool files. */
  public static final String PREFIX = "carbonio-imap-append-";

  private final long threshold;
  private final Path directory;

  /**
   * @param threshold largest literal kept in memory
   * @param directory where larger literals are spooled
   */
  public SpoolingSinkFactory(long threshold, Path directory) {
    this.threshold = threshold;
    this.directory = requireNonNull(directory, "directory");
  }

  @Override
  public LiteralSink open(long size) throws IOException {
    if (size <= threshold) return LiteralSink.Factory.IN_MEMORY.open(size);
    return new FileSink(directory, size);
  }

  /** Not thread-safe: writes one literal to a temp file. */
  private static final class FileSink implements LiteralSink {
    private final Path file;
    private final FileChannel channel;
    private final long size;
    private boolean finished;

    FileSink(Path directory, long size) throws IOException {
      this.size = size;
      this.file = Files.createTempFile(directory, PREFIX, ".eml");
      try {
        this.channel = FileChannel.open(file, StandardOpenOption.WRITE);
      } catch (IOException e) {
        Files.deleteIfExists(file);
        throw e;
      }
    }

    @Override
    public void write(ByteBuffer chunk) throws IOException {
      while (chunk.hasRemaining()) channel.write(chunk);
    }

    @Override
    public ByteSource finish() throws IOException {
      channel.close();
      finished = true;
      return new FileSource(file, size);
    }

    @Override
    public void close() {
      if (finished) return;
      try {
        channel.close();
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Thread-safe: a spooled literal; close deletes the file. */
  private record FileSource(Path file, long size, AtomicBoolean closed) implements ByteSource {
    FileSource(Path file, long size) {
      this(file, size, new AtomicBoolean());
    }

    @Override
    public InputStream openStream() throws IOException {
      return Files.newInputStream(file);
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // the temp directory is cleaned by the OS eventually
        }
      }
    }
  }
}
