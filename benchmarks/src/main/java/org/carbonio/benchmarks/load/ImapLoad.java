package org.carbonio.benchmarks.load;

import static org.carbonio.benchmarks.load.LoadSupport.arg;
import static org.carbonio.benchmarks.load.LoadSupport.deleteTree;
import static org.carbonio.benchmarks.load.LoadSupport.intArg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * IMAP commands per second, CPU per command and latency, carbonio against Dovecot 2.3, side by side
 * in one run with the same load: {@code clients} concurrent clients over implicit TLS, each with
 * its own account holding the same {@code messages} preloaded messages, and each running a mix of
 * commands one at a time (no pipelining), as a desktop client does:
 *
 * <ol>
 *   <li>a second connection per client (the "watcher") stays logged in with INBOX selected;
 *   <li>a cycle: connect, LOGIN, SELECT INBOX, then 4 times {FETCH of 10 consecutive messages'
 *       BODY.PEEK[HEADER], 2 FETCH BODY.PEEK[] of one random message each, STORE ±FLAGS (\Flagged),
 *       NOOP}; the watcher enters IDLE, the client APPENDs a message, the watcher waits for its
 *       {@code * n EXISTS} and sends DONE; UID STORE +FLAGS.SILENT (\Deleted) on the appended UID,
 *       EXPUNGE, LOGOUT. 27 commands, the mailbox is back to {@code messages}.
 * </ol>
 *
 * <p>CPU is the server's process tree: carbonio's JVM; Dovecot's master and every child (imap,
 * imap-login, auth, config, anvil, log, also those that exited). The carbonio warm-up is measured,
 * not guessed: slices of {@code slice} seconds, at least {@code min-warmup} seconds (the login
 * cache's 60 s expiry falls inside), until the CPU per command of the last 3 slices is within 10 %
 * of their mean. Then the servers take turns, {@code rounds} each.
 *
 * <pre>
 * ./carbonio build
 * java -cp benchmarks/target/benchmarks.jar org.carbonio.benchmarks.load.ImapLoad \
 *     [--clients 16] [--messages 200] [--seconds 30] [--rounds 3] [--slice 10] [--min-warmup 60] [--max-warmup 240] [--idle true] [--relogin true] \
 *     [--dovecot-mode performance|default] \
 *     [--work target/imap-load] [--server-jvm "-Xmx1g"] [--server-jar carbonio-server/target/carbonio-server.jar]
 * </pre>
 *
 * <p>Needs Debian's dovecot-imapd. Not thread-safe: a command-line program.
 */
public final class ImapLoad {
  private ImapLoad() {}

  static final String DOMAIN = "imapload.test";
  static final String PASSWORD = "load-pw-1234";

  /** {@code doveadm pw -s SHA512-CRYPT -p load-pw-1234}. */
  static final String DOVECOT_HASH =
      "{SHA512-CRYPT}$6$G4C5YeawFnwEOw64$nT8TwG79Et2YJm3sdxUdNFxiI66DLs8mZLfGqfWPPGIviasyGUVuoL5IOy"
          + "gIF0HN5t6CbygmR5zGt0pi9nYzy.";

  /** Sizes of the preloaded messages, cycled. */
  static final int[] SIZES = {1_500, 3_000, 6_000, 12_000, 40_000};

  /**
   * What a client does: {@code idle}: the watcher's IDLE is in the cycle; {@code relogin}: each
   * cycle is a new connection with LOGIN and LOGOUT, else one connection per client for the whole
   * round (logged in before the round is measured) and each cycle starts at SELECT.
   */
  record Mix(boolean idle, boolean relogin) {}

  /** A server under load. */
  record Target(String name, int port, long pid) {}

  /** One round's outcome; latencies in nanoseconds per command name, sorted. */
  record Result(
      String server,
      String phase,
      long commands,
      double seconds,
      ProcessCpu.Cpu cpu,
      long rssBytes,
      long pssBytes,
      Map<String, long[]> latencies) {
    double perSecond() {
      return commands / seconds;
    }

    double cpuMicrosPerCommand() {
      return cpu.total() * 1e6 / commands;
    }

    long[] all() {
      long[] a = latencies.values().stream().flatMapToLong(Arrays::stream).sorted().toArray();
      return a;
    }
  }

  public static void main(String[] args) throws Exception {
    int clients = intArg(args, "--clients", 16);
    int messages = intArg(args, "--messages", 200);
    int seconds = intArg(args, "--seconds", 30);
    int rounds = intArg(args, "--rounds", 3);
    int slice = intArg(args, "--slice", 10);
    int minWarmup = intArg(args, "--min-warmup", 60);
    int maxWarmup = intArg(args, "--max-warmup", 240);
    Path work = Path.of(arg(args, "--work", "target/imap-load")).toAbsolutePath();
    Path jar = Path.of(arg(args, "--server-jar", "carbonio-server/target/carbonio-server.jar"));
    List<String> jvm = List.of(arg(args, "--server-jvm", "-Xmx1g").split(" "));
    Mix mix =
        new Mix(
            Boolean.parseBoolean(arg(args, "--idle", "true")),
            Boolean.parseBoolean(arg(args, "--relogin", "true")));
    boolean performance = !arg(args, "--dovecot-mode", "performance").equals("default");
    System.out.println("load average before: " + loadavg());
    List<Result> results =
        run(
            work,
            jar,
            clients,
            messages,
            seconds,
            rounds,
            slice,
            minWarmup,
            maxWarmup,
            mix,
            performance,
            jvm,
            System.out);
    System.out.println("load average after: " + loadavg());
    System.out.println();
    System.out.print(table(results));
  }

  static String loadavg() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).strip();
  }

  /** Runs the comparison; returns the warm-up slices, then the rounds, alternating. */
  static List<Result> run(
      Path work,
      Path jar,
      int clients,
      int messages,
      int seconds,
      int rounds,
      int slice,
      int minWarmup,
      int maxWarmup,
      Mix mix,
      boolean dovecotPerformanceMode,
      List<String> jvm,
      java.io.PrintStream log)
      throws Exception {
    List<String> users = new ArrayList<>();
    for (int i = 1; i <= clients; i++) {
      users.add("user" + i + "@" + DOMAIN);
    }
    deleteTree(work);
    Files.createDirectories(work);
    Files.setPosixFilePermissions(
        work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    List<Result> results = new ArrayList<>();
    Path data = work.resolve("carbonio");
    try (CarbonioProcess carbonio = CarbonioProcess.start(jar, data, DOMAIN, jvm);
        DovecotImap dovecot =
            DovecotImap.start(
                work.resolve("dovecot"),
                users,
                DOVECOT_HASH,
                data.resolve("tls").resolve("cert.pem"),
                data.resolve("tls").resolve("key.pem"),
                dovecotPerformanceMode)) {
      carbonio.createAccounts(users);
      SSLContext tls = ImapProbe.trusting(data.resolve("tls").resolve("cert.pem"));
      Target c = new Target("carbonio", carbonio.port("imaps"), carbonio.pid());
      Target d = new Target("dovecot", dovecot.port(), dovecot.pid());
      for (Target t : List.of(c, d)) {
        long t0 = System.nanoTime();
        preload(tls, t, users, messages);
        log.printf(
            Locale.ROOT,
            "%s: preloaded %d x %d messages in %.1f s%n",
            t.name(),
            users.size(),
            messages,
            (System.nanoTime() - t0) / 1e9);
      }
      // carbonio's warm-up: until its CPU per command is flat
      List<Double> perCommand = new ArrayList<>();
      for (int s = 0; s * slice < maxWarmup; s++) {
        Result r = load(tls, c, users, messages, slice, mix, "warm-up " + (s + 1));
        results.add(r);
        perCommand.add(r.cpuMicrosPerCommand());
        log.printf(
            Locale.ROOT,
            "carbonio warm-up slice %d (%d s): %.0f commands/s, %.0f µs CPU per command%n",
            s + 1,
            (s + 1) * slice,
            r.perSecond(),
            r.cpuMicrosPerCommand());
        log.flush();
        if ((s + 1) * slice >= minWarmup && flat(perCommand)) break;
      }
      Result dw = load(tls, d, users, messages, slice, mix, "warm-up");
      results.add(dw);
      log.printf(
          Locale.ROOT,
          "dovecot warm-up: %.0f commands/s, %.0f µs CPU per command%n",
          dw.perSecond(),
          dw.cpuMicrosPerCommand());
      log.flush();
      for (int round = 1; round <= rounds; round++) {
        for (Target t : List.of(c, d)) {
          Result r = load(tls, t, users, messages, seconds, mix, "round " + round);
          results.add(r);
          log.printf(
              Locale.ROOT,
              "%s round %d: %.0f commands/s, %.0f µs CPU per command (load %s)%n",
              t.name(),
              round,
              r.perSecond(),
              r.cpuMicrosPerCommand(),
              loadavg());
          log.flush();
        }
      }
    }
    return results;
  }

  /** The last 3 values are within 10 % of their mean. */
  static boolean flat(List<Double> v) {
    if (v.size() < 3) return false;
    List<Double> last = v.subList(v.size() - 3, v.size());
    double mean = last.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    return last.stream().allMatch(x -> Math.abs(x - mean) <= 0.10 * mean);
  }

  /** The same messages into every account's INBOX, {@code clients} at a time. */
  private static void preload(SSLContext tls, Target t, List<String> users, int messages)
      throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(users.size(), 8))) {
      List<Future<?>> fs = new ArrayList<>();
      for (String u : users) {
        fs.add(
            pool.submit(
                () -> {
                  try (ImapClient c = new ImapClient(tls, t.port(), null)) {
                    c.ok("LOGIN " + u + " " + PASSWORD);
                    for (int n = 0; n < messages; n++) {
                      c.append("INBOX", n % 3 == 0 ? "" : "\\Seen", message(n));
                    }
                    c.ok("LOGOUT");
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) f.get();
    }
  }

  /** Preloaded message {@code n}: the same bytes on both servers. */
  static byte[] message(long n) {
    return LmtpLoad.message("preload", n, "user@" + DOMAIN, SIZES[(int) (n % SIZES.length)]);
  }

  /** Latency samples of one client thread. */
  private static final class Samples {
    final Map<String, long[]> values = new TreeMap<>();
    final Map<String, Integer> counts = new TreeMap<>();

    void add(String name, long nanos) {
      long[] a = values.computeIfAbsent(name, k -> new long[1024]);
      int n = counts.getOrDefault(name, 0);
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
        values.put(name, a);
      }
      a[n] = nanos;
      counts.put(name, n + 1);
    }

    long commands() {
      long sum = 0;
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        if (!e.getKey().startsWith("(")) sum += e.getValue();
      }
      return sum;
    }
  }

  /** Times one command. */
  @FunctionalInterface
  private interface Io<T> {
    T run() throws IOException;
  }

  private static <T> T timed(Samples s, String name, Io<T> io) throws IOException {
    long t0 = System.nanoTime();
    T r = io.run();
    s.add(name, System.nanoTime() - t0);
    return r;
  }

  /** All clients for {@code seconds}; each finishes the cycle it is in at the deadline. */
  static Result load(
      SSLContext tls,
      Target t,
      List<String> users,
      int messages,
      int seconds,
      Mix mix,
      String phase)
      throws Exception {
    AtomicLong serial = new AtomicLong();
    CountDownLatch ready = new CountDownLatch(users.size());
    CountDownLatch go = new CountDownLatch(1);
    AtomicLong deadline = new AtomicLong(Long.MAX_VALUE);
    List<Future<Samples>> fs = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(users.size())) {
      for (String u : users) {
        fs.add(pool.submit(() -> client(tls, t, u, messages, mix, ready, go, deadline, serial)));
      }
      // the watchers (and with --relogin false the clients' connections) are set up first, not
      // measured
      ready.await();
      ProcessCpu.Cpu cpu0 = ProcessCpu.cpu(t.pid());
      long t0 = System.nanoTime();
      deadline.set(t0 + seconds * 1_000_000_000L);
      go.countDown();
      List<Samples> all = new ArrayList<>();
      for (Future<Samples> f : fs) all.add(f.get());
      double elapsed = (System.nanoTime() - t0) / 1e9;
      ProcessCpu.Cpu cpu = ProcessCpu.cpu(t.pid()).minus(cpu0);
      Map<String, long[]> merged = new TreeMap<>();
      long commands = 0;
      for (Samples s : all) {
        commands += s.commands();
        for (Map.Entry<String, long[]> e : s.values.entrySet()) {
          long[] part = Arrays.copyOf(e.getValue(), s.counts.get(e.getKey()));
          merged.merge(
              e.getKey(),
              part,
              (a, b) -> {
                long[] m = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, m, a.length, b.length);
                return m;
              });
        }
      }
      merged.values().forEach(Arrays::sort);
      return new Result(
          t.name(),
          phase,
          commands,
          elapsed,
          cpu,
          ProcessCpu.rssBytes(t.pid()),
          ProcessCpu.pssBytes(t.pid()),
          merged);
    }
  }

  private static Samples client(
      SSLContext tls,
      Target t,
      String user,
      int messages,
      Mix mix,
      CountDownLatch ready,
      CountDownLatch go,
      AtomicLong deadline,
      AtomicLong serial)
      throws IOException, InterruptedException {
    Samples s = new Samples();
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    String exists = "* " + (messages + 1) + " EXISTS";
    ImapClient watcher = null;
    ImapClient kept = null;
    try {
      try {
        watcher = new ImapClient(tls, t.port(), null);
        watcher.ok("LOGIN " + user + " " + PASSWORD);
        watcher.ok("SELECT INBOX");
        if (!mix.relogin()) {
          kept = new ImapClient(tls, t.port(), null);
          kept.ok("LOGIN " + user + " " + PASSWORD);
        }
      } finally {
        ready.countDown();
      }
      go.await();
      ImapClient w = watcher;
      while (System.nanoTime() < deadline.get()) {
        ImapClient c;
        if (kept != null) {
          c = kept;
        } else {
          long c0 = System.nanoTime();
          c = new ImapClient(tls, t.port(), null);
          s.add("(connect+TLS)", System.nanoTime() - c0);
          timed(s, "LOGIN", () -> c.ok("LOGIN " + user + " " + PASSWORD));
        }
        try {
          timed(s, "SELECT", () -> c.ok("SELECT INBOX"));
          for (int k = 0; k < 4; k++) {
            int from = 1 + rnd.nextInt(messages - 9);
            timed(
                s,
                "FETCH headers",
                () -> c.ok("FETCH " + from + ":" + (from + 9) + " (BODY.PEEK[HEADER])"));
            for (int b = 0; b < 2; b++) {
              int m = 1 + rnd.nextInt(messages);
              timed(s, "FETCH body", () -> c.ok("FETCH " + m + " (BODY.PEEK[])"));
            }
            int m = 1 + rnd.nextInt(messages);
            String op = rnd.nextBoolean() ? "+" : "-";
            timed(s, "STORE", () -> c.ok("STORE " + m + " " + op + "FLAGS (\\Flagged)"));
            timed(s, "NOOP", () -> c.ok("NOOP"));
          }
          long i0 = System.nanoTime();
          if (mix.idle()) w.idle();
          byte[] msg =
              LmtpLoad.message(
                  t.name(), serial.incrementAndGet(), user, SIZES[rnd.nextInt(SIZES.length)]);
          long uid = timed(s, "APPEND", () -> c.append("INBOX", "", msg));
          if (mix.idle()) {
            long a1 = System.nanoTime();
            w.awaitLine(exists);
            s.add("(IDLE push after APPEND)", System.nanoTime() - a1);
            w.done();
            s.add("IDLE", System.nanoTime() - i0);
          }
          if (uid < 0) throw new IOException(t.name() + ": no APPENDUID");
          timed(s, "STORE", () -> c.ok("UID STORE " + uid + " +FLAGS.SILENT (\\Deleted)"));
          timed(s, "EXPUNGE", () -> c.ok("EXPUNGE"));
          if (kept == null) timed(s, "LOGOUT", () -> c.ok("LOGOUT"));
        } finally {
          if (kept == null) c.close();
        }
      }
      timed(s, "LOGOUT", () -> w.ok("LOGOUT"));
      if (kept != null) {
        ImapClient k = kept;
        timed(s, "LOGOUT", () -> k.ok("LOGOUT"));
      }
    } finally {
      if (watcher != null) watcher.close();
      if (kept != null) kept.close();
    }
    return s;
  }

  static double percentileMs(long[] sorted, double p) {
    if (sorted.length == 0) return Double.NaN;
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  /** Markdown tables: every phase, the totals of the rounds, and latency per command. */
  static String table(List<Result> results) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| server | phase | commands/s | CPU µs per command | of it in kernel | p50 ms | p99 ms |"
            + " RSS MB | PSS MB | commands |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      long[] all = r.all();
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.0f | %.0f | %.0f %% | %.2f | %.2f | %.0f | %.0f | %d |%n",
              r.server(),
              r.phase(),
              r.perSecond(),
              r.cpuMicrosPerCommand(),
              r.cpu().system() / r.cpu().total() * 100,
              percentileMs(all, 0.5),
              percentileMs(all, 0.99),
              r.rssBytes() / 1e6,
              r.pssBytes() / 1e6,
              r.commands()));
    }
    sb.append('\n');
    Map<String, double[]> totals = new TreeMap<>(); // commands, seconds, cpu
    Map<String, Map<String, long[]>> lat = new TreeMap<>();
    for (Result r : results) {
      if (!r.phase().startsWith("round")) continue;
      double[] t = totals.computeIfAbsent(r.server(), k -> new double[3]);
      t[0] += r.commands();
      t[1] += r.seconds();
      t[2] += r.cpu().total();
      Map<String, long[]> m = lat.computeIfAbsent(r.server(), k -> new TreeMap<>());
      r.latencies()
          .forEach(
              (k, v) ->
                  m.merge(
                      k,
                      v,
                      (a, b) -> {
                        long[] x = Arrays.copyOf(a, a.length + b.length);
                        System.arraycopy(b, 0, x, a.length, b.length);
                        Arrays.sort(x);
                        return x;
                      }));
    }
    sb.append("| server | rounds: commands/s | CPU µs per command |\n|---|---|---|\n");
    totals.forEach(
        (k, t) ->
            sb.append(
                String.format(
                    Locale.ROOT, "| %s | %.0f | %.0f |%n", k, t[0] / t[1], t[2] * 1e6 / t[0])));
    double[] c = totals.get("carbonio");
    double[] d = totals.get("dovecot");
    if (c != null && d != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%ncarbonio/dovecot: %.2f× the commands per second, %.2f× the CPU per command%n%n",
              (c[0] / c[1]) / (d[0] / d[1]),
              (c[2] / c[0]) / (d[2] / d[0])));
    }
    sb.append("| command | carbonio p50 / p99 ms | dovecot p50 / p99 ms | count (c / d) |\n");
    sb.append("|---|---|---|---|\n");
    Map<String, long[]> lc = lat.getOrDefault("carbonio", Map.of());
    Map<String, long[]> ld = lat.getOrDefault("dovecot", Map.of());
    java.util.TreeSet<String> names = new java.util.TreeSet<>(lc.keySet());
    names.addAll(ld.keySet());
    for (String n : names) {
      long[] a = lc.getOrDefault(n, new long[0]);
      long[] b = ld.getOrDefault(n, new long[0]);
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2f / %.2f | %.2f / %.2f | %d / %d |%n",
              n,
              percentileMs(a, 0.5),
              percentileMs(a, 0.99),
              percentileMs(b, 0.5),
              percentileMs(b, 0.99),
              a.length,
              b.length));
    }
    return sb.toString();
  }
}
