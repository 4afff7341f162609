package org.carbonio.store.internal.jdbc;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned schema scripts of a backend with Flyway: {@code
 * classpath:db/migration/<backend>/V<n>__<description>.sql}, each once, in order, recorded in
 * Flyway's {@code flyway_schema_history} table. Several nodes may migrate the same PostgreSQL
 * database at once: Flyway serializes them with a database lock.
 *
 * <p>Thread-safe (stateless).
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  /** Location of the embedded (SQLite) scripts. */
  public static final String SQLITE = "classpath:db/migration/sqlite";

  /** Location of the PostgreSQL scripts. */
  public static final String POSTGRESQL = "classpath:db/migration/postgresql";

  private Migrations() {}

  /**
   * Migrates the database behind {@code dataSource} to the newest script at {@code location}.
   *
   * @return the schema version after migrating
   * @throws org.flywaydb.core.api.FlywayException if a script fails or the database is newer
   */
  public static String migrate(DataSource dataSource, String location) {
    MigrateResult r =
        Flyway.configure(Migrations.class.getClassLoader())
            .dataSource(dataSource)
            .locations(location)
            .failOnMissingLocations(true)
            .validateMigrationNaming(true)
            .load()
            .migrate();
    if (r.migrationsExecuted > 0) {
      log.info("store schema migrated to version {} ({})", r.targetSchemaVersion, location);
    }
    return r.targetSchemaVersion != null ? r.targetSchemaVersion : r.initialSchemaVersion;
  }
}
