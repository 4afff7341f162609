package org.carbonio.store.internal.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.carbonio.store.StoreException;
import org.carbonio.store.internal.jdbc.Migrations;
import org.carbonio.store.internal.jdbc.Transactor;
import org.carbonio.store.internal.jdbc.Work;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactions on a PostgreSQL database that several nodes share, over a HikariCP pool.
 *
 * <p>Writes run in READ COMMITTED and first take {@code pg_advisory_xact_lock} on each account they
 * change, in ascending key order (so that multi-account deliveries cannot deadlock on these locks):
 * writes to one account are serialized across all nodes, writes to different accounts commit
 * concurrently. Rows that several accounts share (the UIDVALIDITY counter, blob reference counts)
 * are changed with row locks taken by the UPDATE or the upsert itself. A write that fails with a
 * serialization failure or a deadlock (SQLSTATE 40001, 40P01) is rolled back and run again, whole,
 * up to {@link #MAX_ATTEMPTS} times. Reads run in a REPEATABLE READ READ ONLY transaction, so that
 * all their statements see one snapshot.
 *
 * <p>After its statements, a write NOTIFYs channel {@link #CHANNEL} with the folders it changed,
 * inside the same transaction (PostgreSQL delivers it only on commit); {@link
 * PostgresChangeListener} turns other nodes' notifications into watch callbacks.
 *
 * <p>Thread-safe.
 */
public final class PostgresTransactor implements Transactor {
  private static final Logger log = LoggerFactory.getLogger(PostgresTransactor.class);

  /** Attempts of a write that meets serialization failures or deadlocks. */
  public static final int MAX_ATTEMPTS = 5;

  /** The LISTEN/NOTIFY channel of change notifications. */
  public static final String CHANNEL = "carbonio_store";

  /** Longest a statement may run before PostgreSQL cancels it (statement_timeout). */
  public static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(60);

  /** PostgreSQL's NOTIFY payload limit is 8000 bytes; stay below it. */
  static final int MAX_PAYLOAD = 7900;

  private final HikariDataSource pool;
  private final PostgresSettings settings;
  private final String nodeId = UUID.randomUUID().toString();
  private volatile boolean closed;

  private PostgresTransactor(HikariDataSource pool, PostgresSettings settings) {
    this.pool = pool;
    this.settings = settings;
  }

  /** Opens the pool and migrates the schema. */
  public static PostgresTransactor openTransactor(PostgresSettings settings) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("carbonio-store-pg");
    hc.setJdbcUrl(settings.jdbcUrl());
    hc.setUsername(settings.user());
    hc.setPassword(settings.password());
    hc.setMaximumPoolSize(settings.maxConnections());
    hc.setMinimumIdle(Math.min(2, settings.maxConnections()));
    hc.setAutoCommit(false);
    hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    hc.setConnectionTimeout(settings.lockTimeout().toMillis());
    // lock_timeout bounds the wait for an account's advisory lock (SQLSTATE 55P03),
    // statement_timeout every statement, socketTimeout a server that stopped answering.
    hc.addDataSourceProperty(
        "options",
        "-c lock_timeout="
            + settings.lockTimeout().toMillis()
            + " -c statement_timeout="
            + STATEMENT_TIMEOUT.toMillis());
    hc.addDataSourceProperty("socketTimeout", String.valueOf(2 * STATEMENT_TIMEOUT.toSeconds()));
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StoreException.Unavailable(
          "cannot connect to PostgreSQL at " + settings.jdbcUrl() + ": " + e.getMessage(), e);
    }
    try {
      Migrations.migrate(pool, Migrations.POSTGRESQL);
    } catch (FlywayException e) {
      pool.close();
      throw new StoreException.Unavailable(
          "cannot migrate the PostgreSQL schema at " + settings.jdbcUrl() + ": " + e.getMessage(),
          e);
    }
    return new PostgresTransactor(pool, settings);
  }

  /** This instance's id in notifications, so that it can ignore its own. */
  public String nodeId() {
    return nodeId;
  }

  /** Where this transactor connects (for a listener connection). */
  public PostgresSettings settings() {
    return settings;
  }

  /** The advisory lock key of an account: the first 8 bytes of SHA-256("account:" + id). */
  static long lockKey(String account) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(("account:" + account).getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(h).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  @Override
  public <T> T write(Collection<String> accounts, Work<T> work) {
    // Sorted by key, not by name: two names with the same key must not be locked in two orders.
    long[] keys =
        accounts.stream().mapToLong(PostgresTransactor::lockKey).distinct().sorted().toArray();
    for (int attempt = 1; ; attempt++) {
      checkOpen();
      try (Connection c = pool.getConnection()) {
        try {
          try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            for (long key : keys) {
              ps.setLong(1, key);
              ps.executeQuery().close();
            }
          }
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          rollback(c, e);
          throw e;
        }
      } catch (SQLException e) {
        if (retryable(e) && attempt < MAX_ATTEMPTS) {
          log.debug("metadata write attempt {} failed ({}); retrying", attempt, e.getSQLState());
          continue;
        }
        throw unavailable("metadata write failed", e);
      }
    }
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public void commitAsynchronously(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL synchronous_commit = off");
    }
  }

  @Override
  public <T> T read(Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      checkOpen();
      try (Connection c = pool.getConnection()) {
        try {
          try (Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
          }
          return work.run(c);
        } finally {
          rollback(c, null);
        }
      } catch (SQLException e) {
        if (retryable(e) && attempt < MAX_ATTEMPTS) {
          continue;
        }
        throw unavailable("metadata read failed", e);
      }
    }
  }

  @Override
  public void publish(Connection c, Set<Long> changedFolders, Set<Long> deletedFolders)
      throws SQLException {
    List<String> payloads = ChangePayload.encode(nodeId, changedFolders, deletedFolders);
    if (payloads.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      for (String p : payloads) {
        ps.setString(1, CHANNEL);
        ps.setString(2, p);
        ps.executeQuery().close();
      }
    }
  }

  /** SQLSTATE 40001 serialization_failure, 40P01 deadlock_detected. */
  static boolean retryable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s
          && ("40001".equals(s.getSQLState()) || "40P01".equals(s.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  private static StoreException.Unavailable unavailable(String what, SQLException e) {
    if ("55P03".equals(e.getSQLState())) {
      return new StoreException.Unavailable(
          what + ": lock wait timed out (another writer holds the account or a blob row)", e);
    }
    return new StoreException.Unavailable(what + ": " + e.getMessage(), e);
  }

  private static void rollback(Connection c, Exception primary) {
    try {
      c.rollback();
    } catch (SQLException e) {
      if (primary != null) {
        primary.addSuppressed(e);
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreException.Unavailable("store is closed", null);
    }
  }

  /** Closes the pool; HikariCP waits (bounded) for connections in use. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pool.close();
  }
}
