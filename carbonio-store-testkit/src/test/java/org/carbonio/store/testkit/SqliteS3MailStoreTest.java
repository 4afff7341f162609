package org.carbonio.store.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.carbonio.store.MailStore;
import org.carbonio.store.StoreConfig;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The contract on SQLite metadata with blobs in S3 (S3Proxy on 127.0.0.1). */
class SqliteS3MailStoreTest implements MailStoreContract {
  @RegisterExtension static final S3Blobs S3 = new S3Blobs();
  @TempDir Path dir;

  @Override
  public MailStore newStore() {
    try {
      return MailStore.open(StoreConfig.embedded(dir).withBlobs(S3.newBlobStore()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
