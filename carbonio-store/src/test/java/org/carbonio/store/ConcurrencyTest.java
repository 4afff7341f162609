package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void concurrentAppendsFlagsAndExpungesShouldKeepInvariantsWhenSharingOneFolder()
      throws Exception {
    final int appenders = 4;
    final int perAppender = 40;
    try (MailStore store = MailStore.open(dir)) {
      Mailbox box = store.mailbox("busy@example.org");
      ConcurrentLinkedQueue<Long> appended = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Long> expunged = new ConcurrentLinkedQueue<>();
      CountDownLatch start = new CountDownLatch(1);
      CountDownLatch appendsDone = new CountDownLatch(appenders);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < appenders; t++) {
        final int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  long last = 0;
                  try {
                    for (int i = 0; i < perAppender; i++) {
                      // Half the messages share content across threads (dedup under contention).
                      String body = i % 2 == 0 ? "shared " + i : "t" + thread + " m" + i;
                      AppendResult r =
                          store
                              .mailbox("busy@example.org")
                              .append(
                                  "INBOX",
                                  new ByteArrayInputStream(body.getBytes(UTF_8)),
                                  Set.of(),
                                  null);
                      assertThat(r.uid()).isGreaterThan(last); // increasing per thread
                      last = r.uid();
                      appended.add(r.uid());
                    }
                  } finally {
                    appendsDone.countDown();
                  }
                  return null;
                }));
      }
      for (int t = 0; t < 2; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  while (appendsDone.getCount() > 0) {
                    List<MessageInfo> msgs = box.snapshot("INBOX").messages();
                    if (msgs.isEmpty()) {
                      continue;
                    }
                    long uid = msgs.get(ThreadLocalRandom.current().nextInt(msgs.size())).uid();
                    box.setFlags("INBOX", List.of(uid), FlagOperation.ADD, Set.of(Flags.DELETED));
                  }
                  return null;
                }));
      }
      for (int t = 0; t < 2; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  while (appendsDone.getCount() > 0) {
                    expunged.addAll(box.expunge("INBOX", Optional.empty()));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(100, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

      int total = appenders * perAppender;
      assertThat(new HashSet<>(appended)).hasSize(total);
      assertThat(appended).allSatisfy(uid -> assertThat(uid).isBetween(1L, (long) total));
      assertThat(new HashSet<>(expunged)).hasSameSizeAs(expunged);
      assertThat(appended).containsAll(expunged);

      FolderSnapshot s = box.snapshot("INBOX");
      FolderStatus st = box.status("INBOX");
      assertThat(s.uidNext()).isEqualTo(total + 1);
      assertThat(s.messages()).hasSize(total - expunged.size());
      assertThat(st.messages()).isEqualTo(s.messages().size());
      Set<Long> remaining = new HashSet<>(appended);
      remaining.removeAll(expunged);
      assertThat(s.messages())
          .extracting(MessageInfo::uid)
          .containsExactlyInAnyOrderElementsOf(remaining);
      assertThat(s.messages()).extracting(MessageInfo::uid).isSorted();
      assertThat(box.changesSince("INBOX", 0).expunged())
          .containsExactlyInAnyOrderElementsOf(expunged);
      for (MessageInfo m : s.messages()) {
        assertThat(box.read("INBOX", m.uid())).hasSize((int) m.size()); // blob still present
      }
    }
  }
}
