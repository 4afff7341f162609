package org.carbonio.store.spi;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import org.carbonio.store.BlobId;

/**
 * Content-addressed storage of message bytes. A blob's address is the SHA-256 of its bytes, so
 * equal contents are stored once. The store never changes a blob; it only adds and deletes. A store
 * may keep a blob compressed at rest; {@link #open} and {@link #read} always return the original
 * bytes.
 *
 * <p>Writing is two-phase so that the slow part (reading the content from a client) happens outside
 * the mail store's locks: {@link #stage} streams the content to temporary storage while hashing it,
 * and {@link Staged#commit} makes it durable at its address.
 *
 * <p>Implementations are thread-safe.
 */
public interface BlobStore extends AutoCloseable {

  /**
   * Streams {@code content} to temporary storage, hashing it on the way. Never holds the whole
   * content in memory. The content stream is read to its end and not closed.
   */
  Staged stage(InputStream content) throws IOException;

  /**
   * Stores content durably at its address and returns it: {@link #stage} then {@link
   * Staged#commit}.
   */
  default Staged put(InputStream content) throws IOException {
    try (Staged staged = stage(content)) {
      staged.commit();
      return staged;
    }
  }

  /**
   * Opens a blob for reading, streaming (a compressed blob is decompressed as it is read); the
   * caller closes the stream.
   *
   * @throws java.nio.file.NoSuchFileException if there is no such blob
   */
  InputStream open(BlobId id) throws IOException;

  /**
   * Reads a blob whole.
   *
   * @throws java.nio.file.NoSuchFileException if there is no such blob
   */
  byte[] read(BlobId id) throws IOException;

  /** Whether the blob exists. */
  boolean exists(BlobId id) throws IOException;

  /** Deletes a blob if it exists. Streams already open may keep reading it. */
  void delete(BlobId id) throws IOException;

  /**
   * Reports every stored blob to {@code visitor}, one call per blob, in no particular order, on the
   * calling thread; for garbage collection and consistency checks. Staged content that was never
   * committed is not reported. Blobs added or deleted while the walk runs may or may not be
   * reported. The walk streams: memory use does not grow with the number of blobs. An exception
   * from the visitor ends the walk and propagates.
   */
  void forEachBlob(BlobVisitor visitor) throws IOException;

  @Override
  void close() throws IOException;

  /**
   * Receives the blobs {@link #forEachBlob} reports.
   *
   * <p>Implementations need not be thread-safe: calls come from one thread, one after another.
   */
  @FunctionalInterface
  interface BlobVisitor {
    /** Called once per stored blob. */
    void visit(StoredBlob blob) throws IOException;
  }

  /**
   * A blob as it is at rest.
   *
   * <p>Immutable.
   *
   * @param id the blob's address (the SHA-256 of its raw content)
   * @param storedSize the octets it occupies at rest (the compressed size when compressed)
   * @param compressed whether it is stored zstd-compressed
   * @param lastModified when it was last written (second precision on some backends)
   */
  record StoredBlob(BlobId id, long storedSize, boolean compressed, Instant lastModified) {
    /** Validates. */
    public StoredBlob {
      requireNonNull(id, "id");
      requireNonNull(lastModified, "lastModified");
      if (storedSize < 0) {
        throw new IllegalArgumentException("storedSize is negative: " + storedSize);
      }
    }
  }

  /**
   * Content that has been received and hashed but is not yet stored at its address.
   *
   * <p>Not thread-safe: confine to one thread.
   */
  interface Staged extends AutoCloseable {
    /** The content's address. */
    BlobId id();

    /** The content's size in octets (raw, whatever form it is stored in). */
    long size();

    /**
     * Makes the blob durable at its address (for a filesystem: fsync the file, link it into place,
     * fsync the directory). If a blob with the same address already exists, nothing is written. The
     * staged copy stays until {@link #close}, so a repeated call stores the blob again if it was
     * deleted meanwhile.
     *
     * @throws IllegalStateException after {@link #close} (as for the result of {@link #put})
     */
    void commit() throws IOException;

    /** Drops the staged copy. Idempotent. */
    @Override
    void close() throws IOException;
  }
}
