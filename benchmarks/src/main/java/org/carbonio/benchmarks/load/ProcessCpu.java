package org.carbonio.benchmarks.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time and resident memory of a process and its live descendants, read from {@code /proc}
 * (Linux). The root's {@code cutime}/{@code cstime} include children that already exited and were
 * reaped, so short-lived worker processes (Dovecot's) are counted too. Not thread-safe.
 */
final class ProcessCpu {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private ProcessCpu() {}

  /** CPU seconds in user and kernel mode. */
  record Cpu(double user, double system) {
    double total() {
      return user + system;
    }

    Cpu minus(Cpu earlier) {
      return new Cpu(user - earlier.user, system - earlier.system);
    }
  }

  /** CPU used so far by {@code pid} and its descendants (live and reaped). */
  static Cpu cpu(long pid) throws IOException {
    long user = 0;
    long system = 0;
    for (long p : tree(pid)) {
      String[] f = stat(p);
      if (f == null) {
        continue;
      }
      user += Long.parseLong(f[13]);
      system += Long.parseLong(f[14]);
      if (p == pid) {
        user += Long.parseLong(f[15]); // cutime: reaped children
        system += Long.parseLong(f[16]); // cstime
      }
    }
    return new Cpu(user / TICKS_PER_SECOND, system / TICKS_PER_SECOND);
  }

  /** Resident set size of {@code pid} and its live descendants, in bytes. */
  static long rssBytes(long pid) throws IOException {
    long pages = 0;
    for (long p : tree(pid)) {
      String[] f = stat(p);
      if (f != null) {
        pages += Long.parseLong(f[23]);
      }
    }
    return pages * 4096;
  }

  /**
   * Proportional set size of {@code pid} and its live descendants, in bytes: pages shared between
   * processes of the tree (Dovecot's forked workers) are counted once in total, not once each.
   */
  static long pssBytes(long pid) throws IOException {
    long kb = 0;
    for (long p : tree(pid)) {
      try {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(p), "smaps_rollup"))) {
          if (l.startsWith("Pss:")) {
            kb += Long.parseLong(l.substring(4).replace("kB", "").strip());
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
    }
    return kb * 1024;
  }

  private static List<Long> tree(long root) throws IOException {
    List<long[]> all = new ArrayList<>(); // {pid, ppid}
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : proc) {
        long pid = Long.parseLong(p.getFileName().toString());
        String[] f = stat(pid);
        if (f != null) {
          all.add(new long[] {pid, Long.parseLong(f[3])});
        }
      }
    }
    List<Long> out = new ArrayList<>(List.of(root));
    for (int i = 0; i < out.size(); i++) {
      long parent = out.get(i);
      for (long[] e : all) {
        if (e[1] == parent) {
          out.add(e[0]);
        }
      }
    }
    return out;
  }

  /** The fields of /proc/PID/stat, with the command name (field 2) collapsed; null if gone. */
  private static String[] stat(long pid) {
    String s;
    try {
      s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      return null;
    }
    int close = s.lastIndexOf(')');
    String[] rest = s.substring(close + 2).trim().split(" ");
    String[] f = new String[rest.length + 2];
    f[0] = Long.toString(pid);
    f[1] = "comm";
    System.arraycopy(rest, 0, f, 2, rest.length);
    return f;
  }
}
