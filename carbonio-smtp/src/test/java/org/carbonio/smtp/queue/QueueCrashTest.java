package org.carbonio.smtp.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.carbonio.smtp.EnvelopeRecipient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGKILL during a burst of enqueues and deliveries loses nothing acknowledged. */
class QueueCrashTest {

  @TempDir Path tmp;

  @Test
  void restartShouldKeepEveryAcknowledgedMessageWhenProcessIsKilled() throws Exception {
    Path dir = tmp.resolve("queue");
    Path receiver = tmp.resolve("receiver.txt");
    Map<Integer, String> acked = new HashMap<>();
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile"),
                QueueCrashChild.class.getName(),
                dir.toString(),
                receiver.toString())
            .redirectError(tmp.resolve("child.err").toFile())
            .start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acked.size() < 400 && (line = r.readLine()) != null) {
        String[] t = line.split(" ");
        if (t[0].equals("ACK")) {
          acked.put(Integer.parseInt(t[1]), t[2]);
        }
      }
      // SIGKILL on Linux: no shutdown hook, no close(), in the middle of enqueues and attempts
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(acked).as(Files.readString(tmp.resolve("child.err"))).hasSize(400);
    List<String> beforeRestart = Files.exists(receiver) ? Files.readAllLines(receiver) : List.of();

    QueueConfig config = QueueCrashChild.config();
    try (MailQueue q = MailQueue.builder().directory(dir).config(config).build()) {
      // what the state logs say was finished before the kill
      Set<String> finished = new HashSet<>();
      Set<String> queued = new HashSet<>();
      for (QueuedMessage m : q.list()) {
        queued.add(m.id().value());
        for (RecipientStatus s : m.recipients()) {
          if (s.state().isFinal()) {
            finished.add("<" + m.sender() + "> " + s.recipient().address());
          }
        }
      }
      for (Map.Entry<Integer, String> a : acked.entrySet()) {
        if (!queued.contains(a.getValue())) {
          // gone from the queue: every recipient was finished
          for (EnvelopeRecipient rc : QueueCrashChild.envelope(a.getKey()).recipients()) {
            finished.add("<s" + a.getKey() + "@test> " + rc.address());
          }
        }
      }
      Path receiver2 = tmp.resolve("receiver2.txt");
      q.start(QueueCrashChild.agent(receiver2));
      await().atMost(Duration.ofSeconds(60)).until(() -> q.size() == 0);

      List<String> afterRestart =
          Files.exists(receiver2) ? Files.readAllLines(receiver2) : List.of();
      // no recipient recorded as done before the kill is attempted again
      assertThat(afterRestart).doesNotContainAnyElementsOf(finished);

      Map<String, Long> counts =
          java.util.stream.Stream.concat(beforeRestart.stream(), afterRestart.stream())
              .collect(Collectors.groupingBy(s -> s, Collectors.counting()));
      for (int n : acked.keySet()) {
        // every acknowledged message reached every good recipient, and bounced the bad one
        assertThat(counts).containsKey("<s" + n + "@test> a" + n + "@x.test");
        assertThat(counts).containsKey("<s" + n + "@test> t" + n + "@x.test");
        if (n % 10 == 0) {
          assertThat(counts).containsKey("<> s" + n + "@test");
        }
      }
      // duplicates only from the RFC 1047 window: attempts in flight at the kill
      long duplicates = counts.values().stream().filter(c -> c > 1).count();
      assertThat(duplicates).isLessThanOrEqualTo(config.maxConcurrentDeliveries() * 3L);
      System.out.printf(
          "crash test: %d acknowledged, %d delivered before the kill, %d after, %d duplicates%n",
          acked.size(), beforeRestart.size(), afterRestart.size(), duplicates);
    }
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("lock");
    }
  }
}
