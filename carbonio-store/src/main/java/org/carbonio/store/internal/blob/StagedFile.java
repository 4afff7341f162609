package org.carbonio.store.internal.blob;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.EOFException;
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
import org.carbonio.store.BlobStoreOptions;
import org.carbonio.store.spi.BlobStore;

/**
 * Content staged in a local temporary file, hashed (SHA-256) on the way in and zstd-compressed when
 * large enough ({@link BlobStoreOptions}): the first phase of {@link BlobStore#stage}, shared by
 * the blob stores. A subclass {@link #publish}es the file at its address, under the raw or the
 * compressed name as {@link #compressed} says, and keeps it until {@link #close}, so that a commit
 * can be repeated after the published blob was deleted (by another node's garbage collection).
 *
 * <p>Not thread-safe: confine to one thread.
 */
abstract class StagedFile implements BlobStore.Staged {
  private static final int BUFFER = 64 * 1024;

  /**
   * What {@link #write} produced: the staged file, the content's address and raw size, whether the
   * file holds the zstd-compressed form, and the file's size.
   */
  record Content(Path file, BlobId id, long size, boolean compressed, long storedSize) {}

  /** The staged file, raw or zstd-compressed as {@link #compressed} says. */
  final Path file;

  private final BlobId id;
  private final long size;
  private final boolean compressed;
  private final long storedSize;
  private boolean closed;

  StagedFile(Content content) {
    this.file = content.file();
    this.id = content.id();
    this.size = content.size();
    this.compressed = content.compressed();
    this.storedSize = content.storedSize();
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
   *
   * <p>The raw bytes always go to one file. Once {@link BlobStoreOptions#compresses} says the
   * content is large enough, a second file starts receiving the zstd-compressed form (the raw
   * prefix written so far is replayed into it first). At the end the compressed file is kept if it
   * saves at least 10%, otherwise the raw one; the other is deleted. Memory use is bounded by the
   * buffers, whatever the content's size.
   */
  static Content write(Path dir, String prefix, InputStream content, BlobStoreOptions options)
      throws IOException {
    MessageDigest sha = sha256();
    Path raw = Files.createTempFile(dir, prefix, ".tmp");
    Path zst = null;
    ZstdCodec.Compressor compressor = null;
    FileChannel zch = null;
    Path keep = null;
    try (FileChannel ch = FileChannel.open(raw, READ, WRITE)) {
      byte[] buf = new byte[BUFFER];
      long size = 0;
      int n;
      while ((n = content.read(buf)) != -1) {
        sha.update(buf, 0, n);
        writeFully(ch, ByteBuffer.wrap(buf, 0, n));
        size += n;
        if (compressor != null) {
          compressor.write(buf, 0, n);
        } else if (options.compresses(size)) {
          zst = Files.createTempFile(dir, prefix, ".zst.tmp");
          zch = FileChannel.open(zst, WRITE);
          compressor = new ZstdCodec.Compressor(zch, options.compressionLevel());
          replay(ch, size, compressor);
        }
      }
      BlobId id = new BlobId(HexFormat.of().formatHex(sha.digest()));
      if (compressor != null) {
        compressor.finish();
        zch.close(); // before choosing, so that a failed close leaves no file behind
        long storedSize = compressor.written();
        if (storedSize * 10 <= size * 9) { // keeps it only if it saves at least 10%
          keep = zst;
          return new Content(zst, id, size, true, storedSize);
        }
      }
      keep = raw;
      return new Content(raw, id, size, false, size);
    } finally {
      if (compressor != null) {
        compressor.close();
      }
      try {
        if (zch != null) {
          zch.close();
        }
      } finally {
        if (keep != raw) {
          Files.deleteIfExists(raw);
        }
        if (zst != null && keep != zst) {
          Files.deleteIfExists(zst);
        }
      }
    }
  }

  /** Feeds the first {@code size} octets of {@code ch} to {@code compressor}. */
  private static void replay(FileChannel ch, long size, ZstdCodec.Compressor compressor)
      throws IOException {
    byte[] buf = new byte[BUFFER];
    ByteBuffer bb = ByteBuffer.wrap(buf);
    long pos = 0;
    while (pos < size) {
      bb.clear().limit((int) Math.min(buf.length, size - pos));
      int n = ch.read(bb, pos);
      if (n == -1) {
        throw new EOFException("staged file shorter than written: " + pos + " < " + size);
      }
      compressor.write(buf, 0, n);
      pos += n;
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer bb) throws IOException {
    while (bb.hasRemaining()) {
      ch.write(bb);
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

  /** Whether {@link #file} holds the zstd-compressed form. */
  final boolean compressed() {
    return compressed;
  }

  /** The size of {@link #file}: what the blob occupies at rest. */
  final long storedSize() {
    return storedSize;
  }

  @Override
  public final void commit() throws IOException {
    if (closed) {
      throw new IllegalStateException("staged content " + id + " is closed");
    }
    publish();
  }

  /**
   * Makes the content durable at its address, or finds it already there; leaves {@link #file} in
   * place.
   */
  abstract void publish() throws IOException;

  @Override
  public final void close() throws IOException {
    if (!closed) {
      closed = true;
      Files.deleteIfExists(file);
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
