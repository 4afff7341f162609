package org.carbonio.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Prints durable appends per second with 1, 8 and 20 threads. Not a JUnit test: run with {@code
 * java -cp <test classpath> org.carbonio.store.AppendBenchmark [dir] [seconds]}. Every append
 * fsyncs its blob, renames it, fsyncs the directory and commits SQLite with synchronous=FULL
 * (concurrent commits grouped into one transaction).
 */
public final class AppendBenchmark {
  private AppendBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("store-bench");
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    byte[] base = new byte[4096];
    java.util.Arrays.fill(base, (byte) 'x');
    try (MailStore store = MailStore.open(dir)) {
      for (int threads : new int[] {1, 8, 20}) {
        AtomicLong counter = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Future<?>[] fs = new Future<?>[threads];
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          fs[t] =
              pool.submit(
                  () -> {
                    Mailbox box = store.mailbox("bench@example.org");
                    while (System.nanoTime() < deadline) {
                      byte[] msg = base.clone();
                      long n = counter.incrementAndGet();
                      byte[] id = Long.toString(n + threads * 1_000_000_000L).getBytes();
                      System.arraycopy(id, 0, msg, 0, id.length); // distinct content
                      box.append("INBOX", new ByteArrayInputStream(msg), Set.of(), null);
                    }
                    return null;
                  });
        }
        for (Future<?> f : fs) {
          f.get();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        System.out.printf(
            "%d thread(s): %d appends of 4 KiB in %.1f s = %.0f appends/s%n",
            threads, counter.get(), secs, counter.get() / secs);
      }
    } finally {
      if (args.length == 0) {
        deleteTree(dir);
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
