package org.carbonio.store.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One private PostgreSQL server: a fresh cluster in a temporary directory, listening on 127.0.0.1
 * and a free port, stopped and deleted on {@link #close}. Started as the OS user {@code postgres}
 * when the JVM runs as root (PostgreSQL refuses to run as root).
 *
 * <p>Thread-safe.
 */
public final class PostgresServer implements AutoCloseable {
  /** Where Debian's postgresql package (PostgreSQL 15) puts the server binaries. */
  static final Path DEFAULT_BIN = Path.of("/usr/lib/postgresql/15/bin");

  /** System property that overrides {@link #DEFAULT_BIN}. */
  static final String BIN_PROPERTY = "carbonio.postgres.bin";

  static final String USER = "postgres";
  private static final int START_ATTEMPTS = 3;
  private static final long COMMAND_TIMEOUT_SECONDS = 120;

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asRoot;
  private final AtomicInteger databases = new AtomicInteger();
  private final Thread shutdownHook;
  private volatile boolean stopped;

  private final boolean durable;

  private PostgresServer(Path bin, Path dir, int port, boolean asRoot, boolean durable) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asRoot = asRoot;
    this.durable = durable;
    this.shutdownHook = new Thread(this::stop, "postgres-test-stop");
  }

  /** Creates a cluster and starts it, with the binaries of {@link #BIN_PROPERTY} or the default. */
  static PostgresServer start() {
    return start(Path.of(System.getProperty(BIN_PROPERTY, DEFAULT_BIN.toString())), false);
  }

  /**
   * Creates a cluster with PostgreSQL's default durability (fsync, synchronous commit, full page
   * writes) and starts it, for load runs that compare durable commits. Tests use the faster,
   * non-durable cluster of {@link PostgresExtension}.
   */
  public static PostgresServer startDurable() {
    return start(Path.of(System.getProperty(BIN_PROPERTY, DEFAULT_BIN.toString())), true);
  }

  /** Creates a cluster and starts it, with the binaries in {@code bin}. */
  static PostgresServer start(Path bin, boolean durable) {
    for (String tool : List.of("initdb", "pg_ctl")) {
      if (!Files.isExecutable(bin.resolve(tool))) {
        throw new IllegalStateException(
            "PostgreSQL is not installed: "
                + bin.resolve(tool)
                + " is missing (Debian: apt-get install postgresql; or set -D"
                + BIN_PROPERTY
                + " to the directory of initdb and pg_ctl)");
      }
    }
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    IllegalStateException last = null;
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      Path dir = null;
      try {
        dir = Files.createTempDirectory("carbonio-pg-");
        PostgresServer s = new PostgresServer(bin, dir, freePort(), asRoot, durable);
        s.initAndStart();
        return s;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start PostgreSQL", e);
      } catch (IllegalStateException e) {
        // Most likely another process took the port between freePort() and the start.
        last = e;
        deleteTree(dir);
      }
    }
    throw last;
  }

  /**
   * A port that was free a moment ago. PostgreSQL cannot bind port 0 itself, so this binds port 0,
   * reads the port and closes the socket; another process may take the port before PostgreSQL binds
   * it (a tiny race, handled by retrying the start).
   */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void initAndStart() throws IOException {
    Path data = dir.resolve("data");
    if (asRoot) {
      UserPrincipal pg =
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
      Files.setOwner(dir, pg);
    }
    run(
        bin.resolve("initdb").toString(),
        "-D",
        data.toString(),
        "-A",
        "trust",
        "-U",
        USER,
        "--locale=C.UTF-8",
        "-E",
        "UTF8",
        "--no-sync");
    // Test settings: durability off (the cluster is thrown away), enough connections for pools.
    String options =
        "-p "
            + port
            + " -c listen_addresses=127.0.0.1 -k "
            + dir
            + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            + " -c max_connections=300";
    run(
        bin.resolve("pg_ctl").toString(),
        "-D",
        data.toString(),
        "-o",
        options,
        "-l",
        dir.resolve("server.log").toString(),
        "-w",
        "start");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  private void run(String... command) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (asRoot) {
      cmd.addAll(List.of("runuser", "-u", USER, "--"));
    }
    cmd.addAll(List.of(command));
    Path out = Files.createTempFile("carbonio-pg-cmd-", ".log");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .directory(dir.toFile())
              .start();
      boolean done;
      try {
        done = p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new IllegalStateException("interrupted running " + cmd, e);
      }
      if (!done) {
        p.destroyForcibly();
        throw new IllegalStateException(
            cmd + " did not finish in " + COMMAND_TIMEOUT_SECONDS + "s");
      }
      if (p.exitValue() != 0) {
        String log = Files.readString(out);
        Path serverLog = dir.resolve("server.log");
        if (Files.exists(serverLog)) {
          log += Files.readString(serverLog);
        }
        throw new IllegalStateException(cmd + " failed (" + p.exitValue() + "):\n" + log);
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** The superuser to connect as (no password: trust authentication on 127.0.0.1). */
  public String user() {
    return USER;
  }

  /** The postmaster's process id (from {@code postmaster.pid}), for CPU accounting in load runs. */
  public long pid() {
    try {
      return Long.parseLong(
          Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).getFirst().strip());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read postmaster.pid", e);
    }
  }

  int port() {
    return port;
  }

  /** The JDBC URL of a database of this server. */
  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** Creates an empty database and returns its name. */
  public String createDatabase() {
    String name = "carbonio_test_" + databases.incrementAndGet();
    // FILE_COPY: faster than the default WAL_LOG strategy for a small template with fsync off.
    admin("CREATE DATABASE " + name + " STRATEGY FILE_COPY");
    return name;
  }

  /**
   * Creates a database as a copy of {@code template} (after ending the template's sessions, which
   * would make the copy fail) and returns its name.
   */
  String copyDatabase(String template) {
    String name = "carbonio_test_" + databases.incrementAndGet();
    admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
            + template
            + "' AND pid <> pg_backend_pid()");
    admin("CREATE DATABASE " + name + " TEMPLATE " + template + " STRATEGY FILE_COPY");
    return name;
  }

  /** Drops a database, disconnecting its sessions. */
  void dropDatabase(String name) {
    admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  private void admin(String sql) {
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
    }
  }

  /** Stops the server (immediate mode) and deletes its directory. Idempotent. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException ignored) {
      // the JVM is shutting down; the hook runs stop() again, which does nothing
    }
  }

  private synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      run(
          bin.resolve("pg_ctl").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-m",
          "immediate",
          "stop");
    } catch (IOException | IllegalStateException e) {
      System.err.println("stopping the test PostgreSQL failed: " + e.getMessage());
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("could not delete " + root + ": " + e);
    }
  }
}
