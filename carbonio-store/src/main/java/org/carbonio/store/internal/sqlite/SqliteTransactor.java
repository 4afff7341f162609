package org.carbonio.store.internal.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.carbonio.store.StoreException;
import org.carbonio.store.internal.jdbc.Migrations;
import org.carbonio.store.internal.jdbc.StatementCache;
import org.carbonio.store.internal.jdbc.Transactor;
import org.carbonio.store.internal.jdbc.Work;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Transactions on one SQLite database in WAL mode with {@code synchronous=FULL}, so a returned
 * commit survives kill -9 and power loss; {@link #writeUnsynced} commits with {@code
 * synchronous=NORMAL} (the WAL is written but not fsynced: kill -9 loses nothing, a power loss may
 * roll back to the last synced commit, and the database stays consistent).
 *
 * <p>Connections: one writer connection guarded by a {@link ReentrantLock} (SQLite allows one
 * writer at a time anyway; serializing in-process avoids SQLITE_BUSY retries) that commits
 * concurrent writes together (group commit, see {@link #write}), and a small pool of reader
 * connections. WAL lets readers run concurrently with the writer, each read in its own transaction
 * so that multi-statement reads are consistent. Writes start with {@code BEGIN IMMEDIATE}.
 *
 * <p>Thread-safe.
 */
public final class SqliteTransactor implements Transactor {
  /** Reader connections. */
  public static final int DEFAULT_READERS = 4;

  /** How long a caller waits for the writer lock or a reader connection. */
  public static final Duration LOCK_TIMEOUT = Duration.ofSeconds(30);

  /** Most writes committed together in one transaction (group commit). */
  public static final int MAX_BATCH = 256;

  /** SQLite's own wait when another process holds the database lock. */
  public static final int BUSY_TIMEOUT_MILLIS = 10_000;

  private final ReentrantLock writeLock = new ReentrantLock();
  private final Queue<Pending<?>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong batches = new AtomicLong();
  private final Connection writer;
  private final BlockingQueue<Connection> readers;
  private final List<Connection> allReaders = new ArrayList<>();
  private volatile boolean closed;

  /** The writer's current {@code PRAGMA synchronous}: FULL (true) or NORMAL. Writer lock. */
  private boolean synchronousFull = true;

  private SqliteTransactor(Connection writer, int readerCount, String url) throws SQLException {
    this.writer = writer;
    this.readers = new ArrayBlockingQueue<>(readerCount);
    try {
      for (int i = 0; i < readerCount; i++) {
        Connection r = connect(url, config());
        try (Statement s = r.createStatement()) {
          s.execute("PRAGMA query_only = ON");
        }
        allReaders.add(r);
        readers.add(r);
      }
    } catch (SQLException e) {
      closeAll();
      throw e;
    }
  }

  /** Opens (creating and migrating) the database file. */
  public static SqliteTransactor open(Path file) {
    String url = "jdbc:sqlite:" + file.toAbsolutePath();
    Connection writer = null;
    try {
      SQLiteDataSource ds = new SQLiteDataSource(config());
      ds.setUrl(url);
      Migrations.migrate(ds, Migrations.SQLITE);
      writer = connect(url, writerConfig());
      return new SqliteTransactor(writer, DEFAULT_READERS, url);
    } catch (SQLException | FlywayException e) {
      if (writer != null) {
        try {
          writer.close();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new StoreException.Unavailable("cannot open metadata database " + file, e);
    }
  }

  private static Connection connect(String url, SQLiteConfig config) throws SQLException {
    return StatementCache.wrap(DriverManager.getConnection(url, config.toProperties()));
  }

  private static SQLiteConfig config() {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    config.enforceForeignKeys(true);
    return config;
  }

  /**
   * The writer's settings: the savepoint around each work of a group commit makes SQLite keep a
   * sub-journal of every page the work changes, a temporary file by default (two writes per page,
   * about 40 % of all file writes of a delivery). The writer keeps it in memory, bounded by one
   * batch's pages; it is never needed after a crash (an uncommitted transaction is absent from the
   * WAL). Readers keep temporary files on disk, for large sorts.
   */
  private static SQLiteConfig writerConfig() {
    SQLiteConfig config = config();
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    return config;
  }

  /**
   * Group commit. The caller queues its work, then takes the writer lock; whoever holds the lock
   * runs every queued work (up to {@link #MAX_BATCH}) in one transaction, each inside its own
   * savepoint, and commits once, so concurrent writers share one fsync. While one batch commits,
   * the next one gathers in the queue. A work that fails is rolled back to its savepoint and only
   * its caller sees the failure; a failed commit fails the whole batch (nothing of it is durable).
   */
  @Override
  public <T> T write(Collection<String> accounts, Work<T> work) {
    return enqueue(new Pending<>(work, true));
  }

  /**
   * Like {@link #write}, in batches of their own: a batch is either all synced or all unsynced, and
   * the writer switches {@code PRAGMA synchronous} between batches (SQLite refuses to inside a
   * transaction). Queue order is kept: a batch ends where the next work's kind differs.
   */
  @Override
  public <T> T writeUnsynced(Collection<String> accounts, Work<T> work) {
    return enqueue(new Pending<>(work, false));
  }

  private <T> T enqueue(Pending<T> mine) {
    checkOpen();
    queue.add(mine);
    try {
      if (!writeLock.tryLock(LOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        if (queue.remove(mine)) {
          throw new StoreException.Unavailable("metadata writer busy for " + LOCK_TIMEOUT, null);
        }
        writeLock.lock(); // a leader took our work: it finishes it before it releases the lock
      }
    } catch (InterruptedException e) {
      if (queue.remove(mine)) {
        Thread.currentThread().interrupt();
        throw new StoreException.Unavailable("interrupted waiting for the metadata writer", e);
      }
      Thread.currentThread().interrupt();
      writeLock.lock();
    }
    try {
      while (!mine.done) {
        if (closed) {
          queue.remove(mine);
          throw new StoreException.Unavailable("store is closed", null);
        }
        commitBatch();
      }
    } finally {
      writeLock.unlock();
    }
    return mine.result();
  }

  /**
   * Runs queued works in one transaction and commits it. Called with the writer lock held. Every
   * work it takes from the queue is done when it returns (committed, or failed); if the transaction
   * cannot even begin, every queued work fails, so that no caller waits on a writer that cannot
   * write.
   */
  private void commitBatch() {
    List<Pending<?>> batch = new ArrayList<>();
    RuntimeException batchFailure = null;
    try (Statement s = writer.createStatement()) {
      Pending<?> first = queue.peek();
      boolean synced = first == null || first.synced;
      try {
        if (synced != synchronousFull) {
          s.execute(synced ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
          synchronousFull = synced;
        }
        s.execute("BEGIN IMMEDIATE");
      } catch (SQLException e) {
        rollback(s); // a transaction left open by a failed ROLLBACK must not block the next BEGIN
        for (Pending<?> p; (p = queue.poll()) != null; ) {
          batch.add(p);
        }
        throw e;
      }
      boolean committed = false;
      try {
        Pending<?> p;
        while (batch.size() < MAX_BATCH && (p = queue.peek()) != null && p.synced == synced) {
          if (!queue.remove(p)) {
            continue; // its caller gave up waiting for the lock and took it back
          }
          batch.add(p);
          s.execute("SAVEPOINT work");
          try {
            p.run(writer);
            s.execute("RELEASE work");
          } catch (SQLException | RuntimeException | Error e) {
            // Undo this work only; a failing ROLLBACK TO means the transaction itself is gone.
            // An Error (say, OutOfMemoryError) fails its own work, not its neighbours'.
            s.execute("ROLLBACK TO work");
            s.execute("RELEASE work");
            p.fail(e);
          }
        }
        s.execute("COMMIT");
        committed = true;
        batches.incrementAndGet();
      } finally {
        if (!committed) {
          rollback(s);
        }
      }
    } catch (SQLException e) {
      batchFailure = new StoreException.Unavailable("metadata write failed: " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      batchFailure = new StoreException.Unavailable("metadata write failed: " + e, e);
    } finally {
      for (Pending<?> p : batch) {
        if (batchFailure != null) {
          p.failed = batchFailure; // nothing of the batch is durable
        }
        p.done = true;
      }
    }
  }

  /** Committed transactions so far (each holding one or more writes). */
  public long batches() {
    return batches.get();
  }

  /** Writes waiting for the writer (queued, not yet in a transaction). */
  public int queued() {
    return queue.size();
  }

  /** A queued write and, once its batch is done, its outcome. Guarded by the writer lock. */
  private static final class Pending<T> {
    private final Work<T> work;
    private final boolean synced;
    private T value;
    private RuntimeException failed;
    private boolean done;

    Pending(Work<T> work, boolean synced) {
      this.work = work;
      this.synced = synced;
    }

    void run(Connection c) throws SQLException {
      value = work.run(c);
    }

    void fail(Throwable e) {
      failed =
          e instanceof RuntimeException re
              ? re
              : new StoreException.Unavailable("metadata write failed: " + e.getMessage(), e);
    }

    T result() {
      if (failed != null) {
        throw failed;
      }
      return value;
    }
  }

  private static void rollback(Statement s) {
    try {
      s.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // The transaction may already be gone (SQLite rolls back on some errors itself).
    }
  }

  @Override
  public <T> T read(Work<T> work) {
    checkOpen();
    Connection c;
    try {
      c = readers.poll(LOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException.Unavailable("interrupted waiting for a metadata reader", e);
    }
    if (c == null) {
      throw new StoreException.Unavailable("no metadata reader free for " + LOCK_TIMEOUT, null);
    }
    try (Statement s = c.createStatement()) {
      checkOpen();
      s.execute("BEGIN");
      try {
        return work.run(c);
      } finally {
        rollback(s);
      }
    } catch (SQLException e) {
      throw new StoreException.Unavailable("metadata read failed: " + e.getMessage(), e);
    } finally {
      readers.add(c);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreException.Unavailable("store is closed", null);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean locked = false;
    try {
      locked = writeLock.tryLock(LOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      closeAll();
    } finally {
      if (locked) {
        writeLock.unlock();
      }
    }
  }

  private void closeAll() {
    for (Connection r : allReaders) {
      try {
        r.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
    try {
      writer.close();
    } catch (SQLException ignored) {
      // closing anyway
    }
  }
}
