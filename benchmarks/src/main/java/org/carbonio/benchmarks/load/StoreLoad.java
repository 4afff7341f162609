package org.carbonio.benchmarks.load;

import static org.carbonio.benchmarks.load.LoadSupport.arg;
import static org.carbonio.benchmarks.load.LoadSupport.deleteTree;
import static org.carbonio.benchmarks.load.LoadSupport.intArg;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.carbonio.store.MailStore;
import org.carbonio.store.StoreConfig;
import org.carbonio.store.testkit.PostgresServer;

/**
 * Durable deliveries per second through the store API: {@code threads} threads each delivering
 * distinct messages of {@code size} bytes to the INBOX of a random one of {@code accounts}
 * accounts, for {@code seconds} after a warm-up. Every delivery is durable on return (blob fsynced
 * and renamed, metadata committed).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.carbonio.benchmarks.load.StoreLoad \
 *     [--threads 20] [--size 5120] [--accounts 1000] [--warmup 5] [--seconds 20] [--dir DIR]
 *     [--postgres]
 * </pre>
 *
 * <p>DIR must be on the disk under test (not tmpfs); it is emptied first. With {@code --postgres}
 * the metadata goes to a private PostgreSQL 15 started for the run with its default durability
 * (fsync on, synchronous commit); its CPU is not in the figure printed (a separate process).
 */
public final class StoreLoad {
  private StoreLoad() {}

  /** The outcome of one timed run. */
  record Result(long delivered, double seconds, double cpuSeconds) {
    double perSecond() {
      return delivered / seconds;
    }

    double cpuMicrosPerDelivery() {
      return cpuSeconds * 1e6 / delivered;
    }
  }

  public static void main(String[] args) throws Exception {
    int threads = intArg(args, "--threads", 20);
    int size = intArg(args, "--size", 5120);
    int accounts = intArg(args, "--accounts", 1000);
    int warmup = intArg(args, "--warmup", 5);
    int seconds = intArg(args, "--seconds", 20);
    Path dir = Path.of(arg(args, "--dir", "target/store-load")).toAbsolutePath();
    boolean postgres = args.length > 0 && java.util.Arrays.asList(args).contains("--postgres");
    deleteTree(dir);
    PostgresServer pg = postgres ? PostgresServer.startDurable() : null;
    try (pg;
        MailStore store =
            MailStore.open(
                pg == null
                    ? StoreConfig.embedded(dir)
                    : StoreConfig.embedded(dir)
                        .withPostgres(pg.url(pg.createDatabase()), pg.user(), ""))) {
      run(store, threads, size, accounts, warmup);
      ProcessCpu.Cpu pg0 = pg == null ? null : ProcessCpu.cpu(pg.pid());
      Result r = run(store, threads, size, accounts, seconds);
      if (pg != null) {
        double pgCpu = ProcessCpu.cpu(pg.pid()).minus(pg0).total();
        System.out.printf(
            Locale.ROOT,
            "PostgreSQL processes: %.0f µs CPU per delivery%n",
            pgCpu * 1e6 / r.delivered());
      }
      System.out.printf(
          Locale.ROOT,
          "%s, %d threads, %d-byte messages: %.0f deliveries/s,"
              + " %.0f µs CPU per delivery in this JVM (%d in %.1f s)%n",
          pg == null ? "embedded (SQLite + filesystem)" : "PostgreSQL 15 + filesystem",
          threads,
          size,
          r.perSecond(),
          r.cpuMicrosPerDelivery(),
          r.delivered(),
          r.seconds());
    }
  }

  /** Runs the load on {@code store} for {@code seconds}. */
  static Result run(MailStore store, int threads, int size, int accounts, int seconds)
      throws Exception {
    AtomicLong delivered = new AtomicLong();
    AtomicLong serial = new AtomicLong();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    long deadline = t0 + seconds * 1_000_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      fs.add(
          pool.submit(
              () -> {
                while (System.nanoTime() < deadline) {
                  String account =
                      "user" + ThreadLocalRandom.current().nextInt(accounts) + "@bench.test";
                  byte[] message =
                      LmtpLoad.message("store", serial.incrementAndGet(), account, size);
                  store.deliver(List.of(account), "INBOX", new ByteArrayInputStream(message), null);
                  delivered.incrementAndGet();
                }
                return null;
              }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    pool.shutdown();
    return new Result(delivered.get(), elapsed, (os.getProcessCpuTime() - cpu0) / 1e9);
  }
}
