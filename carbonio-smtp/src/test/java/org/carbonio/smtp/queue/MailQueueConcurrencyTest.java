package org.carbonio.smtp.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;
import org.carbonio.smtp.Envelope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 20 threads enqueue while the scheduler delivers; prints enqueue latency and throughput. */
class MailQueueConcurrencyTest {

  private static final int THREADS = 20;
  private static final int PER_THREAD = 50;
  private static final Bytes FOUR_KB = new Bytes("x".repeat(4094) + "\r\n");

  @TempDir Path dir;

  @Test
  void everyMessageShouldBeDeliveredOnceWhenTwentyThreadsEnqueueWhileDelivering() throws Exception {
    ScriptedAgent agent = new ScriptedAgent();
    QueueConfig config = QueueConfig.DEFAULTS.withDeliveries(4, Duration.ofMinutes(1));
    try (MailQueue q = MailQueue.builder().directory(dir).config(config).build()) {
      q.start(agent);
      AtomicLongArray latencies = new AtomicLongArray(THREADS * PER_THREAD);
      Set<QueueId> ids = ConcurrentHashMap.newKeySet();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        go.await();
                        for (int i = 0; i < PER_THREAD; i++) {
                          int n = thread * PER_THREAD + i;
                          long start = System.nanoTime();
                          ids.add(
                              q.enqueue(
                                  Envelope.of("s" + n + "@test", List.of("r" + n + "@x.test")),
                                  FOUR_KB));
                          latencies.set(n, System.nanoTime() - start);
                        }
                      } catch (Exception e) {
                        throw new AssertionError(e);
                      }
                    }));
      }
      long start = System.nanoTime();
      go.countDown();
      for (Thread t : threads) {
        t.join();
      }
      long elapsed = System.nanoTime() - start;
      assertThat(ids).hasSize(THREADS * PER_THREAD);
      await().atMost(Duration.ofSeconds(60)).until(() -> q.size() == 0);

      List<String> senders = agent.calls.stream().map(c -> c.envelope().sender()).toList();
      assertThat(senders).hasSize(THREADS * PER_THREAD).doesNotHaveDuplicates();
      assertThat(agent.maxRunning.get()).isLessThanOrEqualTo(4);

      long[] sorted = new long[latencies.length()];
      for (int i = 0; i < sorted.length; i++) {
        sorted[i] = latencies.get(i);
      }
      Arrays.sort(sorted);
      System.out.printf(
          "queue: %d threads x %d enqueues of 4 KB: %.0f msg/s, latency p50 %.1f ms p99 %.1f ms,"
              + " %d directory fsyncs%n",
          THREADS,
          PER_THREAD,
          sorted.length / (elapsed / 1e9),
          sorted[sorted.length / 2] / 1e6,
          sorted[sorted.length * 99 / 100] / 1e6,
          q.directorySyncs());
    }
  }

  @Test
  void enqueueShouldShareDirectoryFsyncsWhenThreadsEnqueueAtOnce() throws Exception {
    for (int threads : new int[] {1, 4, 20}) {
      Path sub = dir.resolve("t" + threads);
      try (MailQueue q = MailQueue.builder().directory(sub).build()) {
        int per = 200 / threads;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          ts.add(
              Thread.ofPlatform()
                  .start(
                      () -> {
                        try {
                          go.await();
                          for (int i = 0; i < per; i++) {
                            q.enqueue(Envelope.of("a@test", List.of("b@x.test")), FOUR_KB);
                          }
                        } catch (Exception e) {
                          throw new AssertionError(e);
                        }
                      }));
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : ts) {
          t.join();
        }
        long elapsed = System.nanoTime() - start;
        int n = per * threads;
        assertThat(q.size()).isEqualTo(n);
        assertThat(q.list().stream().map(m -> m.id()).collect(Collectors.toSet())).hasSize(n);
        assertThat(q.directorySyncs()).isLessThanOrEqualTo(n);
        System.out.printf(
            "queue: %d thread(s), %d enqueues of 4 KB, no deliveries: %.0f msg/s, mean %.2f ms"
                + " per enqueue, %d directory fsyncs%n",
            threads, n, n / (elapsed / 1e9), elapsed / 1e6 / per, q.directorySyncs());
      }
    }
  }
}
