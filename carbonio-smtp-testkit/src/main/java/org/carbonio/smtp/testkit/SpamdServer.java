package org.carbonio.smtp.testkit;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One private SpamAssassin daemon (Debian's {@code spamd}) for tests: its own site configuration,
 * log and pid file in a fresh temporary directory, listening on {@code 127.0.0.1:<free port>} and
 * accepting only 127.0.0.1. It uses the rules the package ships (no {@code sa-update}), no network
 * tests ({@code -L}, {@code skip_rbl_checks 1}, {@code dns_available no}), no Bayes and no per-user
 * configuration ({@code -x}), so {@link #GTUBE} scores 1000 and more, offline.
 *
 * {@snippet :
 * try (SpamdServer spamd = SpamdServer.start()) {   // 2 to 9 seconds: share one per test class
 *   SpamdClient client = SpamdClient.builder(spamd.address()).build();
 * }
 * }
 *
 * <p>The site configuration directory ({@code --siteconfigpath}) replaces {@code /etc/spamassassin}
 * entirely, so the Debian {@code *.pre} files, which load the plugins (the Check plugin among
 * them), are copied into it, next to a {@code local.cf} written here. When the JVM runs as root,
 * spamd runs with {@code -u nobody}, which it requires to drop privileges; the directory is then
 * given to {@code nobody}. At most two children are kept ({@code --max-children=2}): each takes
 * about 110 MB.
 *
 * <p>{@link #close()} stops spamd and its children and deletes the directory. Thread-safe.
 */
public final class SpamdServer implements AutoCloseable {

  /** The GTUBE test string: any message containing it scores 1000 (rule {@code GTUBE}). */
  public static final String GTUBE =
      "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

  /** Where Debian's spamd package puts spamd. */
  public static final Path DEFAULT_BINARY = Path.of("/usr/sbin/spamd");

  /** System property that overrides {@link #DEFAULT_BINARY}. */
  public static final String BINARY_PROPERTY = "carbonio.spamd";

  /** Where Debian keeps the {@code *.pre} plugin files copied into the site configuration. */
  public static final Path DEBIAN_SITE_CONFIG = Path.of("/etc/spamassassin");

  private static final int START_ATTEMPTS = 3;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final Path dir;
  private final int port;
  private final Process process;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SpamdServer(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
    this.shutdownHook =
        new Thread(
            () -> {
              process.descendants().forEach(ProcessHandle::destroyForcibly);
              process.destroyForcibly();
            },
            "spamd-test-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a server with the defaults of {@link Builder}. */
  public static SpamdServer start() {
    return builder().start();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Options of a server. Not thread-safe: confine to one thread.
   *
   * <p>Defaults: {@code required_score 5.0}; no extra {@code local.cf} lines.
   */
  public static final class Builder {
    private final List<String> extraConfig = new ArrayList<>();

    private Builder() {}

    /** One more line of {@code local.cf}, e.g. {@code required_score 3.0}. */
    public Builder config(String line) {
      if (line.contains("\n") || line.contains("\r")) {
        throw new IllegalArgumentException("one line expected");
      }
      extraConfig.add(line);
      return this;
    }

    /**
     * Writes the configuration in a new temporary directory and starts spamd.
     *
     * @throws IllegalStateException if spamd is not installed or does not start in time
     */
    public SpamdServer start() {
      return SpamdServer.start(this);
    }
  }

  private static SpamdServer start(Builder b) {
    Path binary = Path.of(System.getProperty(BINARY_PROPERTY, DEFAULT_BINARY.toString()));
    FilterDaemonSupport.requireExecutable(binary, "spamd", BINARY_PROPERTY);
    Path dir;
    try {
      dir = Files.createTempDirectory("carbonio-spamd-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for spamd", e);
    }
    try {
      configure(dir, b.extraConfig);
      boolean root = FilterDaemonSupport.isRoot();
      if (root) {
        FilterDaemonSupport.openUp(dir);
        List<Path> all = new ArrayList<>();
        try (var s = Files.list(dir)) {
          s.forEach(all::add);
        }
        all.add(0, dir);
        FilterDaemonSupport.chown("nobody", all);
      }
      IllegalStateException last = null;
      for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        int port = FilterDaemonSupport.freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(
            List.of(
                "-L",
                "-x",
                "--listen=127.0.0.1:" + port,
                "--allowed-ips=127.0.0.1",
                "--siteconfigpath=" + dir,
                "--pidfile=" + dir.resolve("spamd.pid"),
                "--syslog=" + dir.resolve("spamd.log"),
                "--max-children=2",
                "--min-children=1",
                "--min-spare=1",
                "--max-spare=1"));
        if (root) {
          cmd.addAll(List.of("-u", "nobody"));
        }
        Process p =
            new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("spamd.out").toFile())
                .start();
        try {
          awaitPong(p, port, dir);
          return new SpamdServer(dir, port, p);
        } catch (IllegalStateException e) {
          FilterDaemonSupport.stop(p, STOP_GRACE);
          String out =
              FilterDaemonSupport.readLog(dir.resolve("spamd.out"))
                  + FilterDaemonSupport.readLog(dir.resolve("spamd.log"));
          if (!out.contains("Address already in use")) {
            throw e;
          }
          last = e; // another process took the port between freePort() and spamd's bind
        }
      }
      throw last;
    } catch (IOException | RuntimeException e) {
      FilterDaemonSupport.deleteTree(dir);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot start spamd in " + dir, io);
      }
      throw (RuntimeException) e;
    }
  }

  private static void configure(Path dir, List<String> extra) throws IOException {
    int copied = 0;
    if (Files.isDirectory(DEBIAN_SITE_CONFIG)) {
      try (DirectoryStream<Path> pre = Files.newDirectoryStream(DEBIAN_SITE_CONFIG, "*.pre")) {
        for (Path p : pre) {
          Files.copy(p, dir.resolve(p.getFileName()));
          copied++;
        }
      }
    }
    if (copied == 0) {
      // Without the .pre files no plugin loads and spamd cannot scan ("no loaded plugin
      // implements 'check_main'"): load the one it needs.
      Files.writeString(
          dir.resolve("v320.pre"), "loadplugin Mail::SpamAssassin::Plugin::Check\n", US_ASCII);
    }
    List<String> cf = new ArrayList<>();
    cf.add("# carbonio-smtp-testkit: a private spamd, offline");
    cf.add("skip_rbl_checks 1");
    cf.add("dns_available no");
    cf.add("use_bayes 0");
    cf.add("bayes_auto_learn 0");
    cf.add("report_safe 0");
    cf.addAll(extra);
    Files.writeString(dir.resolve("local.cf"), String.join("\n", cf) + "\n", US_ASCII);
  }

  /** Polls with {@code PING SPAMC/1.5} until {@code PONG}, the process dies, or the deadline. */
  private static void awaitPong(Process p, int port, Path dir) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "spamd exited with "
                + p.exitValue()
                + ":\n"
                + FilterDaemonSupport.tail(dir.resolve("spamd.out"), 20)
                + "\n"
                + FilterDaemonSupport.tail(dir.resolve("spamd.log"), 20));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write("PING SPAMC/1.5\r\n\r\n".getBytes(US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String answer = new String(in.readNBytes(64), US_ASCII);
        if (answer.startsWith("SPAMD/") && answer.contains(" PONG")) {
          return;
        }
      } catch (ConnectException e) {
        // not listening yet
      } catch (IOException e) {
        // listening but not answering yet
      }
      try {
        p.waitFor(100, TimeUnit.MILLISECONDS); // the poll interval; returns early if spamd dies
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for spamd", e);
      }
    }
    throw new IllegalStateException(
        "spamd did not answer PING within "
            + START_TIMEOUT
            + ":\n"
            + FilterDaemonSupport.tail(dir.resolve("spamd.log"), 20));
  }

  /** {@code 127.0.0.1:<port>}. */
  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** The TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The site configuration directory (deleted by {@link #close()}). */
  public Path directory() {
    return dir;
  }

  /** What spamd logged so far. */
  public String log() {
    return FilterDaemonSupport.readLog(dir.resolve("spamd.log"));
  }

  /** Whether spamd is still running. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Stops spamd and its children without deleting the directory, to test what clients do when the
   * daemon is down. {@link #close()} still has to be called.
   */
  public void stop() {
    FilterDaemonSupport.stop(process, STOP_GRACE);
  }

  /** Stops spamd and its children and deletes its directory. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      FilterDaemonSupport.stop(process, STOP_GRACE);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down; the hook runs anyway
      }
      FilterDaemonSupport.deleteTree(dir);
    }
  }
}
