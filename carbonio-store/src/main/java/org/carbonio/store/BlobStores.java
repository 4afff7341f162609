package org.carbonio.store;

import java.io.IOException;
import java.nio.file.Path;
import org.carbonio.store.internal.blob.FilesystemBlobStore;
import org.carbonio.store.internal.blob.S3BlobStore;
import org.carbonio.store.spi.BlobStore;

/**
 * Creates the built-in {@link BlobStore} backends.
 *
 * <p>Thread-safe (stateless).
 */
public final class BlobStores {
  private BlobStores() {}

  /**
   * Blobs as files under {@code root} (created if missing). Durable when {@link
   * BlobStore.Staged#commit} returns: the file and its directory entries are fsynced.
   */
  public static BlobStore filesystem(Path root) throws IOException {
    return new FilesystemBlobStore(root);
  }

  /**
   * Blobs as objects in an S3-compatible service. Durable when {@link BlobStore.Staged#commit}
   * returns: the service acknowledged the PUT.
   */
  public static BlobStore s3(S3BlobStoreConfig config) throws IOException {
    return new S3BlobStore(config);
  }
}
