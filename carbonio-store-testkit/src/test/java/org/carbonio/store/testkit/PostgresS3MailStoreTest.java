package org.carbonio.store.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.carbonio.store.MailStore;
import org.carbonio.store.StoreConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract on the multi-node backends: PostgreSQL metadata, blobs in S3. */
class PostgresS3MailStoreTest implements MailStoreContract {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static String template;
  @RegisterExtension static final S3Blobs S3 = new S3Blobs();

  @BeforeAll
  static void migrateTemplate() {
    template = MigratedTemplate.of(PG);
  }

  @Override
  public MailStore newStore() {
    try {
      return MailStore.open(
          StoreConfig.postgres(PG.copyDatabase(template), PG.user(), PG.password())
              .withBlobs(S3.newBlobStore()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
