package org.carbonio.store.internal.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Set;

/**
 * Owns a metadata backend's connections and runs {@link Work} in transactions. Each backend has
 * one: it decides how writers are serialized (SQLite: one writer connection; PostgreSQL:
 * per-account locks in concurrent transactions) and how commits are made durable.
 *
 * <p>Failures surface as {@link org.carbonio.store.StoreException}: a {@code StoreException} thrown
 * by the work passes through unchanged (after a rollback), an {@link java.sql.SQLException} becomes
 * {@link org.carbonio.store.StoreException.Unavailable}.
 *
 * <p>Implementations are thread-safe.
 */
public interface Transactor extends AutoCloseable {

  /**
   * Runs {@code work} in a write transaction and commits it durably before returning.
   *
   * @param accounts the accounts whose data the work changes (a backend with concurrent writers
   *     locks them, in a fixed order, for the duration of the transaction)
   */
  <T> T write(Collection<String> accounts, Work<T> work);

  /**
   * Called by a write's work, inside its transaction and after its statements, with the folders it
   * changed: a backend that several nodes share tells the other nodes here, so that the message
   * reaches them if and only if the transaction commits. Does nothing by default.
   */
  default void publish(Connection c, Set<Long> changedFolders, Set<Long> deletedFolders)
      throws SQLException {}

  /**
   * Whether several processes write to this database. Then blob garbage collection and writes that
   * reuse a stored blob interlock through the blob rows (see {@code
   * JdbcMetadataStore#deleteUnreferenced}); otherwise the store's in-process gate serializes them.
   */
  default boolean shared() {
    return false;
  }

  /**
   * Runs {@code work} like {@link #write} but may return before the commit is on disk: it survives
   * a crash of this process (kill -9) at once, and a power loss or an operating-system crash once a
   * later durable commit or a checkpoint has run. The database is consistent either way. For
   * changes whose loss in a power failure is harmless and that release nothing (flag changes, as
   * Dovecot's {@code mail_fsync = optimized} treats them). The default marks the transaction with
   * {@link #commitAsynchronously}.
   */
  default <T> T writeUnsynced(Collection<String> accounts, Work<T> work) {
    return write(
        accounts,
        c -> {
          commitAsynchronously(c);
          return work.run(c);
        });
  }

  /**
   * Called by a write's work, inside its transaction: lets the commit return before it is durable,
   * for work whose loss in a crash is harmless (garbage collection). Does nothing by default.
   */
  default void commitAsynchronously(Connection c) throws SQLException {}

  /** Runs {@code work} in a read-only transaction that sees one consistent state. */
  <T> T read(Work<T> work);

  /** Waits (bounded) for a running write, then closes every connection. Idempotent. */
  @Override
  void close();
}
