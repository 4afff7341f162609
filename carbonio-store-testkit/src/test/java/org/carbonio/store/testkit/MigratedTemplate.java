package org.carbonio.store.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.carbonio.store.MailStore;
import org.carbonio.store.StoreConfig;

/** The test class's PostgreSQL database with the store schema, to copy for each test. */
final class MigratedTemplate {
  private MigratedTemplate() {}

  /** Opens and closes a store on the class's database (migrating it); returns its URL. */
  static String of(PostgresExtension pg) {
    try {
      Path dir = Files.createTempDirectory("carbonio-template-");
      try {
        MailStore.open(
                StoreConfig.embedded(dir).withPostgres(pg.jdbcUrl(), pg.user(), pg.password()))
            .close();
      } finally {
        TestFiles.deleteTree(dir);
      }
      return pg.jdbcUrl();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
