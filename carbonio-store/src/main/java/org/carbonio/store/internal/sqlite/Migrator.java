package org.carbonio.store.internal.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned schema scripts {@code /db/migration/sqlite/V<n>__<description>.sql}, in
 * order, each in its own transaction, recording them in {@code schema_version}. A deliberately
 * small stand-in: Flyway replaces it when the PostgreSQL backend arrives (the scripts already
 * follow Flyway's naming).
 *
 * <p>Not thread-safe: run once, on the writer connection, before anything else.
 */
final class Migrator {
  private static final Logger log = LoggerFactory.getLogger(Migrator.class);

  /** The scripts, in version order. Add new ones at the end; never edit an applied one. */
  static final List<String> SCRIPTS =
      List.of("V1__initial_schema.sql", "V2__kinds_tags_conversations_quota_grants.sql");

  private Migrator() {}

  static void migrate(Connection c) throws SQLException, IOException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
              + " script TEXT NOT NULL, applied_at INTEGER NOT NULL)");
    }
    int current = 0;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
      if (rs.next()) {
        current = rs.getInt(1);
      }
    }
    if (current > SCRIPTS.size()) {
      throw new SQLException(
          "database schema version "
              + current
              + " is newer than this code ("
              + SCRIPTS.size()
              + ")");
    }
    for (int v = current + 1; v <= SCRIPTS.size(); v++) {
      String script = SCRIPTS.get(v - 1);
      if (!script.startsWith("V" + v + "__")) {
        throw new IllegalStateException("script " + script + " out of order");
      }
      List<String> statements = split(load(script));
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
        try {
          for (String sql : statements) {
            s.execute(sql);
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO schema_version (version, script, applied_at) VALUES (?, ?, ?)")) {
            ps.setInt(1, v);
            ps.setString(2, script);
            ps.setLong(3, System.currentTimeMillis());
            ps.executeUpdate();
          }
          s.execute("COMMIT");
        } catch (SQLException | RuntimeException e) {
          s.execute("ROLLBACK");
          throw e;
        }
      }
      log.info("store schema migrated to version {} ({})", v, script);
    }
  }

  private static String load(String script) throws IOException {
    try (InputStream in = Migrator.class.getResourceAsStream("/db/migration/sqlite/" + script)) {
      if (in == null) {
        throw new IOException("missing schema script " + script);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Splits at ";" ending a line; drops "--" comment lines. */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String t = line.strip();
      if (t.startsWith("--") || t.isEmpty()) {
        continue;
      }
      cur.append(line).append('\n');
      if (t.endsWith(";")) {
        String sql = cur.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        cur.setLength(0);
      }
    }
    if (!cur.toString().isBlank()) {
      out.add(cur.toString().strip());
    }
    return out;
  }
}
