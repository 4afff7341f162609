package org.carbonio.benchmarks.load;

import static org.carbonio.benchmarks.load.LoadSupport.arg;
import static org.carbonio.benchmarks.load.LoadSupport.deleteTree;
import static org.carbonio.benchmarks.load.LoadSupport.intArg;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;

/**
 * Many concurrent IDLE sessions over implicit TLS (IMAPS) on the server jar, all on one mailbox:
 * opens {@code sessions} connections (from source addresses 127.0.0.2 … 127.0.0.{1+sources}, so
 * that ephemeral ports do not run out), each does LOGIN, SELECT INBOX and IDLE (RFC 2177); then
 * measures the server's heap after a full GC ({@code jcmd GC.run}, {@code GC.heap_info}), its
 * resident set and OS threads; then another session (on the plain IMAP listener with STARTTLS, so
 * that it does not take one of the IMAPS listener's {@code maxConnections} = 10,000) APPENDs one
 * message, and every IDLE session waits for its {@code * 1 EXISTS}: how many got it within {@code
 * bound} seconds, and when. The client is this JVM, a different process from the server; its own
 * CPU, heap and RSS are reported separately and are not in the server's figures. {@code --histogram
 * n} prints the server's n biggest classes (after a full GC) while the sessions are held.
 *
 * <pre>
 * ulimit -n 30000
 * java -cp benchmarks/target/benchmarks.jar org.carbonio.benchmarks.load.ImapIdleSessions \
 *     [--sessions 10000] [--sources 8] [--bound 10] [--parallel 32] [--histogram 0] \
 *     [--work target/imap-idle] [--server-jvm "-Xmx1g"] [--server-jar carbonio-server/target/carbonio-server.jar]
 * </pre>
 *
 * <p>Not thread-safe: a command-line program.
 */
public final class ImapIdleSessions {
  private ImapIdleSessions() {}

  static final String USER = "idle@" + ImapLoad.DOMAIN;

  /** What the run measured; bytes, nanoseconds. */
  record Result(
      int requested,
      int idling,
      List<String> failures,
      double setupSeconds,
      double serverSetupCpu,
      long heapBefore,
      long heapAfter,
      long rssBefore,
      long rssAfter,
      int threadsBefore,
      int threadsAfter,
      int notifiedWithinBound,
      long[] notifyNanos,
      long appendNanos,
      double serverPushCpu,
      double clientCpu,
      long clientHeap,
      long clientRss) {}

  public static void main(String[] args) throws Exception {
    int sessions = intArg(args, "--sessions", 10_000);
    int sources = intArg(args, "--sources", 8);
    int bound = intArg(args, "--bound", 10);
    int parallel = intArg(args, "--parallel", 32);
    int histogram = intArg(args, "--histogram", 0);
    Path work = Path.of(arg(args, "--work", "target/imap-idle")).toAbsolutePath();
    Path jar = Path.of(arg(args, "--server-jar", "carbonio-server/target/carbonio-server.jar"));
    List<String> jvm = List.of(arg(args, "--server-jvm", "-Xmx1g").split(" "));
    System.out.println("load average before: " + ImapLoad.loadavg());
    Result r = run(work, jar, jvm, sessions, sources, bound, parallel, histogram);
    System.out.println("load average after: " + ImapLoad.loadavg());
    System.out.println();
    System.out.print(table(r, bound));
  }

  static Result run(
      Path work,
      Path jar,
      List<String> jvm,
      int sessions,
      int sources,
      int bound,
      int parallel,
      int histogram)
      throws Exception {
    deleteTree(work);
    Files.createDirectories(work);
    Path data = work.resolve("carbonio");
    try (CarbonioProcess server = CarbonioProcess.start(jar, data, ImapLoad.DOMAIN, jvm)) {
      server.createAccounts(List.of(USER));
      SSLContext tls = ImapProbe.trusting(data.resolve("tls").resolve("cert.pem"));
      long pid = server.pid();
      try (ImapClient plain = new ImapClient(null, server.port("imap"), null);
          ImapClient appender = plain.startTls(tls)) {
        appender.ok("LOGIN " + USER + " " + ImapLoad.PASSWORD);
        appender.ok("SELECT INBOX");
        // warm the path once (class loading, JIT of the handshake) before the baseline
        try (ImapClient one = new ImapClient(tls, server.port("imaps"), null, 1024)) {
          one.ok("LOGIN " + USER + " " + ImapLoad.PASSWORD);
          one.ok("SELECT INBOX");
          one.ok("LOGOUT");
        }
        long heapBefore = BigMailboxLoad.heapAfterGc(pid);
        long rssBefore = ProcessCpu.rssBytes(pid);
        int threadsBefore = threads(pid);
        double cpu0 = ProcessCpu.cpu(pid).total();
        double client0 = clientCpu();

        AtomicInteger idling = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch ready = new CountDownLatch(sessions);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong appendSent = new AtomicLong();
        long[] notified = new long[sessions];
        Arrays.fill(notified, -1);
        AtomicInteger gotIt = new AtomicInteger();
        CountDownLatch allNotified = new CountDownLatch(sessions);
        AtomicReference<ImapClient[]> clients = new AtomicReference<>(new ImapClient[sessions]);
        Semaphore setup = new Semaphore(parallel);
        long s0 = System.nanoTime();
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
          for (int i = 0; i < sessions; i++) {
            int id = i;
            vt.execute(
                () -> {
                  ImapClient c = null;
                  try {
                    setup.acquire();
                    try {
                      InetAddress src =
                          InetAddress.getByAddress(
                              new byte[] {127, 0, 0, (byte) (2 + id % sources)});
                      c = new ImapClient(tls, server.port("imaps"), src, 1024);
                      clients.get()[id] = c;
                      c.ok("LOGIN " + USER + " " + ImapLoad.PASSWORD);
                      c.ok("SELECT INBOX");
                      c.idle();
                      idling.incrementAndGet();
                    } finally {
                      setup.release();
                      ready.countDown();
                    }
                    go.await();
                    c.awaitLine("* 1 EXISTS");
                    notified[id] = System.nanoTime() - appendSent.get();
                    gotIt.incrementAndGet();
                  } catch (IOException | RuntimeException e) {
                    if (failures.size() < 20) failures.add(id + ": " + e);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } finally {
                    allNotified.countDown();
                  }
                });
          }
          ready.await();
          double setupSeconds = (System.nanoTime() - s0) / 1e9;
          double setupCpu = ProcessCpu.cpu(pid).total() - cpu0;
          long heapAfter = BigMailboxLoad.heapAfterGc(pid);
          long rssAfter = ProcessCpu.rssBytes(pid);
          int threadsAfter = threads(pid);
          if (histogram > 0) { // the server's biggest classes while the sessions are held
            String[] h = BigMailboxLoad.jcmd(pid, "GC.class_histogram").split("\n");
            for (int i = 0; i < Math.min(h.length, histogram + 3); i++) System.out.println(h[i]);
          }
          double cpu1 = ProcessCpu.cpu(pid).total();
          go.countDown();
          appendSent.set(System.nanoTime());
          appender.append("INBOX", "", ImapLoad.message(0));
          long appendNanos = System.nanoTime() - appendSent.get();
          allNotified.await(bound * 3L, TimeUnit.SECONDS);
          double pushCpu = ProcessCpu.cpu(pid).total() - cpu1;
          long[] times = Arrays.stream(notified).filter(t -> t >= 0).sorted().toArray();
          int within = (int) Arrays.stream(times).filter(t -> t <= bound * 1_000_000_000L).count();
          double clientCpu = clientCpu() - client0;
          System.gc();
          long clientHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
          long clientRss = selfRss();
          for (ImapClient c : clients.get()) {
            if (c != null) {
              try {
                c.close();
              } catch (IOException e) {
                // closing anyway
              }
            }
          }
          vt.shutdownNow();
          return new Result(
              sessions,
              idling.get(),
              new ArrayList<>(failures),
              setupSeconds,
              setupCpu,
              heapBefore,
              heapAfter,
              rssBefore,
              rssAfter,
              threadsBefore,
              threadsAfter,
              within,
              times,
              appendNanos,
              pushCpu,
              clientCpu,
              clientHeap,
              clientRss);
        }
      }
    }
  }

  /** CPU seconds of this JVM (the client) alone, not its child processes. */
  private static double clientCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }

  static String table(Result r, int bound) {
    StringBuilder sb = new StringBuilder();
    long[] t = r.notifyNanos();
    sb.append(
        String.format(
            Locale.ROOT,
            "sessions requested %d, in IDLE %d, set up in %.1f s (server CPU %.1f s, %.2f ms per"
                + " session)%n",
            r.requested(),
            r.idling(),
            r.setupSeconds(),
            r.serverSetupCpu(),
            r.serverSetupCpu() * 1e3 / Math.max(1, r.idling())));
    sb.append(
        String.format(
            Locale.ROOT,
            "server heap after full GC: %.1f MB -> %.1f MB = %.1f KB per session%n",
            r.heapBefore() / 1e6,
            r.heapAfter() / 1e6,
            (r.heapAfter() - r.heapBefore()) / 1e3 / Math.max(1, r.idling())));
    sb.append(
        String.format(
            Locale.ROOT,
            "server RSS: %.0f MB -> %.0f MB = %.1f KB per session; OS threads %d -> %d%n",
            r.rssBefore() / 1e6,
            r.rssAfter() / 1e6,
            (r.rssAfter() - r.rssBefore()) / 1e3 / Math.max(1, r.idling()),
            r.threadsBefore(),
            r.threadsAfter()));
    sb.append(
        String.format(
            Locale.ROOT,
            "one APPEND (%.0f ms to its OK): %d of %d IDLE sessions got * 1 EXISTS within %d s of"
                + " sending it; after p50 %.0f ms, p99 %.0f ms, last %.0f ms; server CPU for the"
                + " APPEND and the fan-out %.2f s%n",
            r.appendNanos() / 1e6,
            r.notifiedWithinBound(),
            r.idling(),
            bound,
            ImapLoad.percentileMs(t, 0.5),
            ImapLoad.percentileMs(t, 0.99),
            t.length == 0 ? Double.NaN : t[t.length - 1] / 1e6,
            r.serverPushCpu()));
    sb.append(
        String.format(
            Locale.ROOT,
            "client (this JVM, not counted above): CPU %.1f s, heap after GC %.0f MB, RSS %.0f MB%n",
            r.clientCpu(),
            r.clientHeap() / 1e6,
            r.clientRss() / 1e6));
    for (String f : r.failures()) sb.append("failure: ").append(f).append('\n');
    return sb.toString();
  }

  /** VmRSS of this JVM alone. */
  private static long selfRss() throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.substring(6).replace("kB", "").strip()) * 1024;
      }
    }
    return -1;
  }

  private static int threads(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (l.startsWith("Threads:")) {
        return Integer.parseInt(l.substring(8).strip());
      }
    }
    return -1;
  }
}
