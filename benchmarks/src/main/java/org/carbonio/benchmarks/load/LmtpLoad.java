package org.carbonio.benchmarks.load;

import static org.carbonio.benchmarks.load.LoadSupport.arg;
import static org.carbonio.benchmarks.load.LoadSupport.deleteTree;
import static org.carbonio.benchmarks.load.LoadSupport.intArg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Durable LMTP deliveries per second and CPU per delivery, carbonio against Dovecot's LMTP to
 * maildir, side by side in one run on the same machine with the same load: {@code sessions}
 * concurrent LMTP sessions, each delivering distinct messages of {@code size} bytes to a random one
 * of {@code users} recipients, one recipient per transaction, for {@code seconds} per round. The
 * two servers take turns ({@code rounds} each), so both see the same machine conditions. CPU is the
 * server's process tree (Dovecot: master, lmtp and auth processes, also those that exited).
 *
 * <pre>
 * ./carbonio build
 * java -cp benchmarks/target/benchmarks.jar org.carbonio.benchmarks.load.LmtpLoad \
 *     [--warmup 10] [--seconds 20] [--sessions 20] [--size 5120] [--users 100] [--rounds 2] \
 *     [--work target/lmtp-load] [--server-jvm "-Xmx1g"] [--server-jar carbonio-server/target/carbonio-server.jar]
 * </pre>
 *
 * <p>Needs Debian's dovecot-lmtpd. The work directory must be on the disk under test (not tmpfs).
 */
public final class LmtpLoad {
  private LmtpLoad() {}

  /** One round's outcome. */
  record Result(String server, long delivered, double seconds, ProcessCpu.Cpu cpu, long rssBytes) {
    double perSecond() {
      return delivered / seconds;
    }

    double cpuMicrosPerDelivery() {
      return cpu.total() * 1e6 / delivered;
    }

    double systemShare() {
      return cpu.system() / cpu.total();
    }
  }

  public static void main(String[] args) throws Exception {
    int seconds = intArg(args, "--seconds", 20);
    int sessions = intArg(args, "--sessions", 20);
    int size = intArg(args, "--size", 5120);
    int userCount = intArg(args, "--users", 100);
    int rounds = intArg(args, "--rounds", 2);
    Path work = Path.of(arg(args, "--work", "target/lmtp-load")).toAbsolutePath();
    Path jar = Path.of(arg(args, "--server-jar", "carbonio-server/target/carbonio-server.jar"));
    int warmup = intArg(args, "--warmup", 10);
    List<String> jvm = List.of(arg(args, "--server-jvm", "-Xmx1g").split(" "));
    List<Result> results = run(work, jar, warmup, seconds, sessions, size, userCount, rounds, jvm);
    System.out.println();
    System.out.println(
        "| server | round | deliveries/s | CPU µs per delivery | of it in kernel | RSS MB at end |"
            + " delivered |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (int i = 0; i < results.size(); i++) {
      Result r = results.get(i);
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %.0f | %.0f | %.0f %% | %.0f | %d |%n",
          r.server(),
          i / 2 + 1,
          r.perSecond(),
          r.cpuMicrosPerDelivery(),
          r.systemShare() * 100,
          r.rssBytes() / 1e6,
          r.delivered());
    }
  }

  /** Runs the comparison and returns the rounds, carbonio and Dovecot alternating. */
  static List<Result> run(
      Path work,
      Path jar,
      int warmup,
      int seconds,
      int sessions,
      int size,
      int userCount,
      int rounds,
      List<String> serverJvmOptions)
      throws Exception {
    String domain = "bench.test";
    List<String> users = new ArrayList<>();
    for (int i = 1; i <= userCount; i++) {
      users.add("user" + i + "@" + domain);
    }
    deleteTree(work);
    Files.createDirectories(work);
    List<Result> results = new ArrayList<>();
    try (CarbonioProcess carbonio =
            CarbonioProcess.start(jar, work.resolve("carbonio"), domain, serverJvmOptions);
        DovecotLmtp dovecot = DovecotLmtp.start(work.resolve("dovecot"), users)) {
      carbonio.createAccounts(users);
      // Warm-up, not counted: the JIT compiles the delivery path (its compiler threads' CPU would
      // otherwise be charged to the first round), Dovecot forks its lmtp processes.
      load("carbonio", carbonio.port("lmtp"), carbonio.pid(), users, warmup, sessions, size);
      long dovecotWarmup =
          load("dovecot", dovecot.port(), dovecot.pid(), users, warmup, sessions, size).delivered();
      for (int round = 0; round < rounds; round++) {
        results.add(
            load(
                "carbonio", carbonio.port("lmtp"), carbonio.pid(), users, seconds, sessions, size));
        results.add(load("dovecot", dovecot.port(), dovecot.pid(), users, seconds, sessions, size));
      }
      long acked =
          results.stream()
              .filter(r -> r.server().equals("dovecot"))
              .mapToLong(Result::delivered)
              .sum();
      acked += dovecotWarmup;
      long files = dovecot.deliveredFiles();
      if (files != acked) {
        throw new IllegalStateException("dovecot acked " + acked + " but stored " + files);
      }
    }
    return results;
  }

  private static Result load(
      String name, int port, long pid, List<String> users, int seconds, int sessions, int size)
      throws Exception {
    AtomicLong delivered = new AtomicLong();
    AtomicLong serial = new AtomicLong();
    ProcessCpu.Cpu cpu0 = ProcessCpu.cpu(pid);
    long t0 = System.nanoTime();
    long deadline = t0 + seconds * 1_000_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(sessions);
    List<Future<?>> fs = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      fs.add(
          pool.submit(
              () -> {
                try (LmtpClient c = new LmtpClient(port)) {
                  while (System.nanoTime() < deadline) {
                    String to = users.get(ThreadLocalRandom.current().nextInt(users.size()));
                    if (c.deliver(to, message(name, serial.incrementAndGet(), to, size))) {
                      delivered.incrementAndGet();
                    } else {
                      throw new IOException("delivery refused by " + name);
                    }
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    ProcessCpu.Cpu cpu = ProcessCpu.cpu(pid).minus(cpu0);
    return new Result(name, delivered.get(), elapsed, cpu, ProcessCpu.rssBytes(pid));
  }

  /** Lines of 74 random lowercase letters and CRLF, generated once: message bodies are slices. */
  private static final byte[] FILLER = filler(1 << 20);

  private static byte[] filler(int size) {
    java.util.Random r = new java.util.Random(42);
    byte[] out = new byte[size - size % LINE];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          i % LINE == LINE - 2
              ? (byte) '\r'
              : i % LINE == LINE - 1 ? (byte) '\n' : (byte) ('a' + r.nextInt(26));
    }
    return out;
  }

  private static final int LINE = 76;

  /**
   * A distinct message of about {@code size} bytes (at most 1 MiB): unique headers, and a body
   * sliced from {@link #FILLER} at an offset that depends on {@code n}, so contents differ (no
   * deduplication) while the client spends little CPU making them.
   */
  static byte[] message(String server, long n, String to, int size) {
    byte[] head =
        ("From: Load <load@load.test>\r\nTo: <"
                + to
                + ">\r\nSubject: load message "
                + n
                + "\r\nMessage-ID: <"
                + n
                + '.'
                + server
                + "@load.test>\r\nDate: Sat, 28 Nov 2026 12:00:00 +0000\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    int body = Math.max(LINE, (size - head.length) / LINE * LINE);
    int lines = (FILLER.length - body) / LINE;
    int offset = (int) Math.floorMod(n * 7919L, (long) lines) * LINE;
    byte[] m = Arrays.copyOf(head, head.length + body);
    System.arraycopy(FILLER, offset, m, head.length, body);
    return m;
  }
}
