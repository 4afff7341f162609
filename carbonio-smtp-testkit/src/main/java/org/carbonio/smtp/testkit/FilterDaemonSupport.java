package org.carbonio.smtp.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Process and directory chores shared by {@link ClamdServer} and {@link SpamdServer}. */
final class FilterDaemonSupport {

  private FilterDaemonSupport() {}

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** A port that was free a moment ago on 127.0.0.1 (the daemon binds it by itself). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  static void requireExecutable(Path binary, String pkg, String property) {
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          binary
              + " is missing (Debian: apt-get install "
              + pkg
              + ", or ./carbonio test, which installs it; or set -D"
              + property
              + " to its path)");
    }
  }

  /** Makes {@code dir} traversable and readable by everyone (daemons that drop privileges). */
  static void openUp(Path dir) throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Gives {@code paths} to OS user {@code user}. */
  static void chown(String user, List<Path> paths) throws IOException {
    UserPrincipal owner =
        paths.get(0).getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
    for (Path p : paths) {
      Files.getFileAttributeView(p, PosixFileAttributeView.class).setOwner(owner);
    }
  }

  /**
   * Stops {@code process} and its children: SIGTERM, up to {@code grace} to exit, then SIGKILL for
   * whatever is left.
   */
  static void stop(Process process, Duration grace) {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    boolean exited = false;
    try {
      exited = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!exited) {
      process.destroyForcibly();
    }
    for (ProcessHandle child : children) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
    try {
      process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // the process is killed; nothing more to do
    }
  }

  /** The last {@code lines} lines of a log file, or a note that it is missing. */
  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no " + file.getFileName() + ")";
    }
  }

  static String readLog(Path file) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "";
    }
  }

  /** Deletes {@code dir} and everything under it; a missing directory is fine. */
  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
