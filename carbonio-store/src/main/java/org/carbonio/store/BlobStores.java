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
   * Blobs as files under {@code root} (created if missing), with {@link BlobStoreOptions#DEFAULTS}
   * (content of 16 KiB and more stored zstd-compressed when that saves at least 10%). Durable when
   * {@link BlobStore.Staged#commit} returns: the file and its directory entries are fsynced.
   */
  public static BlobStore filesystem(Path root) throws IOException {
    return new FilesystemBlobStore(root, BlobStoreOptions.DEFAULTS);
  }

  /**
   * Blobs as files under {@code root} (created if missing), compressed at rest as {@code options}
   * say: {@code <sha256>} raw, {@code <sha256>.zst} compressed. Durable when {@link
   * BlobStore.Staged#commit} returns: the file and its directory entries are fsynced.
   */
  public static BlobStore filesystem(Path root, BlobStoreOptions options) throws IOException {
    return new FilesystemBlobStore(root, options);
  }

  /**
   * Blobs as objects in an S3-compatible service, compressed at rest as {@link
   * S3BlobStoreConfig#options} say; content above {@link S3BlobStoreConfig#multipartThreshold} is
   * sent as a multipart upload. Durable when {@link BlobStore.Staged#commit} returns: the service
   * acknowledged the PUT (or the multipart completion).
   */
  public static BlobStore s3(S3BlobStoreConfig config) throws IOException {
    return new S3BlobStore(config);
  }
}
