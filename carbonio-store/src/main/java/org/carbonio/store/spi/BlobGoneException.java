package org.carbonio.store.spi;

import java.util.Set;
import org.carbonio.store.BlobId;

/**
 * A write meant to reference blobs that garbage collection (of another process sharing the
 * metadata) deleted after they were published; the write changed nothing. The caller stores the
 * blobs again and retries. See {@link MetadataStore#deleteUnreferenced}.
 */
public final class BlobGoneException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The blobs that were missing. */
  private final transient Set<BlobId> blobs;

  public BlobGoneException(Set<BlobId> blobs) {
    super("blob(s) deleted concurrently, store them again: " + blobs);
    this.blobs = Set.copyOf(blobs);
  }

  /** The blobs that were missing. */
  public Set<BlobId> blobs() {
    return blobs;
  }
}
