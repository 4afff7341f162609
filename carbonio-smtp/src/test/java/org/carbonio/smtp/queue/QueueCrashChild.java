package org.carbonio.smtp.queue;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.spi.DeliveryAgent;

/**
 * The process {@link QueueCrashTest} kills: enqueues messages from 8 threads while delivering them,
 * printing {@code ACK <n> <id>} after each enqueue returns. Deliveries are appended to a "receiver"
 * file, as the next hop would count them.
 */
public final class QueueCrashChild {

  private QueueCrashChild() {}

  /** A message's envelope: {@code s<n>@test} to a (delivered), t (deferred once), p (bounced). */
  static Envelope envelope(int n) {
    List<String> rcpts = new ArrayList<>(List.of("a" + n + "@x.test", "t" + n + "@x.test"));
    if (n % 10 == 0) {
      rcpts.add("p" + n + "@x.test");
    }
    return Envelope.of("s" + n + "@test", rcpts);
  }

  static QueueConfig config() {
    return QueueConfig.DEFAULTS
        .withRetry(Duration.ofMillis(200), Duration.ofMillis(400))
        .withDeliveries(8, Duration.ofSeconds(30))
        .withShutdownTimeout(Duration.ofSeconds(1));
  }

  /**
   * An agent that records deliveries in {@code receiver}; {@code t*} recipients fail once per
   * process, {@code p*} recipients fail for good.
   */
  static DeliveryAgent agent(Path receiver) {
    Set<String> deferred = ConcurrentHashMap.newKeySet();
    return (env, rcpts, content) -> {
      List<RecipientOutcome> out = new ArrayList<>();
      StringBuilder lines = new StringBuilder();
      for (EnvelopeRecipient r : rcpts) {
        String a = r.address();
        if (a.startsWith("p")) {
          out.add(RecipientOutcome.permanent(a, 550, "5.1.1", "no such user"));
        } else if (a.startsWith("t") && deferred.add(a)) {
          out.add(RecipientOutcome.temporary(a, 451, "4.4.1", "later"));
        } else {
          out.add(RecipientOutcome.delivered(a));
          lines.append('<').append(env.sender()).append("> ").append(a).append('\n');
        }
      }
      if (!lines.isEmpty()) {
        try (FileChannel ch =
            FileChannel.open(
                receiver,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
          ch.write(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return out;
    };
  }

  /** Args: queue directory, receiver file. Runs until killed. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path receiver = Path.of(args[1]);
    PrintStream out = System.out;
    MailQueue q = MailQueue.builder().directory(dir).config(config()).build();
    q.start(agent(receiver));
    AtomicInteger next = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      while (true) {
                        int n = next.incrementAndGet();
                        QueueId id =
                            q.enqueue(envelope(n), Bytes.message("s" + n + "@test", "m" + n));
                        synchronized (out) {
                          out.println("ACK " + n + " " + id);
                          out.flush();
                        }
                      }
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
  }
}
