package org.carbonio.store.internal.postgres;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How to reach the PostgreSQL metadata database.
 *
 * <p>Immutable.
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/database}
 * @param user the role to connect as
 * @param password its password (empty for none); never printed
 * @param maxConnections size of the connection pool, which bounds concurrent transactions
 * @param lockTimeout how long a write waits for an account's lock before failing
 */
public record PostgresSettings(
    String jdbcUrl, String user, String password, int maxConnections, Duration lockTimeout) {
  /** Default pool size. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10;

  /** Default wait for an account's write lock. */
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);

  /** Checks the values. */
  public PostgresSettings {
    requireNonNull(jdbcUrl, "jdbcUrl");
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    requireNonNull(lockTimeout, "lockTimeout");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + jdbcUrl);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections " + maxConnections);
    }
    if (lockTimeout.isNegative() || lockTimeout.isZero()) {
      throw new IllegalArgumentException("lockTimeout " + lockTimeout);
    }
  }

  /** Settings with the default pool size and lock timeout. */
  public static PostgresSettings of(String jdbcUrl, String user, String password) {
    return new PostgresSettings(
        jdbcUrl, user, password, DEFAULT_MAX_CONNECTIONS, DEFAULT_LOCK_TIMEOUT);
  }

  @Override
  public String toString() {
    return "PostgresSettings[jdbcUrl="
        + jdbcUrl
        + ", user="
        + user
        + ", password=<redacted>, maxConnections="
        + maxConnections
        + ", lockTimeout="
        + lockTimeout
        + "]";
  }
}
