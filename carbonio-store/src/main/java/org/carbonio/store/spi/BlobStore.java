package org.carbonio.store.spi;

import java.io.IOException;
import java.io.InputStream;
import org.carbonio.store.BlobId;

/**
 * Content-addressed storage of message bytes. A blob's address is the SHA-256 of its bytes, so
 * equal contents are stored once. The store never changes a blob; it only adds and deletes.
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
   * Opens a blob for reading; the caller closes the stream.
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

  @Override
  void close() throws IOException;

  /**
   * Content that has been received and hashed but is not yet stored at its address.
   *
   * <p>Not thread-safe: confine to one thread.
   */
  interface Staged extends AutoCloseable {
    /** The content's address. */
    BlobId id();

    /** The content's size in octets. */
    long size();

    /**
     * Makes the blob durable at its address (for a filesystem: fsync the file, rename it into
     * place, fsync the directory). If a blob with the same address already exists, the staged copy
     * is dropped. Idempotent.
     */
    void commit() throws IOException;

    /** Drops the temporary copy if {@link #commit} was not called. Idempotent. */
    @Override
    void close() throws IOException;
  }
}
