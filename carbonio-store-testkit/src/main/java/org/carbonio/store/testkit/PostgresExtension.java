package org.carbonio.store.testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server for tests. One server is started per test run, the first time a test
 * class needs it, and shared by every class through the root {@link ExtensionContext} store, which
 * stops it (and deletes its files) when the run ends. Each test class gets a fresh database,
 * dropped after the class.
 *
 * {@snippet :
 * class MyPostgresTest {
 *   @RegisterExtension static PostgresExtension pg = new PostgresExtension();
 *
 *   @Test
 *   void connects() throws Exception {
 *     try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {}
 *   }
 * }
 * }
 *
 * <p>The server binaries come from Debian's {@code postgresql} package ({@code
 * /usr/lib/postgresql/15/bin}, or the directory in system property {@code carbonio.postgres.bin}).
 * If they are missing, the class fails with a message naming the missing binary: tests are not
 * skipped silently. As root, the server runs as the OS user {@code postgres}.
 *
 * <p>Register it as a static field ({@code @RegisterExtension static}); class-level lifecycle.
 * Thread-safe.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PostgresExtension.class);

  private volatile PostgresServer server;
  private volatile String database;
  private final List<String> created = new CopyOnWriteArrayList<>();

  @Override
  public void beforeAll(ExtensionContext context) {
    server =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .computeIfAbsent(
                PostgresServer.class, k -> PostgresServer.start(), PostgresServer.class);
    database = server.createDatabase();
    created.add(database);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    for (String db : created) {
      server.dropDatabase(db);
    }
    created.clear();
  }

  /** The JDBC URL of this test class's database. */
  public String jdbcUrl() {
    return server().url(database);
  }

  /**
   * Creates another empty database (dropped after the class, like the class's own) and returns its
   * JDBC URL: for tests that need a fresh one each.
   */
  public String createDatabase() {
    String db = server().createDatabase();
    created.add(db);
    return server().url(db);
  }

  /**
   * Creates a database as a copy of one of this server's databases, given by its JDBC URL (from
   * {@link #jdbcUrl} or {@link #createDatabase}), and returns the copy's URL; dropped after the
   * class. Sessions still open on the source are ended first. Copying a migrated database is much
   * faster than migrating a fresh one in every test.
   */
  public String copyDatabase(String sourceJdbcUrl) {
    String prefix = server().url("");
    if (!sourceJdbcUrl.startsWith(prefix)) {
      throw new IllegalArgumentException("not a database of this server: " + sourceJdbcUrl);
    }
    String db = server().copyDatabase(sourceJdbcUrl.substring(prefix.length()));
    created.add(db);
    return server().url(db);
  }

  /** The superuser to connect as. */
  public String user() {
    return PostgresServer.USER;
  }

  /** The password (none: the server trusts local connections). */
  public String password() {
    return "";
  }

  /** The server's TCP port on 127.0.0.1. */
  public int port() {
    return server().port();
  }

  private PostgresServer server() {
    PostgresServer s = server;
    if (s == null) {
      throw new IllegalStateException(
          "PostgresExtension not started: register it with @RegisterExtension on a static field");
    }
    return s;
  }
}
