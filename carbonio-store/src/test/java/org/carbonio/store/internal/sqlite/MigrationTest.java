package org.carbonio.store.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationTest {
  @TempDir Path dir;

  @Test
  void openShouldApplyEachScriptOnceRecordVersionAndUseWalWhenRunTwice() throws Exception {
    Path db = dir.resolve("metadata.db");
    SqliteTransactor.open(db).close();
    SqliteTransactor.open(db).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT version, script, success FROM flyway_schema_history"
                  + " WHERE version IS NOT NULL")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("1");
        assertThat(rs.getString(2)).isEqualTo("V1__initial_schema.sql");
        assertThat(rs.getInt(3)).isEqualTo(1);
        assertThat(rs.next()).isFalse();
      }
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM store_state")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1); // the seed row was inserted once
      }
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
      }
    }
  }
}
