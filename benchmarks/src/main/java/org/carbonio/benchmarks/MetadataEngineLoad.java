package org.carbonio.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;

/**
 * Load program that compares SQLite and H2 as the embedded metadata engine of carbonio-store: the
 * same durable delivery transactions (UID allocation, HIGHESTMODSEQ bump, blob refcount upsert,
 * message insert) through plain JDBC, and the read paths of one big mailbox.
 *
 * <pre>
 * java -Xmx512m -cp benchmarks/target/benchmarks.jar org.carbonio.benchmarks.MetadataEngineLoad \
 *     --engine sqlite|h2 --mode deliveries --strategy serial|group|mvcc|mvcc_shared_sync
 *     [--threads 20] [--accounts 1000] [--warmup 5] [--seconds 30] [--dir target/engines]
 * java ... MetadataEngineLoad --engine sqlite|h2 --mode mailbox [--rows 1000000] [--repeats 11]
 *     [--compact-first true]
 * </pre>
 *
 * <p>Each run creates a fresh database in a new directory under {@code --dir} and deletes it at the
 * end. It prints one {@code RESULT key=value ...} line.
 *
 * <p>Durability is the same on both engines: a commit has returned only once its data is fsynced.
 * SQLite: WAL with {@code synchronous=FULL} (the WAL is synced on every commit). H2 2.5 (MVStore):
 * {@code WRITE_DELAY=0} makes the commit write its chunk to the file before returning (the default,
 * 500 ms, leaves it to a background thread), but MVStore never fsyncs on commit, so every commit is
 * followed by {@code CHECKPOINT SYNC}, which flushes the store and calls {@code
 * FileChannel.force(true)}.
 *
 * <p>Not thread-safe: one run at a time per JVM (it reads process-wide CPU and heap figures).
 */
public final class MetadataEngineLoad {

  /** The embedded engine under test. */
  public enum Engine {
    SQLITE,
    H2
  }

  /** What the run measures. */
  public enum Mode {
    DELIVERIES,
    MAILBOX
  }

  /** How deliveries are turned into durable transactions. */
  public enum Strategy {
    /** One transaction per delivery on one writer connection under a lock (the store today). */
    SERIAL,
    /** A leader thread commits every pending delivery in one transaction, each in a savepoint. */
    GROUP,
    /** One connection per thread, concurrent MVCC writers, each commit fsyncs (H2 only). */
    MVCC,
    /**
     * As {@link #MVCC}, but a commit skips its fsync when one that started after the commit
     * returned has completed: the writers share fsyncs (H2 only).
     */
    MVCC_SHARED_SYNC
  }

  /** A run's parameters. Immutable. */
  public record Options(
      Engine engine,
      Mode mode,
      Strategy strategy,
      int threads,
      int accounts,
      Duration warmup,
      Duration measure,
      int rows,
      int repeats,
      boolean compactBeforeReads,
      Path dir) {
    public Options {
      if (threads < 1 || accounts < 1 || rows < 1 || repeats < 1) {
        throw new IllegalArgumentException("threads, accounts, rows and repeats must be >= 1");
      }
      if (engine == Engine.SQLITE
          && (strategy == Strategy.MVCC || strategy == Strategy.MVCC_SHARED_SYNC)) {
        throw new IllegalArgumentException("strategy " + strategy + " is H2 only");
      }
    }

    /** The defaults of the brief: 20 threads, 1,000 accounts, 5 s warm-up, 30 s measured. */
    public static Options defaults(Engine engine, Mode mode, Strategy strategy, Path dir) {
      return new Options(
          engine,
          mode,
          strategy,
          20,
          1_000,
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          1_000_000,
          11,
          false,
          dir);
    }
  }

  /**
   * What a delivery run measured. {@code commits} are deliveries acknowledged as durable during the
   * measured window; {@code syncs} the durable commits (commit and fsync) that carried them. {@code
   * deliveredTotal} counts every delivery including the warm-up and {@code messageRows} is what the
   * database holds at the end: they must be equal. Immutable.
   */
  public record DeliveryResult(
      Engine engine,
      Strategy strategy,
      long commits,
      long syncs,
      double seconds,
      double cpuSeconds,
      long failures,
      long deliveredTotal,
      long messageRows,
      long uidsAllocated,
      long peakHeapBytes) {
    public double commitsPerSecond() {
      return commits / seconds;
    }

    public double cpuMicrosPerCommit() {
      return commits == 0 ? 0 : cpuSeconds * 1e6 / commits;
    }

    public double deliveriesPerSync() {
      return syncs == 0 ? 0 : (double) commits / syncs;
    }
  }

  /** One timed read path: median wall time and mean process CPU per operation. Immutable. */
  public record Timing(double medianMillis, double cpuMicrosPerOp) {}

  /** What a big-mailbox run measured. Immutable. */
  public record MailboxResult(
      Engine engine,
      long rows,
      double loadSeconds,
      long diskBytes,
      long compactedDiskBytes,
      Timing counters,
      Timing fetchAllFlags,
      Timing range100,
      long fetchedRows,
      long rangeRows,
      long unseen,
      long uidNext,
      long peakHeapBytes) {}

  private static final String INBOX = "INBOX";
  private static final int MAX_GROUP = 256;
  private static final int LOAD_BATCH = 10_000;
  private static final int SEEN = 1;
  private static final long MESSAGE_SIZE = 24_576;

  private MetadataEngineLoad() {}

  /** Command line entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    Engine engine = Engine.SQLITE;
    Mode mode = Mode.DELIVERIES;
    Strategy strategy = Strategy.SERIAL;
    Options d = Options.defaults(engine, mode, strategy, Path.of("target", "engines"));
    int threads = d.threads();
    int accounts = d.accounts();
    Duration warmup = d.warmup();
    Duration measure = d.measure();
    int rows = d.rows();
    int repeats = d.repeats();
    boolean compactFirst = d.compactBeforeReads();
    Path dir = d.dir();
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--engine" -> engine = Engine.valueOf(value.toUpperCase(Locale.ROOT));
        case "--mode" -> mode = Mode.valueOf(value.toUpperCase(Locale.ROOT));
        case "--strategy" -> strategy = Strategy.valueOf(value.toUpperCase(Locale.ROOT));
        case "--threads" -> threads = Integer.parseInt(value);
        case "--accounts" -> accounts = Integer.parseInt(value);
        case "--warmup" -> warmup = Duration.ofMillis((long) (Double.parseDouble(value) * 1000));
        case "--seconds" -> measure = Duration.ofMillis((long) (Double.parseDouble(value) * 1000));
        case "--rows" -> rows = Integer.parseInt(value);
        case "--repeats" -> repeats = Integer.parseInt(value);
        case "--dir" -> dir = Path.of(value);
        case "--compact-first" -> compactFirst = Boolean.parseBoolean(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
      i++;
    }
    Options o =
        new Options(
            engine,
            mode,
            strategy,
            threads,
            accounts,
            warmup,
            measure,
            rows,
            repeats,
            compactFirst,
            dir);
    System.out.println(
        switch (mode) {
          case DELIVERIES -> format(deliveries(o));
          case MAILBOX -> format(mailbox(o));
        });
  }

  // ---------------------------------------------------------------- engines

  private static Connection connect(Engine engine, Path dbDir, boolean writer) throws SQLException {
    return switch (engine) {
      case SQLITE -> {
        // As SqliteMetadataStore.connect: WAL, synchronous=FULL, busy timeout, foreign keys;
        // the writer's transactions begin IMMEDIATE as the store's do.
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        config.enforceForeignKeys(true);
        if (writer) {
          config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        }
        yield DriverManager.getConnection(
            "jdbc:sqlite:" + dbDir.resolve("meta.db").toAbsolutePath(), config.toProperties());
      }
      case H2 ->
          // WRITE_DELAY=0: a commit stores its MVStore chunk before it returns (see afterCommit
          // for the fsync). LOCK_TIMEOUT: concurrent writers on one folder row wait, not fail.
          // OPTIMIZE_REUSE_RESULTS=0: H2 would otherwise hand back the previous result of an
          // identical query on an unchanged table, which times a cache, not the read path.
          // LAZY_QUERY_EXECUTION: stream a big result instead of building it in memory (and on
          // disk past MAX_MEMORY_ROWS) first, as a reader of 1,000,000 FETCH rows wants.
          DriverManager.getConnection(
              "jdbc:h2:file:"
                  + dbDir.resolve("meta").toAbsolutePath()
                  + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000;OPTIMIZE_REUSE_RESULTS=0;LAZY_QUERY_EXECUTION=TRUE",
              "sa",
              "");
    };
  }

  /** Makes what the last commit wrote durable, where the engine's commit does not. */
  private static void afterCommit(Engine engine, Statement s) throws SQLException {
    if (engine == Engine.H2) {
      // H2 2.5 MVStore.commit writes but never fsyncs; CHECKPOINT SYNC = Store.flush() +
      // FileChannel.force(true).
      s.execute("CHECKPOINT SYNC");
    }
  }

  private static List<String> schema(Engine engine) {
    return switch (engine) {
      // carbonio-store V1__initial_schema.sql, the tables a delivery touches.
      case SQLITE ->
          List.of(
              "CREATE TABLE accounts (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL)",
              "CREATE TABLE folders (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                  + " account_id TEXT NOT NULL REFERENCES accounts (id), name TEXT NOT NULL,"
                  + " uidvalidity INTEGER NOT NULL, uidnext INTEGER NOT NULL,"
                  + " highest_modseq INTEGER NOT NULL, subscribed INTEGER NOT NULL, role TEXT,"
                  + " UNIQUE (account_id, name))",
              "CREATE TABLE blobs (id TEXT PRIMARY KEY, size INTEGER NOT NULL,"
                  + " refcount INTEGER NOT NULL)",
              "CREATE TABLE messages (folder_id INTEGER NOT NULL REFERENCES folders (id),"
                  + " uid INTEGER NOT NULL, blob_id TEXT NOT NULL REFERENCES blobs (id),"
                  + " size INTEGER NOT NULL, internal_date INTEGER NOT NULL,"
                  + " system_flags INTEGER NOT NULL, keywords TEXT NOT NULL,"
                  + " modseq INTEGER NOT NULL, PRIMARY KEY (folder_id, uid))",
              "CREATE INDEX messages_by_modseq ON messages (folder_id, modseq)",
              "CREATE TABLE expunged (folder_id INTEGER NOT NULL REFERENCES folders (id),"
                  + " uid INTEGER NOT NULL, modseq INTEGER NOT NULL, PRIMARY KEY (folder_id, uid))",
              "CREATE INDEX expunged_by_modseq ON expunged (folder_id, modseq)");
      // The same tables in H2 types: TEXT is a CLOB in H2, so VARCHAR; INTEGER is 32-bit, so
      // BIGINT where SQLite stores 64-bit values; identity for AUTOINCREMENT.
      case H2 ->
          List.of(
              "CREATE TABLE accounts (id VARCHAR PRIMARY KEY, created_at BIGINT NOT NULL)",
              "CREATE TABLE folders (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                  + " account_id VARCHAR NOT NULL REFERENCES accounts (id),"
                  + " name VARCHAR NOT NULL, uidvalidity BIGINT NOT NULL,"
                  + " uidnext BIGINT NOT NULL, highest_modseq BIGINT NOT NULL,"
                  + " subscribed INT NOT NULL, role VARCHAR, UNIQUE (account_id, name))",
              "CREATE TABLE blobs (id VARCHAR PRIMARY KEY, size BIGINT NOT NULL,"
                  + " refcount INT NOT NULL)",
              "CREATE TABLE messages (folder_id BIGINT NOT NULL REFERENCES folders (id),"
                  + " uid BIGINT NOT NULL, blob_id VARCHAR NOT NULL REFERENCES blobs (id),"
                  + " size BIGINT NOT NULL, internal_date BIGINT NOT NULL,"
                  + " system_flags INT NOT NULL, keywords VARCHAR NOT NULL,"
                  + " modseq BIGINT NOT NULL, PRIMARY KEY (folder_id, uid))",
              "CREATE INDEX messages_by_modseq ON messages (folder_id, modseq)",
              "CREATE TABLE expunged (folder_id BIGINT NOT NULL REFERENCES folders (id),"
                  + " uid BIGINT NOT NULL, modseq BIGINT NOT NULL, PRIMARY KEY (folder_id, uid))",
              "CREATE INDEX expunged_by_modseq ON expunged (folder_id, modseq)");
    };
  }

  private static String blobUpsert(Engine engine) {
    return switch (engine) {
      case SQLITE ->
          "INSERT INTO blobs (id, size, refcount) VALUES (?, ?, ?)"
              + " ON CONFLICT (id) DO UPDATE SET refcount = refcount + excluded.refcount";
      case H2 ->
          "MERGE INTO blobs b USING (VALUES (CAST(? AS VARCHAR), CAST(? AS BIGINT),"
              + " CAST(? AS INT))) v (id, size, n) ON b.id = v.id"
              + " WHEN MATCHED THEN UPDATE SET refcount = b.refcount + v.n"
              + " WHEN NOT MATCHED THEN INSERT (id, size, refcount) VALUES (v.id, v.size, v.n)";
    };
  }

  private static String unseen(Engine engine) {
    return switch (engine) {
      case SQLITE -> "(system_flags & " + SEEN + ") = 0";
      case H2 -> "BITAND(system_flags, " + SEEN + ") = 0";
    };
  }

  // ---------------------------------------------------------------- one writer session

  /** A connection with the delivery statements prepared once. Not thread-safe. */
  private static final class Session implements AutoCloseable {
    final Engine engine;
    final Connection c;
    final Statement plain;
    final PreparedStatement folder;
    final PreparedStatement bumpUid;
    final PreparedStatement readUid;
    final PreparedStatement bumpModSeq;
    final PreparedStatement readModSeq;
    final PreparedStatement upsertBlob;
    final PreparedStatement insertMessage;

    Session(Engine engine, Path dbDir) throws SQLException {
      this.engine = engine;
      this.c = connect(engine, dbDir, true);
      try {
        c.setAutoCommit(false);
        plain = c.createStatement();
        folder =
            c.prepareStatement(
                "SELECT id, uidvalidity, uidnext, highest_modseq, subscribed, role"
                    + " FROM folders WHERE account_id = ? AND name = ?");
        // The store reads uidnext then updates it under its single writer lock; with concurrent
        // (MVCC) writers the update must come first so that it takes the row lock. Same
        // statements, same count, on every engine and strategy.
        bumpUid = c.prepareStatement("UPDATE folders SET uidnext = uidnext + 1 WHERE id = ?");
        readUid = c.prepareStatement("SELECT uidnext FROM folders WHERE id = ?");
        bumpModSeq =
            c.prepareStatement(
                "UPDATE folders SET highest_modseq = highest_modseq + 1 WHERE id = ?");
        readModSeq = c.prepareStatement("SELECT highest_modseq FROM folders WHERE id = ?");
        upsertBlob = c.prepareStatement(blobUpsert(engine));
        insertMessage =
            c.prepareStatement(
                "INSERT INTO messages (folder_id, uid, blob_id, size, internal_date,"
                    + " system_flags, keywords, modseq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      } catch (SQLException e) {
        c.close();
        throw e;
      }
    }

    /** One delivery into {@code account}'s INBOX, inside the caller's transaction. */
    void deliver(String account, String blob, long size) throws SQLException {
      long folderId;
      folder.setString(1, account);
      folder.setString(2, INBOX);
      try (ResultSet rs = folder.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("no INBOX for " + account);
        }
        folderId = rs.getLong(1);
      }
      bumpUid.setLong(1, folderId);
      bumpUid.executeUpdate();
      long uid = single(readUid, folderId) - 1;
      bumpModSeq.setLong(1, folderId);
      bumpModSeq.executeUpdate();
      long modSeq = single(readModSeq, folderId);
      upsertBlob.setString(1, blob);
      upsertBlob.setLong(2, size);
      upsertBlob.setInt(3, 1);
      upsertBlob.executeUpdate();
      insertMessage.setLong(1, folderId);
      insertMessage.setLong(2, uid);
      insertMessage.setString(3, blob);
      insertMessage.setLong(4, size);
      insertMessage.setLong(5, System.currentTimeMillis());
      insertMessage.setInt(6, 0);
      insertMessage.setString(7, "");
      insertMessage.setLong(8, modSeq);
      insertMessage.executeUpdate();
    }

    void commitDurably() throws SQLException {
      c.commit();
      afterCommit(engine, plain);
    }

    void rollbackQuietly() {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the transaction is gone either way
      }
    }

    @Override
    public void close() throws SQLException {
      c.close();
    }
  }

  private static long single(PreparedStatement ps, long arg) throws SQLException {
    ps.setLong(1, arg);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("no row for " + arg);
      }
      return rs.getLong(1);
    }
  }

  private static String account(int i) {
    return String.format(Locale.ROOT, "user%05d@example.test", i);
  }

  /** A distinct 64-hex-digit blob id, the shape of a SHA-256. */
  private static String blobId(long thread, long seq) {
    return String.format(
        Locale.ROOT, "%016x%016x%032x", 0x5eedL * (thread + 1), seq, (thread << 40) ^ seq);
  }

  private static void createSchema(Engine engine, Path dbDir, int accounts) throws SQLException {
    try (Connection c = connect(engine, dbDir, true);
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      for (String ddl : schema(engine)) {
        s.execute(ddl);
      }
      try (PreparedStatement a =
              c.prepareStatement("INSERT INTO accounts (id, created_at) VALUES (?, ?)");
          PreparedStatement f =
              c.prepareStatement(
                  "INSERT INTO folders (account_id, name, uidvalidity, uidnext, highest_modseq,"
                      + " subscribed, role) VALUES (?, ?, ?, 1, 1, 1, 'inbox')")) {
        for (int i = 0; i < accounts; i++) {
          a.setString(1, account(i));
          a.setLong(2, System.currentTimeMillis());
          a.addBatch();
          f.setString(1, account(i));
          f.setString(2, INBOX);
          f.setLong(3, i + 1L);
          f.addBatch();
        }
        a.executeBatch();
        f.executeBatch();
      }
      c.commit();
      afterCommit(engine, s);
    }
  }

  // ---------------------------------------------------------------- a) durable deliveries

  /** The measured window: warm-up (0), measuring (1), stopping (2). */
  private static final class Phase {
    volatile int value;
    volatile boolean leaderStop;
    final LongAdder commits = new LongAdder();
    final LongAdder syncs = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder delivered = new LongAdder();

    boolean running() {
      return value < 2;
    }

    void delivered(long n) {
      delivered.add(n);
      if (value == 1) {
        commits.add(n);
      }
    }

    void synced() {
      if (value == 1) {
        syncs.increment();
      }
    }
  }

  /** A delivery waiting for the group-commit leader. */
  private record Pending(String account, String blob, long size, CompletableFuture<Boolean> done) {}

  /** Runs one delivery load; see the class comment. */
  public static DeliveryResult deliveries(Options o) throws SQLException, InterruptedException {
    Path dbDir = newDbDir(o);
    try {
      createSchema(o.engine(), dbDir, o.accounts());
      Phase phase = new Phase();
      List<Session> sessions = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      List<Thread> leaders = new ArrayList<>();
      try {
        switch (o.strategy()) {
          case SERIAL -> {
            Session writer = new Session(o.engine(), dbDir);
            sessions.add(writer);
            ReentrantLock lock = new ReentrantLock();
            for (int t = 0; t < o.threads(); t++) {
              threads.add(
                  worker(
                      t, o, phase, (account, blob) -> serial(lock, writer, phase, account, blob)));
            }
          }
          case GROUP -> {
            Session writer = new Session(o.engine(), dbDir);
            sessions.add(writer);
            BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
            leaders.add(
                Thread.ofPlatform().name("leader").unstarted(() -> leader(writer, queue, phase)));
            for (int t = 0; t < o.threads(); t++) {
              threads.add(worker(t, o, phase, (account, blob) -> enqueue(queue, account, blob)));
            }
          }
          case MVCC, MVCC_SHARED_SYNC -> {
            SharedSync shared = o.strategy() == Strategy.MVCC_SHARED_SYNC ? new SharedSync() : null;
            for (int t = 0; t < o.threads(); t++) {
              Session own = new Session(o.engine(), dbDir);
              sessions.add(own);
              threads.add(
                  worker(t, o, phase, (account, blob) -> own(own, shared, phase, account, blob)));
            }
          }
        }
        leaders.forEach(Thread::start);
        threads.forEach(Thread::start);
        // The driver's clock: this thread waits out the warm-up and the measured window.
        Thread.sleep(o.warmup().toMillis());
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        phase.value = 1;
        Thread.sleep(o.measure().toMillis());
        phase.value = 2;
        long t1 = System.nanoTime();
        long cpu1 = processCpuNanos();
        stop(phase, threads, leaders);
        long peak = peakHeapBytes();
        long rows;
        long uids;
        try (Connection c = connect(o.engine(), dbDir, false);
            Statement s = c.createStatement()) {
          rows = count(s, "SELECT COUNT(*) FROM messages");
          uids = count(s, "SELECT COALESCE(SUM(uidnext - 1), 0) FROM folders");
        }
        return new DeliveryResult(
            o.engine(),
            o.strategy(),
            phase.commits.sum(),
            phase.syncs.sum(),
            (t1 - t0) / 1e9,
            (cpu1 - cpu0) / 1e9,
            phase.failures.sum(),
            phase.delivered.sum(),
            rows,
            uids,
            peak);
      } finally {
        stop(phase, threads, leaders);
        for (Session s : sessions) {
          s.close();
        }
      }
    } finally {
      deleteTree(dbDir);
    }
  }

  /** Workers first (the leader still serves them), then the leader. */
  private static void stop(Phase phase, List<Thread> workers, List<Thread> leaders)
      throws InterruptedException {
    phase.value = 2;
    for (Thread t : workers) {
      t.join();
    }
    phase.leaderStop = true;
    for (Thread t : leaders) {
      t.join();
    }
  }

  /**
   * Shares fsyncs among concurrent committers: a commit is durable once an fsync that started after
   * the commit returned has completed. Thread-safe.
   */
  private static final class SharedSync {
    private final AtomicLong committed = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private long synced; // guarded by lock

    void commitDurably(Session s, Phase phase) throws SQLException {
      s.c.commit(); // H2 with WRITE_DELAY=0: the chunk is written when commit returns
      long mine = committed.incrementAndGet();
      lock.lock();
      try {
        if (synced >= mine) {
          return;
        }
        long target = committed.get(); // every commit counted here was written before this fsync
        afterCommit(s.engine, s.plain);
        synced = target;
        phase.synced();
      } finally {
        lock.unlock();
      }
    }
  }

  @FunctionalInterface
  private interface Delivery {
    /** Delivers one message durably; false when the delivery failed. */
    boolean deliver(String account, String blob) throws SQLException, InterruptedException;
  }

  private static Thread worker(int index, Options o, Phase phase, Delivery delivery) {
    return Thread.ofPlatform()
        .name("deliver-" + index)
        .unstarted(
            () -> {
              long seq = 0;
              try {
                while (phase.running()) {
                  String account = account(ThreadLocalRandom.current().nextInt(o.accounts()));
                  if (!delivery.deliver(account, blobId(index, seq++))) {
                    phase.failures.increment();
                  }
                }
              } catch (SQLException e) {
                phase.failures.increment();
                throw new IllegalStateException("delivery failed: " + e.getMessage(), e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }

  private static boolean serial(
      ReentrantLock lock, Session writer, Phase phase, String account, String blob) {
    lock.lock();
    try {
      writer.deliver(account, blob, MESSAGE_SIZE);
      writer.commitDurably();
      phase.synced();
      phase.delivered(1);
      return true;
    } catch (SQLException e) {
      writer.rollbackQuietly();
      return false;
    } finally {
      lock.unlock();
    }
  }

  private static boolean own(
      Session own, SharedSync shared, Phase phase, String account, String blob) {
    try {
      own.deliver(account, blob, MESSAGE_SIZE);
      if (shared == null) {
        own.commitDurably();
        phase.synced();
      } else {
        shared.commitDurably(own, phase);
      }
      phase.delivered(1);
      return true;
    } catch (SQLException e) {
      own.rollbackQuietly();
      return false;
    }
  }

  private static boolean enqueue(BlockingQueue<Pending> queue, String account, String blob)
      throws InterruptedException {
    Pending p = new Pending(account, blob, MESSAGE_SIZE, new CompletableFuture<>());
    queue.add(p);
    try {
      return p.done().get();
    } catch (ExecutionException e) {
      return false;
    }
  }

  /** Group commit: drain what is pending, one savepoint each, one durable commit for all. */
  private static void leader(Session writer, BlockingQueue<Pending> queue, Phase phase) {
    List<Pending> batch = new ArrayList<>(MAX_GROUP);
    List<Boolean> ok = new ArrayList<>(MAX_GROUP);
    try {
      while (!phase.leaderStop) {
        Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_GROUP - 1);
        try {
          for (Pending p : batch) {
            Savepoint sp = writer.c.setSavepoint();
            try {
              writer.deliver(p.account(), p.blob(), p.size());
              writer.c.releaseSavepoint(sp);
              ok.add(true);
            } catch (SQLException e) {
              writer.c.rollback(sp);
              ok.add(false);
            }
          }
          writer.commitDurably();
          phase.synced();
          long good = ok.stream().filter(b -> b).count();
          phase.delivered(good);
          for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(ok.get(i));
          }
        } catch (SQLException e) {
          writer.rollbackQuietly();
          batch.forEach(p -> p.done().completeExceptionally(e));
        }
        batch.clear();
        ok.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      IllegalStateException stopped = new IllegalStateException("leader stopped");
      queue.forEach(p -> p.done().completeExceptionally(stopped));
    }
  }

  // ---------------------------------------------------------------- b) one big mailbox

  /** Loads {@code rows} messages into one folder, then times its read paths. */
  public static MailboxResult mailbox(Options o) throws SQLException {
    Path dbDir = newDbDir(o);
    try {
      createSchema(o.engine(), dbDir, 1);
      String account = account(0);
      long folderId;
      long loadStart = System.nanoTime();
      try (Session w = new Session(o.engine(), dbDir)) {
        folderId = folderId(w.c, account);
        try (PreparedStatement blob =
                w.c.prepareStatement("INSERT INTO blobs (id, size, refcount) VALUES (?, ?, 1)");
            PreparedStatement msg =
                w.c.prepareStatement(
                    "INSERT INTO messages (folder_id, uid, blob_id, size, internal_date,"
                        + " system_flags, keywords, modseq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
          long now = System.currentTimeMillis();
          for (int uid = 1; uid <= o.rows(); uid++) {
            String id = blobId(0, uid);
            long size = 2_000 + (uid * 7919L) % 100_000;
            blob.setString(1, id);
            blob.setLong(2, size);
            blob.addBatch();
            msg.setLong(1, folderId);
            msg.setLong(2, uid);
            msg.setString(3, id);
            msg.setLong(4, size);
            msg.setLong(5, now - (o.rows() - uid) * 60_000L);
            // Every tenth message unseen, every fiftieth flagged with a keyword.
            msg.setInt(6, uid % 10 == 0 ? 0 : SEEN | (uid % 50 == 0 ? 4 : 0));
            msg.setString(7, uid % 50 == 0 ? "$Important" : "");
            msg.setLong(8, uid + 1L);
            msg.addBatch();
            if (uid % LOAD_BATCH == 0 || uid == o.rows()) {
              blob.executeBatch();
              msg.executeBatch();
              try (PreparedStatement f =
                  w.c.prepareStatement(
                      "UPDATE folders SET uidnext = ?, highest_modseq = ? WHERE id = ?")) {
                f.setLong(1, uid + 1L);
                f.setLong(2, uid + 1L);
                f.setLong(3, folderId);
                f.executeUpdate();
              }
              w.commitDurably();
            }
          }
        }
      }
      double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
      // Every connection is closed: SQLite has checkpointed and removed its WAL, H2 has closed
      // (and briefly compacted) its file.
      long disk = treeSize(dbDir);
      // --compact-first: read from the rewritten file (H2's durable mode runs no background
      // compaction, so a live H2 file is the uncompacted one).
      long compactedFirst = o.compactBeforeReads() ? compact(o.engine(), dbDir) : 0;
      MailboxResult measured;
      try (Connection c = connect(o.engine(), dbDir, false);
          PreparedStatement counts =
              c.prepareStatement(
                  "SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(CASE WHEN "
                      + unseen(o.engine())
                      + " THEN 1 ELSE 0 END), 0) FROM messages WHERE folder_id = ?");
          PreparedStatement folder =
              c.prepareStatement(
                  "SELECT id, uidvalidity, uidnext, highest_modseq FROM folders"
                      + " WHERE account_id = ? AND name = ?");
          PreparedStatement all =
              c.prepareStatement(
                  "SELECT uid, system_flags, keywords FROM messages WHERE folder_id = ?"
                      + " ORDER BY uid");
          PreparedStatement range =
              c.prepareStatement(
                  "SELECT uid, system_flags, keywords, internal_date, size, modseq, blob_id"
                      + " FROM messages WHERE folder_id = ? AND uid >= ? AND uid <= ?"
                      + " ORDER BY uid")) {
        long[] out = new long[3];
        Timing counters =
            time(
                o.repeats(),
                () -> {
                  folder.setString(1, account);
                  folder.setString(2, INBOX);
                  try (ResultSet rs = folder.executeQuery()) {
                    rs.next();
                    out[2] = rs.getLong(3);
                  }
                  counts.setLong(1, folderId);
                  try (ResultSet rs = counts.executeQuery()) {
                    rs.next();
                    out[0] = rs.getLong(3);
                  }
                });
        long unseen = out[0];
        long uidNext = out[2];
        Timing fetchAll =
            time(
                o.repeats(),
                () -> {
                  all.setLong(1, folderId);
                  long n = 0;
                  try (ResultSet rs = all.executeQuery()) {
                    while (rs.next()) {
                      rs.getLong(1);
                      rs.getInt(2);
                      rs.getString(3);
                      n++;
                    }
                  }
                  out[1] = n;
                });
        long fetched = out[1];
        Timing range100 =
            time(
                o.repeats() * 10,
                () -> {
                  long from = 1 + ThreadLocalRandom.current().nextLong(Math.max(1, o.rows() - 99));
                  range.setLong(1, folderId);
                  range.setLong(2, from);
                  range.setLong(3, from + 99);
                  long n = 0;
                  try (ResultSet rs = range.executeQuery()) {
                    while (rs.next()) {
                      rs.getLong(1);
                      rs.getString(7);
                      n++;
                    }
                  }
                  out[1] = n;
                });
        measured =
            new MailboxResult(
                o.engine(),
                o.rows(),
                loadSeconds,
                disk,
                0,
                counters,
                fetchAll,
                range100,
                fetched,
                out[1],
                unseen,
                uidNext,
                peakHeapBytes());
      }
      long compacted = o.compactBeforeReads() ? compactedFirst : compact(o.engine(), dbDir);
      MailboxResult m = measured;
      return new MailboxResult(
          m.engine(),
          m.rows(),
          m.loadSeconds(),
          m.diskBytes(),
          compacted,
          m.counters(),
          m.fetchAllFlags(),
          m.range100(),
          m.fetchedRows(),
          m.rangeRows(),
          m.unseen(),
          m.uidNext(),
          m.peakHeapBytes());
    } finally {
      deleteTree(dbDir);
    }
  }

  /** Rewrites the database at its smallest (SQLite VACUUM, H2 SHUTDOWN COMPACT); its size. */
  private static long compact(Engine engine, Path dbDir) throws SQLException {
    try (Connection c = connect(engine, dbDir, false);
        Statement s = c.createStatement()) {
      s.execute(engine == Engine.SQLITE ? "VACUUM" : "SHUTDOWN COMPACT");
    }
    return treeSize(dbDir);
  }

  @FunctionalInterface
  private interface Op {
    void run() throws SQLException;
  }

  private static Timing time(int repeats, Op op) throws SQLException {
    op.run(); // warm: first read after open, statement compilation
    long[] nanos = new long[repeats];
    long cpu0 = processCpuNanos();
    for (int i = 0; i < repeats; i++) {
      long t0 = System.nanoTime();
      op.run();
      nanos[i] = System.nanoTime() - t0;
    }
    long cpu = processCpuNanos() - cpu0;
    Arrays.sort(nanos);
    return new Timing(nanos[repeats / 2] / 1e6, cpu / 1e3 / repeats);
  }

  private static long folderId(Connection c, String account) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT id FROM folders WHERE account_id = ? AND name = ?")) {
      ps.setString(1, account);
      ps.setString(2, INBOX);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  // ---------------------------------------------------------------- c) CPU, heap, files

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Sum of the heap pools' peak usage since the JVM started. */
  private static long peakHeapBytes() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Path newDbDir(Options o) {
    try {
      Files.createDirectories(o.dir());
      return Files.createTempDirectory(
          o.dir(), "meta-" + o.engine().name().toLowerCase(Locale.ROOT) + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long treeSize(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(MetadataEngineLoad::size).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- output

  static String format(DeliveryResult r) {
    return String.format(
        Locale.ROOT,
        "RESULT mode=deliveries engine=%s strategy=%s commits=%d seconds=%.2f commits_per_s=%.1f"
            + " cpu_us_per_commit=%.1f syncs=%d deliveries_per_sync=%.2f failures=%d"
            + " delivered_total=%d message_rows=%d uids_allocated=%d peak_heap_mb=%.1f",
        r.engine().name().toLowerCase(Locale.ROOT),
        r.strategy().name().toLowerCase(Locale.ROOT),
        r.commits(),
        r.seconds(),
        r.commitsPerSecond(),
        r.cpuMicrosPerCommit(),
        r.syncs(),
        r.deliveriesPerSync(),
        r.failures(),
        r.deliveredTotal(),
        r.messageRows(),
        r.uidsAllocated(),
        r.peakHeapBytes() / 1048576.0);
  }

  static String format(MailboxResult r) {
    return String.format(
        Locale.ROOT,
        "RESULT mode=mailbox engine=%s rows=%d load_s=%.1f load_rows_per_s=%.0f disk_mb=%.1f"
            + " compacted_mb=%.1f"
            + " counters_ms=%.2f counters_cpu_us=%.0f fetch_all_ms=%.1f fetch_all_cpu_us=%.0f"
            + " range100_ms=%.3f range100_cpu_us=%.0f fetched=%d range_rows=%d unseen=%d"
            + " uidnext=%d peak_heap_mb=%.1f",
        r.engine().name().toLowerCase(Locale.ROOT),
        r.rows(),
        r.loadSeconds(),
        r.rows() / r.loadSeconds(),
        r.diskBytes() / 1048576.0,
        r.compactedDiskBytes() / 1048576.0,
        r.counters().medianMillis(),
        r.counters().cpuMicrosPerOp(),
        r.fetchAllFlags().medianMillis(),
        r.fetchAllFlags().cpuMicrosPerOp(),
        r.range100().medianMillis(),
        r.range100().cpuMicrosPerOp(),
        r.fetchedRows(),
        r.rangeRows(),
        r.unseen(),
        r.uidNext(),
        r.peakHeapBytes() / 1048576.0);
  }
}
