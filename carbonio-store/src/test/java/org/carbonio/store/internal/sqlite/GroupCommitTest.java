package org.carbonio.store.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.carbonio.store.StoreException;
import org.carbonio.store.internal.jdbc.Work;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit in {@link SqliteTransactor}: concurrent writes share a transaction, not a fate. */
class GroupCommitTest {
  @TempDir Path dir;
  private SqliteTransactor tx;
  private ExecutorService pool;

  @BeforeEach
  void open() {
    tx = SqliteTransactor.open(dir.resolve("metadata.db"));
    tx.write(
        List.of(),
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)");
          }
          return null;
        });
    pool = Executors.newFixedThreadPool(20);
  }

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    tx.close();
  }

  private Void insert(int x) {
    return tx.write(
        List.of(),
        c -> {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (x) VALUES (?)")) {
            ps.setInt(1, x);
            ps.executeUpdate();
          }
          return null;
        });
  }

  private List<Integer> rows() {
    return tx.read(
        c -> {
          List<Integer> out = new ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT x FROM t ORDER BY x")) {
            while (rs.next()) {
              out.add(rs.getInt(1));
            }
          }
          return out;
        });
  }

  @Test
  void writesShouldShareOneCommitWhenTheyQueueBehindARunningWrite() throws Exception {
    Blocker blocker = holdWriter();
    long before = tx.batches();
    List<Future<Void>> writes = new ArrayList<>();
    for (int i = 1; i <= 19; i++) {
      int x = i;
      writes.add(pool.submit(() -> insert(x)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> tx.queued() == 19);
    blocker.release();
    for (Future<Void> w : writes) {
      w.get(10, TimeUnit.SECONDS);
    }
    // The blocker's transaction picks up the 19 queued writes: one commit for 20 writes.
    assertThat(tx.batches() - before).isEqualTo(1);
    assertThat(rows()).hasSize(19);
  }

  /** The writer's {@code PRAGMA synchronous} as the work sees it: 2 FULL, 1 NORMAL. */
  private static int synchronous(java.sql.Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void unsyncedWritesShouldCommitInBatchesOfTheirOwnWhenQueuedBetweenSyncedOnes() throws Exception {
    Blocker blocker = holdWriter();
    long before = tx.batches();
    // Queued in this order: 3 synced, 3 unsynced, 3 synced; each reports the mode it ran in.
    List<Future<Integer>> writes = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      boolean synced = i < 3 || i >= 6;
      int x = i;
      writes.add(
          pool.submit(
              () -> {
                Work<Integer> work =
                    c -> {
                      try (PreparedStatement ps =
                          c.prepareStatement("INSERT INTO t (x) VALUES (?)")) {
                        ps.setInt(1, x);
                        ps.executeUpdate();
                      }
                      return synchronous(c);
                    };
                return synced ? tx.write(List.of(), work) : tx.writeUnsynced(List.of(), work);
              }));
      int queued = i + 1;
      await().atMost(Duration.ofSeconds(10)).until(() -> tx.queued() == queued);
    }
    blocker.release();
    List<Integer> modes = new ArrayList<>();
    for (Future<Integer> w : writes) {
      modes.add(w.get(10, TimeUnit.SECONDS));
    }
    assertThat(modes).containsExactly(2, 2, 2, 1, 1, 1, 2, 2, 2);
    // The blocker's batch takes the first three; then one unsynced batch, one synced batch.
    assertThat(tx.batches() - before).isEqualTo(3);
    assertThat(rows()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void aFailingWriteShouldFailAloneWhenItSharesATransaction() throws Exception {
    insert(7);
    Blocker blocker = holdWriter();
    List<Future<Void>> writes = new ArrayList<>();
    for (int x = 1; x <= 10; x++) {
      int v = x;
      writes.add(pool.submit(() -> insert(v))); // 7 violates the primary key
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> tx.queued() == 10);
    blocker.release();
    int failed = 0;
    for (Future<Void> w : writes) {
      try {
        w.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(StoreException.Unavailable.class);
        assertThat(e.getCause().getCause()).isInstanceOf(SQLException.class);
        failed++;
      }
    }
    assertThat(failed).isEqualTo(1);
    assertThat(rows()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
  }

  @Test
  void manyConcurrentWritersShouldAllCommitWhenTheyShareTheWriter() throws Exception {
    List<Future<Void>> writes = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int x = i;
      writes.add(pool.submit(() -> insert(x)));
    }
    for (Future<Void> w : writes) {
      w.get(30, TimeUnit.SECONDS);
    }
    assertThat(rows()).hasSize(400).doesNotHaveDuplicates();
  }

  @Test
  void writeShouldFailClearlyWhenClosed() {
    tx.close();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> insert(1))
        .isInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining("closed");
  }

  /** A write that holds the writer until released, so that other writes queue behind it. */
  private record Blocker(CountDownLatch gate, Future<?> write) {
    void release() throws Exception {
      gate.countDown();
      write.get(10, TimeUnit.SECONDS);
    }
  }

  /** Starts a write that holds the writer, and returns once it runs. */
  private Blocker holdWriter() throws InterruptedException {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<?> write =
        pool.submit(
            () ->
                tx.write(
                    List.of(),
                    c -> {
                      inside.countDown();
                      awaitQuietly(release);
                      return null;
                    }));
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
    return new Blocker(release, write);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
