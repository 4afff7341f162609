package org.carbonio.store.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigratorTest {
  @TempDir Path dir;

  @Test
  void migrateShouldApplyEachScriptOnceAndUseWalWhenRunTwice() throws Exception {
    Path db = dir.resolve("metadata.db");
    SqliteTransactor.open(db).close();
    SqliteTransactor.open(db).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT version, script FROM schema_version")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(1);
        assertThat(rs.getString(2)).isEqualTo(Migrator.SCRIPTS.get(0));
        assertThat(rs.next()).isFalse();
      }
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
      }
    }
  }

  @Test
  void splitShouldDropCommentsAndSeparateStatements() {
    assertThat(Migrator.split("-- c\nCREATE TABLE a (x INT);\n\nINSERT INTO a VALUES (1);\n"))
        .containsExactly("CREATE TABLE a (x INT)", "INSERT INTO a VALUES (1)");
  }
}
