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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One private ClamAV daemon (Debian's {@code clamd}) for tests: its own {@code clamd.conf},
 * signature database, log and pid file in a fresh temporary directory, listening on {@code
 * 127.0.0.1:<free port>} only. The database holds one signature, an {@code .hdb} line (MD5 and size
 * of {@link #EICAR}), so it loads in milliseconds and needs no download; clamd reports it as {@link
 * #EICAR_SIGNATURE}. clamd decodes MIME ({@code ScanMail}), so the signature also matches EICAR in
 * a base64 attachment.
 *
 * {@snippet :
 * try (ClamdServer clamd = ClamdServer.start()) {
 *   ClamdClient client = ClamdClient.builder(clamd.address()).build();
 * }
 * }
 *
 * <p>clamd runs in the foreground as a child process. It has no {@code User} line, so it keeps the
 * JVM's user (root included: clamd only drops privileges when told to). {@link #close()} stops it
 * and deletes the directory.
 *
 * <p>Thread-safe.
 */
public final class ClamdServer implements AutoCloseable {

  /** The EICAR anti-virus test file (68 bytes), harmless by design. */
  public static final String EICAR =
      "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

  /** The signature name in the database. */
  public static final String SIGNATURE = "Eicar-Test-Signature";

  /** The name clamd reports for {@link #EICAR}: third-party signatures get {@code .UNOFFICIAL}. */
  public static final String EICAR_SIGNATURE = SIGNATURE + ".UNOFFICIAL";

  /** Where Debian's clamav-daemon puts clamd. */
  public static final Path DEFAULT_BINARY = Path.of("/usr/sbin/clamd");

  /** System property that overrides {@link #DEFAULT_BINARY}. */
  public static final String BINARY_PROPERTY = "carbonio.clamd";

  /**
   * clamd's {@code StreamMaxLength} unless {@link Builder#streamMaxLength} sets another: 25 MiB.
   */
  public static final long DEFAULT_STREAM_MAX_LENGTH = 25L << 20;

  private static final int START_ATTEMPTS = 3;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final Path dir;
  private final int port;
  private final Process process;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ClamdServer(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
    this.shutdownHook = new Thread(process::destroyForcibly, "clamd-test-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a server with the defaults of {@link Builder}. */
  public static ClamdServer start() {
    return builder().start();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Options of a server. Not thread-safe: confine to one thread.
   *
   * <p>Defaults: {@code StreamMaxLength} {@value ClamdServer#DEFAULT_STREAM_MAX_LENGTH} bytes; the
   * EICAR signature only.
   */
  public static final class Builder {
    private long streamMaxLength = DEFAULT_STREAM_MAX_LENGTH;

    private Builder() {}

    /** clamd's {@code StreamMaxLength}: larger INSTREAM data gets {@code size limit exceeded}. */
    public Builder streamMaxLength(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("streamMaxLength " + bytes);
      }
      this.streamMaxLength = bytes;
      return this;
    }

    /**
     * Writes the configuration in a new temporary directory and starts clamd.
     *
     * @throws IllegalStateException if clamd is not installed or does not start in time
     */
    public ClamdServer start() {
      return ClamdServer.start(this);
    }
  }

  private static ClamdServer start(Builder b) {
    Path binary = Path.of(System.getProperty(BINARY_PROPERTY, DEFAULT_BINARY.toString()));
    FilterDaemonSupport.requireExecutable(binary, "clamav-daemon", BINARY_PROPERTY);
    Path dir;
    try {
      dir = Files.createTempDirectory("carbonio-clamd-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for clamd", e);
    }
    try {
      // One .hdb line: MD5:size:name of the whole file (ClamAV signatures, "Hash-based").
      Files.writeString(
          dir.resolve("carbonio-test.hdb"),
          md5(EICAR) + ":" + EICAR.length() + ":" + SIGNATURE + "\n",
          US_ASCII);
      IllegalStateException last = null;
      for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        int port = FilterDaemonSupport.freePort();
        writeConfig(dir, port, b.streamMaxLength);
        Process p =
            new ProcessBuilder(binary.toString(), "-c", dir.resolve("clamd.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("clamd.out").toFile())
                .start();
        try {
          awaitPong(p, port, dir);
          return new ClamdServer(dir, port, p);
        } catch (IllegalStateException e) {
          FilterDaemonSupport.stop(p, STOP_GRACE);
          String log = FilterDaemonSupport.readLog(dir.resolve("clamd.log"));
          if (!log.contains("Address already in use")) {
            throw e;
          }
          last = e; // another process took the port between freePort() and clamd's bind
        }
      }
      throw last;
    } catch (IOException | RuntimeException e) {
      FilterDaemonSupport.deleteTree(dir);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot start clamd in " + dir, io);
      }
      throw (RuntimeException) e;
    }
  }

  private static void writeConfig(Path dir, int port, long streamMaxLength) throws IOException {
    String conf =
        String.join(
            "\n",
            "# carbonio-smtp-testkit: a private clamd",
            "TCPSocket " + port,
            "TCPAddr 127.0.0.1",
            "DatabaseDirectory " + dir,
            "Foreground yes",
            "LogFile " + dir.resolve("clamd.log"),
            "LogTime yes",
            "PidFile " + dir.resolve("clamd.pid"),
            "TemporaryDirectory " + dir,
            "StreamMaxLength " + streamMaxLength,
            "MaxThreads 4",
            "SelfCheck 0",
            "ScanMail yes",
            "");
    Files.writeString(dir.resolve("clamd.conf"), conf, US_ASCII);
  }

  /** Polls with {@code zPING} until {@code PONG}, the process dies, or the deadline passes. */
  private static void awaitPong(Process p, int port, Path dir) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "clamd exited with "
                + p.exitValue()
                + ":\n"
                + FilterDaemonSupport.tail(dir.resolve("clamd.out"), 20)
                + "\n"
                + FilterDaemonSupport.tail(dir.resolve("clamd.log"), 20));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        out.write("zPING\0".getBytes(US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        if (new String(in.readNBytes(5), US_ASCII).equals("PONG\0")) {
          return;
        }
      } catch (ConnectException e) {
        // not listening yet
      } catch (IOException e) {
        // listening but not answering yet
      }
      try {
        p.waitFor(50, TimeUnit.MILLISECONDS); // the poll interval; returns early if clamd dies
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for clamd", e);
      }
    }
    throw new IllegalStateException(
        "clamd did not answer PING within "
            + START_TIMEOUT
            + ":\n"
            + FilterDaemonSupport.tail(dir.resolve("clamd.log"), 20));
  }

  private static String md5(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from this JDK", e);
    }
  }

  /** {@code 127.0.0.1:<port>}. */
  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** The TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The directory holding the configuration, database and log (deleted by {@link #close()}). */
  public Path directory() {
    return dir;
  }

  /** The process id of clamd. */
  public long pid() {
    return process.pid();
  }

  /** What clamd logged so far. */
  public String log() {
    return FilterDaemonSupport.readLog(dir.resolve("clamd.log"));
  }

  /** Whether clamd is still running. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Stops clamd (SIGTERM, then SIGKILL after 10 s) without deleting the directory, to test what
   * clients do when the daemon is down. {@link #close()} still has to be called.
   */
  public void stop() {
    FilterDaemonSupport.stop(process, STOP_GRACE);
  }

  /** Stops clamd and deletes its directory. Idempotent. */
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
