package org.carbonio.smtp.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Postfix's {@code smtp-sink(1)} on 127.0.0.1: a fast SMTP server that accepts every transaction
 * and, when {@linkplain #start(boolean) dumping}, writes each one (envelope and message) to its own
 * file under {@link #dumpDirectory()}, so tests can count and read what arrived. Runs as a child
 * process under the user {@code postfix} when started as root. Thread-safe.
 *
 * <pre>{@code
 * try (SmtpSink sink = SmtpSink.start(true)) {
 *   // deliver to sink.address() ...
 *   sink.awaitReceived(1, Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class SmtpSink implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Path dir;
  private final Process process;
  private final int port;
  private final boolean dumping;
  private boolean closed;

  private SmtpSink(Path dir, Process process, int port, boolean dumping) {
    this.dir = dir;
    this.process = process;
    this.port = port;
    this.dumping = dumping;
  }

  /**
   * Starts {@code smtp-sink} on a free port of 127.0.0.1, in a new temporary directory, and returns
   * once it answers 220.
   *
   * @param dump whether to write each received transaction to a file ({@code -d DIR/dump/%M.}: the
   *     minute, then a random suffix); when false it only counts in its own memory
   * @param options more {@code smtp-sink} options, for example {@code "-c"} or {@code "-8"}
   */
  public static SmtpSink start(boolean dump, String... options) throws IOException {
    Path dir = Files.createTempDirectory("smtp-sink-");
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path dumpDir = Files.createDirectories(dir.resolve("dump"));
      boolean root = PostfixSupport.isRoot();
      if (root) {
        PostfixSupport.chown(dumpDir, "postfix"); // it writes after dropping to -u postfix
      }
      int port = PostfixSupport.freePort();
      List<String> cmd = new ArrayList<>();
      cmd.add(PostfixSupport.binary("smtp-sink").toString());
      if (root) {
        cmd.addAll(List.of("-u", "postfix"));
      }
      if (dump) {
        // strftime(3) template; smtp-sink appends a random hex suffix per transaction
        cmd.addAll(List.of("-d", dumpDir + "/%M."));
      }
      cmd.addAll(List.of(options));
      cmd.add("127.0.0.1:" + port);
      cmd.add("256"); // listen backlog
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("smtp-sink.log").toFile())
              .start();
      SmtpSink sink = new SmtpSink(dir, p, port, dump);
      try {
        PostfixSupport.awaitGreeting(port, START_TIMEOUT, p::isAlive, "smtp-sink");
      } catch (IOException e) {
        sink.close();
        throw e;
      }
      return sink;
    } catch (IOException | RuntimeException e) {
      PostfixSupport.deleteTree(dir);
      throw e;
    }
  }

  /** Where it listens: 127.0.0.1 and its port. */
  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** Its port. */
  public int port() {
    return port;
  }

  /** The process id of {@code smtp-sink}. */
  public long pid() {
    return process.pid();
  }

  /** Where dumped transactions go, one file each. */
  public Path dumpDirectory() {
    return dir.resolve("dump");
  }

  /** The dumped transactions so far (empty when not dumping). */
  public List<Path> receivedFiles() throws IOException {
    try (Stream<Path> s = Files.walk(dumpDirectory())) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  /** How many transactions were dumped so far. */
  public long receivedCount() throws IOException {
    return receivedFiles().size();
  }

  /** Waits until {@code count} transactions were dumped; polls every 10 ms. */
  public void awaitReceived(long count, Duration timeout) throws IOException {
    if (!dumping) {
      throw new IllegalStateException("started without dumping: nothing to count");
    }
    PostfixSupport.await(
        timeout,
        () -> {
          try {
            return receivedCount() >= count;
          } catch (IOException e) {
            return false;
          }
        },
        () -> count + " transactions in " + dumpDirectory());
  }

  /** Kills {@code smtp-sink}, waits for it, deletes the directory. Idempotent. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    PostfixSupport.deleteTree(dir);
  }
}
