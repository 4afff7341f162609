package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConditionalFlagsTest {
  @TempDir Path dir;
  MailStore store;
  Mailbox box;

  @BeforeEach
  void open() {
    store = MailStore.open(dir);
    box = store.mailbox("alice@example.org");
  }

  @AfterEach
  void close() {
    store.close();
  }

  long append() {
    return box.append(
            "INBOX",
            new ByteArrayInputStream("Subject: x\r\n\r\nbody\r\n".getBytes(UTF_8)),
            Set.of(),
            null)
        .uid();
  }

  long modSeq(long uid) {
    return box.snapshot("INBOX").messages().stream()
        .filter(m -> m.uid() == uid)
        .findFirst()
        .orElseThrow()
        .modSeq();
  }

  @Test
  void setFlagsIfUnchangedShouldRefuseOnlyMessagesChangedSinceWhenMixed() {
    long a = append();
    long b = append();
    long limit = modSeq(b);
    box.setFlags("INBOX", List.of(a), FlagOperation.ADD, Set.of("$x")); // a now above the limit
    ConditionalFlags r =
        box.setFlagsIfUnchanged(
            "INBOX", List.of(a, b, 99L), FlagOperation.ADD, Set.of(Flags.FLAGGED), limit);
    // RFC 7162 §3.1.3: a is reported MODIFIED and keeps its flags; 99 does not exist
    assertThat(r.modified()).containsExactly(a);
    assertThat(r.updated()).extracting(MessageInfo::uid).containsExactly(b);
    assertThat(r.updated().getFirst().flags()).containsExactly(Flags.FLAGGED);
    assertThat(r.updated().getFirst().modSeq()).isGreaterThan(limit);
    assertThat(box.snapshot("INBOX").messages().getFirst().flags()).containsExactly("$x");
  }

  @Test
  void setFlagsIfUnchangedShouldRefuseAllWhenLimitIsZero() {
    long a = append();
    ConditionalFlags r =
        box.setFlagsIfUnchanged("INBOX", List.of(a), FlagOperation.ADD, Set.of(Flags.SEEN), 0);
    assertThat(r.modified()).containsExactly(a);
    assertThat(r.updated()).isEmpty();
    assertThatThrownBy(
            () ->
                box.setFlagsIfUnchanged(
                    "INBOX", List.of(a), FlagOperation.ADD, Set.of(Flags.SEEN), -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                box.setFlagsIfUnchanged(
                    "Nope", List.of(a), FlagOperation.ADD, Set.of(Flags.SEEN), 5))
        .isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void setFlagsIfUnchangedShouldNeverLetBothWinWhenRacingUnconditionalChange() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 50; round++) {
        long uid = append();
        long seen = modSeq(uid);
        CyclicBarrier start = new CyclicBarrier(2);
        Future<ConditionalFlags> conditional =
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return box.setFlagsIfUnchanged(
                      "INBOX", List.of(uid), FlagOperation.ADD, Set.of(Flags.FLAGGED), seen);
                });
        Future<List<MessageInfo>> other =
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return box.setFlags("INBOX", List.of(uid), FlagOperation.ADD, Set.of("$other"));
                });
        ConditionalFlags c = conditional.get(30, TimeUnit.SECONDS);
        long otherModSeq = other.get(30, TimeUnit.SECONDS).getFirst().modSeq();
        Set<String> finalFlags =
            box.snapshot("INBOX").messages().stream()
                .filter(m -> m.uid() == uid)
                .findFirst()
                .orElseThrow()
                .flags();
        assertThat(finalFlags).contains("$other");
        if (c.modified().isEmpty()) {
          // the conditional change won: it came first, the other came after it
          assertThat(c.updated()).hasSize(1);
          assertThat(otherModSeq).isGreaterThan(c.updated().getFirst().modSeq());
          assertThat(finalFlags).contains(Flags.FLAGGED);
        } else {
          // the other change came first: the conditional one saw it and changed nothing
          assertThat(c.updated()).isEmpty();
          assertThat(c.modified()).containsExactly(uid);
          assertThat(finalFlags).doesNotContain(Flags.FLAGGED);
        }
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
