package org.carbonio.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.store.StoreException;
import org.carbonio.store.internal.postgres.PostgresSettings;
import org.carbonio.store.internal.postgres.PostgresTransactor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The PostgreSQL transactor against a real server: retries, rollback, read-only reads. */
class PostgresTransactorTest {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private PostgresTransactor tx;

  @BeforeEach
  void open() {
    tx =
        PostgresTransactor.openTransactor(
            PostgresSettings.of(PG.createDatabase(), PG.user(), PG.password()));
    tx.write(
        List.of("setup"),
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
            s.execute("INSERT INTO t VALUES (1, 0), (2, 0)");
          }
          return null;
        });
  }

  @AfterEach
  void close() {
    tx.close();
  }

  private static void bump(Connection c, int id) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE t SET v = v + 1 WHERE id = " + id);
    }
  }

  private static boolean await(CountDownLatch l) {
    try {
      return l.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  @Timeout(60)
  void writeShouldRetryWholeWorkWhenDeadlockDetected() throws Exception {
    // Two accounts, so no advisory lock orders them: rows 1 and 2 locked in opposite orders.
    CountDownLatch firstRowLocked1 = new CountDownLatch(1);
    CountDownLatch firstRowLocked2 = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> a =
          pool.submit(
              () ->
                  tx.write(
                      List.of("a"),
                      c -> {
                        attempts.incrementAndGet();
                        bump(c, 1);
                        firstRowLocked1.countDown();
                        await(firstRowLocked2);
                        bump(c, 2);
                        return null;
                      }));
      Future<?> b =
          pool.submit(
              () ->
                  tx.write(
                      List.of("b"),
                      c -> {
                        attempts.incrementAndGet();
                        bump(c, 2);
                        firstRowLocked2.countDown();
                        await(firstRowLocked1);
                        bump(c, 1);
                        return null;
                      }));
      a.get(50, TimeUnit.SECONDS);
      b.get(50, TimeUnit.SECONDS);
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(attempts).hasValue(3); // the deadlock victim ran again, whole
    int[] values =
        tx.read(
            c -> {
              try (Statement s = c.createStatement();
                  ResultSet rs = s.executeQuery("SELECT v FROM t ORDER BY id")) {
                int[] out = new int[2];
                for (int i = 0; i < 2; i++) {
                  rs.next();
                  out[i] = rs.getInt(1);
                }
                return out;
              }
            });
    assertThat(values).containsExactly(2, 2); // each row bumped once per committed write
  }

  @Test
  void writeShouldRollBackAndPassStoreExceptionThroughWhenWorkThrows() {
    assertThatThrownBy(
            () ->
                tx.write(
                    List.of("a"),
                    c -> {
                      bump(c, 1);
                      throw new StoreException.NotFound("nope");
                    }))
        .isInstanceOf(StoreException.NotFound.class);
    int v =
        tx.read(
            c -> {
              try (Statement s = c.createStatement();
                  ResultSet rs = s.executeQuery("SELECT v FROM t WHERE id = 1")) {
                rs.next();
                return rs.getInt(1);
              }
            });
    assertThat(v).isZero();
  }

  @Test
  void readShouldRefuseWritesWhenRunningReadOnly() {
    assertThatThrownBy(
            () ->
                tx.read(
                    c -> {
                      bump(c, 1);
                      return null;
                    }))
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining("read-only");
  }
}
