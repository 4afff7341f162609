package org.carbonio.smtp.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.spi.DeliveryAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outcomes reported early through the progress callback, and torn state logs. */
class MailQueueProgressTest {

  @TempDir Path dir;

  private static final QueueConfig FAST =
      QueueConfig.DEFAULTS
          .withHostname("mx.example.com")
          .withRetry(Duration.ofMillis(50), Duration.ofMillis(50))
          .withDeliveries(4, Duration.ofMillis(300))
          .withShutdownTimeout(Duration.ofMillis(200));

  /**
   * Delivers the fast domain at once (reporting it), then on the first attempt either blocks until
   * interrupted (a tarpitting MX) or throws; later attempts deliver everyone.
   */
  private static final class TwoDomains implements DeliveryAgent {
    final List<List<String>> calls = new CopyOnWriteArrayList<>();
    final List<String> copiesToFast = new CopyOnWriteArrayList<>();
    final CountDownLatch firstReported = new CountDownLatch(1);
    final boolean throwInstead;

    TwoDomains(boolean throwInstead) {
      this.throwInstead = throwInstead;
    }

    @Override
    public List<RecipientOutcome> deliver(
        Envelope envelope, List<EnvelopeRecipient> recipients, MessageContent content) {
      throw new AssertionError("the queue calls the 4-argument method");
    }

    @Override
    public List<RecipientOutcome> deliver(
        Envelope envelope,
        List<EnvelopeRecipient> recipients,
        MessageContent content,
        Consumer<RecipientOutcome> progress)
        throws InterruptedException {
      calls.add(recipients.stream().map(EnvelopeRecipient::address).toList());
      boolean first = calls.size() == 1;
      for (EnvelopeRecipient r : recipients) {
        if (r.address().endsWith("@fast.example")) {
          copiesToFast.add(r.address());
          progress.accept(RecipientOutcome.delivered(r.address()));
        }
      }
      firstReported.countDown();
      if (first) {
        if (throwInstead) {
          throw new IllegalStateException("agent bug");
        }
        new CountDownLatch(1).await(); // until the queue gives up and interrupts
      }
      return recipients.stream().map(r -> RecipientOutcome.delivered(r.address())).toList();
    }
  }

  private static Envelope twoDomains() {
    return Envelope.of("s@example.org", List.of("a@fast.example", "b@slow.example"));
  }

  @Test
  void deliverShouldNotRepeatReportedRecipientWhenAttemptTimesOut() throws Exception {
    TwoDomains agent = new TwoDomains(false);
    try (MailQueue q = MailQueue.builder().directory(dir).config(FAST).build()) {
      q.enqueue(twoDomains(), Bytes.message("s@example.org", "hello"));
      q.start(agent);
      await().atMost(10, TimeUnit.SECONDS).until(() -> q.size() == 0);
    }
    assertThat(agent.copiesToFast).containsExactly("a@fast.example");
    assertThat(agent.calls).hasSize(2);
    assertThat(agent.calls.get(1)).containsExactly("b@slow.example");
  }

  @Test
  void deliverShouldNotRepeatReportedRecipientWhenAgentThrows() throws Exception {
    TwoDomains agent = new TwoDomains(true);
    try (MailQueue q = MailQueue.builder().directory(dir).config(FAST).build()) {
      q.enqueue(twoDomains(), Bytes.message("s@example.org", "hello"));
      q.start(agent);
      await().atMost(10, TimeUnit.SECONDS).until(() -> q.size() == 0);
    }
    assertThat(agent.copiesToFast).containsExactly("a@fast.example");
    assertThat(agent.calls.get(1)).containsExactly("b@slow.example");
  }

  @Test
  void closeShouldKeepReportedOutcomesWhenAttemptIsInterrupted() throws Exception {
    TwoDomains agent = new TwoDomains(false);
    QueueConfig slow = FAST.withDeliveries(4, Duration.ofMinutes(10));
    QueueId id;
    try (MailQueue q = MailQueue.builder().directory(dir).config(slow).build()) {
      id = q.enqueue(twoDomains(), Bytes.message("s@example.org", "hello"));
      q.start(agent);
      assertThat(agent.firstReported.await(10, TimeUnit.SECONDS)).isTrue();
    } // close() interrupts the blocked attempt
    try (MailQueue q = MailQueue.builder().directory(dir).config(slow).build()) {
      List<RecipientStatus> rs = q.show(id).orElseThrow().recipients();
      assertThat(rs.get(0).state()).isEqualTo(RecipientStatus.State.DELIVERED);
      assertThat(rs.get(1).state()).isEqualTo(RecipientStatus.State.PENDING);
    }
  }

  @Test
  void reopenShouldKeepLaterRecordsWhenLogHasTornTail() throws Exception {
    QueueConfig cfg = QueueConfig.DEFAULTS.withHostname("mx.example.com");
    QueueId id;
    try (MailQueue q = MailQueue.builder().directory(dir).config(cfg).build()) {
      id = q.enqueue(Envelope.of("s@example.org", List.of("a@x.example")), Bytes.message("s", "x"));
    }
    Path log = dir.resolve(id.value() + ".log");
    // a crash in the middle of an append: half a record, no newline
    Files.write(
        log, "deadbeef R 0 DELIV".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
    try (MailQueue q = MailQueue.builder().directory(dir).config(cfg).build()) {
      assertThat(Files.size(log)).isZero(); // truncated to its last valid record
      assertThat(q.hold(id, "operator")).isTrue();
    }
    try (MailQueue q = MailQueue.builder().directory(dir).config(cfg).build()) {
      QueuedMessage m = q.show(id).orElseThrow();
      assertThat(m.held()).isTrue();
      assertThat(m.holdReason()).isEqualTo("operator");
    }
  }
}
