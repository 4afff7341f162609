package org.carbonio.store.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.carbonio.store.internal.jdbc.Migrations;
import org.flywaydb.core.Flyway;
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
        for (String script :
            List.of(
                "V1__initial_schema.sql",
                "V2__kinds_tags_conversations_quota_grants.sql",
                "V3__inline_blobs.sql",
                "V4__save_date.sql",
                "V4_7__annotations.sql")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(2)).isEqualTo(script);
          assertThat(rs.getInt(3)).isEqualTo(1);
        }
        assertThat(rs.next()).isFalse();
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

  @Test
  void migrateShouldFillUsageAndConversationsWhenUpgradingVersion1Data() throws Exception {
    Path db = dir.resolve("metadata.db");
    Flyway.configure()
        .dataSource("jdbc:sqlite:" + db, null, null)
        .locations(Migrations.SQLITE)
        .target("1")
        .load()
        .migrate();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
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
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM messages WHERE save_date IS NULL")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(2); // RFC 8514 §3: unknown, reported as NIL
      }
      try (ResultSet rs = s.executeQuery("SELECT kind FROM folders")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("MAIL");
      }
    }
  }
}
