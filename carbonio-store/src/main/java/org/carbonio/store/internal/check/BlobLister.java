package org.carbonio.store.internal.check;

import java.io.IOException;
import java.time.Instant;
import java.util.function.Consumer;
import org.carbonio.store.BlobId;

/**
 * Enumerates the blobs a blob store holds, for the orphan scan of the consistency check and the
 * crash-recovery sweep. A stand-in for a listing method of {@link
 * org.carbonio.store.spi.BlobStore}; each backend needs one.
 *
 * <p>Implementations are thread-safe.
 */
public interface BlobLister {

  /** A stored blob. */
  record Listed(BlobId id, long size, Instant modified) {}

  /**
   * Calls {@code action} for every stored blob last modified at or after {@code since} (may also
   * include older ones; {@link Instant#EPOCH} lists all). Blobs written or deleted concurrently may
   * or may not be seen.
   */
  void forEach(Instant since, Consumer<Listed> action) throws IOException;
}
