package org.carbonio.store.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
      try (ResultSet rs =
          s.executeQuery("SELECT version, script FROM schema_version ORDER BY version")) {
        for (int v = 1; v <= Migrator.SCRIPTS.size(); v++) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(v);
          assertThat(rs.getString(2)).isEqualTo(Migrator.SCRIPTS.get(v - 1));
        }
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

  @Test
  void migrateShouldFillUsageAndConversationsWhenUpgradingVersion1Data() throws Exception {
    Path db = dir.resolve("metadata.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      String v1;
      try (InputStream in =
          Migrator.class.getResourceAsStream("/db/migration/sqlite/" + Migrator.SCRIPTS.get(0))) {
        v1 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      for (String sql : Migrator.split(v1)) {
        s.execute(sql);
      }
      s.execute(
          "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, script TEXT NOT NULL,"
              + " applied_at INTEGER NOT NULL)");
      s.execute("INSERT INTO schema_version VALUES (1, '" + Migrator.SCRIPTS.get(0) + "', 0)");
      s.execute("INSERT INTO accounts VALUES ('a', 0)");
      s.execute("INSERT INTO folders VALUES (1, 'a', 'INBOX', 7, 3, 3, 1, NULL)");
      s.execute("INSERT INTO blobs VALUES ('" + "0".repeat(64) + "', 10, 2)");
      for (int uid = 1; uid <= 2; uid++) {
        s.execute(
            "INSERT INTO messages VALUES (1, "
                + uid
                + ", '"
                + "0".repeat(64)
                + "', 10, 0, 0, '', 2)");
      }
    }
    SqliteTransactor.open(db).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT used_bytes, used_messages FROM accounts")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(20);
        assertThat(rs.getLong(2)).isEqualTo(2);
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT COUNT(DISTINCT conversation_id), MIN(conversation_id) FROM messages")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(2);
        assertThat(rs.getLong(2)).isPositive();
      }
      try (ResultSet rs = s.executeQuery("SELECT kind FROM folders")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("MAIL");
      }
    }
  }
}
