package org.carbonio.smtp.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** What {@link PostfixServer} and {@link SmtpSink} share: ports, readiness, files, users. */
final class PostfixSupport {
  private PostfixSupport() {}

  /**
   * A port that was free a moment ago on 127.0.0.1. Postfix cannot report the port it bound when
   * given 0, so the port is probed and then handed to the daemon; another process could take it in
   * between, which the caller notices as a start failure.
   */
  static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  /**
   * Waits until something on 127.0.0.1:{@code port} accepts a connection and greets with {@code
   * 220} (RFC 5321 §4.2), then quits politely. Polls (each attempt bounded by a connect and read
   * timeout) rather than sleeping; gives up at {@code timeout} or as soon as {@code alive} is
   * false.
   */
  static void awaitGreeting(int port, Duration timeout, BooleanSupplier alive, String what)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!alive.getAsBoolean()) {
        throw new IOException(what + " exited before it answered on port " + port);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        s.setSoTimeout(2000);
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        String line = in.readLine();
        while (line != null && line.startsWith("220-")) {
          line = in.readLine();
        }
        if (line != null && line.startsWith("220")) {
          s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          in.readLine();
          return;
        }
        last = new IOException(what + " greeted with " + line);
      } catch (IOException e) {
        last = e;
      }
      pause();
    }
    throw new IOException(what + " did not greet on port " + port + " within " + timeout, last);
  }

  /**
   * Waits until {@code condition} holds, checking every 10 ms (a poll, as Awaitility does: the
   * daemons give no event to wait on), or throws at {@code timeout}.
   */
  static void await(Duration timeout, BooleanSupplier condition, Supplier<String> what)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IOException("timed out after " + timeout + " waiting for " + what.get());
      }
      pause();
    }
  }

  /** Parks for 10 ms between two polls of a daemon's state; keeps the interrupt flag. */
  static void pause() {
    LockSupport.parkNanos(10_000_000L);
  }

  /** Runs a short command to completion; its output (both streams) is returned. */
  static String run(Duration timeout, List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within " + timeout);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + command, e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command) + " exited with " + p.exitValue() + ": " + out.strip());
    }
    return out;
  }

  /** Gives {@code p} to the system user and group {@code name}. */
  static void chown(Path p, String name) throws IOException {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    view.setOwner(lookup.lookupPrincipalByName(name));
    view.setGroup(lookup.lookupPrincipalByGroupName(name));
  }

  /** The first executable {@code name} in /usr/sbin, /usr/bin or the PATH. */
  static Path binary(String name) throws IOException {
    Stream<String> dirs =
        Stream.concat(
            Stream.of("/usr/sbin", "/usr/bin", "/usr/lib/postfix/sbin"),
            Stream.of(System.getenv().getOrDefault("PATH", "").split(":")));
    return dirs.filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, name))
        .filter(Files::isExecutable)
        .findFirst()
        .orElseThrow(() -> new IOException(name + " not found: install Debian's postfix"));
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /**
   * Regular files under {@code root} whose parent directory is a maildir's new/ or cur/. Files that
   * vanish during the walk (a delivery renaming tmp/ to new/) are skipped, not an error.
   */
  static long countMaildirFiles(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    long[] count = {0};
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (isMaildirMessage(file)) {
              count[0]++;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    return count[0];
  }

  static boolean isMaildirMessage(Path p) {
    Path parent = p.getParent();
    String name = parent == null || parent.getFileName() == null ? "" : parent.getFileName() + "";
    return (name.equals("new") || name.equals("cur")) && Files.isRegularFile(p);
  }

  /** Deletes {@code dir} and everything under it; files that vanish meanwhile are fine. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
