package org.carbonio.store.testkit;

import java.nio.file.Path;
import org.carbonio.store.MailStore;
import org.carbonio.store.StoreConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on PostgreSQL metadata (a fresh copy of a migrated database per test) with
 * filesystem blobs.
 */
class PostgresFilesystemMailStoreTest implements MailStoreContract {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static String template;
  @TempDir Path dir;

  @BeforeAll
  static void migrateTemplate() {
    template = MigratedTemplate.of(PG);
  }

  @Override
  public MailStore newStore() {
    return MailStore.open(
        StoreConfig.embedded(dir)
            .withPostgres(PG.copyDatabase(template), PG.user(), PG.password()));
  }
}
