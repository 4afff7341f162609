package org.carbonio.store.testkit;

import java.nio.file.Path;
import org.carbonio.store.MailStore;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the embedded backend: SQLite metadata, filesystem blobs. */
class SqliteFilesystemMailStoreTest implements MailStoreContract {
  @TempDir Path dir;

  @Override
  public MailStore newStore() {
    return MailStore.open(dir);
  }
}
