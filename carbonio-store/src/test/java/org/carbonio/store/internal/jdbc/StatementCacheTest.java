package org.carbonio.store.internal.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatementCacheTest {
  @TempDir Path dir;

  @Test
  void statementShouldBeReusedAndNestedUseShouldGetItsOwnWhenSqlRepeats() throws Exception {
    try (Connection c =
        StatementCache.wrap(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db")))) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (x INTEGER)");
        s.execute("INSERT INTO t VALUES (1), (2), (3)");
      }
      String sql = "SELECT x FROM t WHERE x >= ? ORDER BY x";
      PreparedStatement first;
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        first = ps;
        ps.setInt(1, 2);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(2);
          // the same SQL while the first is open: a statement of its own, the outer keeps its rows
          try (PreparedStatement inner = c.prepareStatement(sql)) {
            assertThat(inner).isNotSameAs(ps);
            inner.setInt(1, 1);
            try (ResultSet r2 = inner.executeQuery()) {
              assertThat(r2.next()).isTrue();
              assertThat(r2.getInt(1)).isEqualTo(1);
            }
          }
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(3);
        }
      }
      try (PreparedStatement again = c.prepareStatement(sql)) {
        assertThat(again).isSameAs(first);
        again.setInt(1, 3);
        try (ResultSet rs = again.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(3);
          assertThat(rs.next()).isFalse();
        }
      }
      // a statement left with an open result set is reset when closed, so writes still commit
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setInt(1, 1);
        ps.executeQuery().next();
      }
      c.setAutoCommit(false);
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO t VALUES (?)")) {
        ins.setInt(1, 4);
        ins.executeUpdate();
      }
      c.commit();
    }
  }
}
