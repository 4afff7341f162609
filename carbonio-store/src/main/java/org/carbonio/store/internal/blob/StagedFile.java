package org.carbonio.store.internal.blob;

import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.carbonio.store.BlobId;
import org.carbonio.store.spi.BlobStore;

/**
 * Content staged in a local temporary file, hashed (SHA-256) on the way in: the first phase of
 * {@link BlobStore#stage}, shared by the blob stores. A subclass {@link #publish}es the file at its
 * address; {@link #close} drops the file when it was never published.
 *
 * <p>Not thread-safe: confine to one thread.
 */
abstract class StagedFile implements BlobStore.Staged {
  private static final int BUFFER = 64 * 1024;

  /** What {@link #write} produced: the staged file, the content's address and size. */
  record Content(Path file, BlobId id, long size) {}

  /** The staged file. */
  final Path file;

  private final BlobId id;
  private final long size;
  private boolean done;

  StagedFile(Content content) {
    this.file = content.file();
    this.id = content.id();
    this.size = content.size();
  }

  /** Deletes the staged files a crash left in {@code dir}. */
  static void deleteLeftovers(Path dir, String prefix) throws IOException {
    try (var leftovers = Files.newDirectoryStream(dir, prefix + "*")) {
      for (Path p : leftovers) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Streams {@code content} (read to its end, not closed) into a new file {@code prefix*} of {@code
   * dir} while hashing it; the file is deleted again if reading or writing fails.
   */
  static Content write(Path dir, String prefix, InputStream content) throws IOException {
    MessageDigest sha = sha256();
    Path file = Files.createTempFile(dir, prefix, ".tmp");
    boolean ok = false;
    try (FileChannel ch = FileChannel.open(file, WRITE)) {
      byte[] buf = new byte[BUFFER];
      long size = 0;
      int n;
      while ((n = content.read(buf)) != -1) {
        sha.update(buf, 0, n);
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        while (bb.hasRemaining()) {
          ch.write(bb);
        }
        size += n;
      }
      ok = true;
      return new Content(file, new BlobId(HexFormat.of().formatHex(sha.digest())), size);
    } finally {
      if (!ok) {
        Files.deleteIfExists(file);
      }
    }
  }

  @Override
  public final BlobId id() {
    return id;
  }

  @Override
  public final long size() {
    return size;
  }

  /** Publishes once; later calls do nothing. */
  @Override
  public final void commit() throws IOException {
    if (done) {
      return;
    }
    publish();
    done = true;
  }

  /**
   * Makes the content durable at its address (or finds it already there) and removes {@link #file}.
   */
  abstract void publish() throws IOException;

  @Override
  public final void close() throws IOException {
    if (!done) {
      Files.deleteIfExists(file);
      done = true;
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
