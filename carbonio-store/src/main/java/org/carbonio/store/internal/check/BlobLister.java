package org.carbonio.store.internal.check;

import java.io.IOException;
import java.time.Instant;
import java.util.function.Consumer;
import org.carbonio.store.BlobId;
import org.carbonio.store.spi.BlobStore;

/**
 * Enumerates the blobs a blob store holds, for the orphan scan of the consistency check and the
 * crash-recovery sweep, filtered by modification time.
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

  /** The listing of a blob store, through {@link BlobStore#forEachBlob}. */
  static BlobLister of(BlobStore blobs) {
    return (since, action) ->
        blobs.forEachBlob(
            b -> {
              if (!b.lastModified().isBefore(since)) {
                action.accept(new Listed(b.id(), b.storedSize(), b.lastModified()));
              }
            });
  }
}
