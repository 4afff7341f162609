package org.carbonio.store.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.carbonio.store.BlobStores;
import org.carbonio.store.internal.blob.S3Fixture;
import org.carbonio.store.spi.BlobStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The store's embedded S3 server ({@link S3Fixture}, from carbonio-store's test-jar) for a test
 * class, and a fresh blob store per test under its own key prefix, closed after the test.
 */
final class S3Blobs implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
  private S3Fixture s3;
  private Path dir;
  private BlobStore current;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("carbonio-s3-");
    s3 = S3Fixture.start(dir);
  }

  /** A blob store on a prefix no other test uses; closed after the test. */
  BlobStore newBlobStore() throws IOException {
    current = BlobStores.s3(s3.config(s3.newPrefix(), dir.resolve("stage")));
    return current;
  }

  /** A key prefix no other test uses, for {@link #blobStore}. */
  String newPrefix() {
    return s3.newPrefix();
  }

  /**
   * A blob store on {@code prefix}, which several stores may share (nodes of one installation); the
   * caller closes it.
   */
  BlobStore blobStore(String prefix) throws IOException {
    return BlobStores.s3(s3.config(prefix, dir.resolve("stage")));
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (s3 != null) {
        s3.close();
      }
    } finally {
      TestFiles.deleteTree(dir);
    }
  }
}
