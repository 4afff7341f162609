package org.carbonio.smtp.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.internal.queue.LogRecord;
import org.carbonio.smtp.internal.queue.QueueCodec;
import org.carbonio.smtp.protocol.BodyType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailQueueTest {

  private static final Instant T0 = Instant.parse("2026-11-29T00:00:00Z");

  @TempDir Path dir;
  private final TestClock clock = new TestClock(T0);
  private final ScriptedAgent agent = new ScriptedAgent();
  private final List<MailQueue> queues = new ArrayList<>();

  @AfterEach
  void closeQueues() {
    queues.forEach(MailQueue::close);
  }

  private MailQueue open(QueueConfig config) throws IOException {
    MailQueue q = MailQueue.builder().directory(dir).config(config).clock(clock).build();
    queues.add(q);
    return q;
  }

  private MailQueue started(QueueConfig config) throws IOException {
    MailQueue q = open(config);
    q.start(agent);
    return q;
  }

  private static QueueConfig config() {
    return QueueConfig.DEFAULTS.withHostname("mx.example.com");
  }

  private static Envelope envelope(String sender, String... rcpts) {
    return Envelope.of(sender, List.of(rcpts));
  }

  private static Envelope dsnEnvelope(String sender, EnvelopeRecipient... rcpts) {
    return new Envelope(sender, List.of(rcpts), null, "env-1", BodyType.UNSPECIFIED, false, false);
  }

  private void awaitAttempts(MailQueue q, QueueId id, int n) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> q.show(id).map(m -> m.attempts() >= n && !running(m)).orElse(true));
  }

  private static boolean running(QueuedMessage m) {
    return m.nextAttempt() == null && !m.held();
  }

  private void advanceTo(MailQueue q, Instant t) {
    clock.advance(Duration.between(clock.instant(), t));
    q.checkSchedule();
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void enqueueShouldDeliverAtOnceWhenStarted() throws Exception {
    MailQueue q = started(config());
    Bytes msg = Bytes.message("a@example.com", "first");
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net", "c@example.org"), msg);

    ScriptedAgent.Call call = agent.next();
    assertThat(call.recipients()).containsExactly("b@example.net", "c@example.org");
    assertThat(call.envelope().sender()).isEqualTo("a@example.com");
    assertThat(new String(call.content(), StandardCharsets.UTF_8))
        .isEqualTo(new String(msg.open().readAllBytes(), StandardCharsets.UTF_8));
    await().atMost(Duration.ofSeconds(20)).until(() -> q.size() == 0);
    assertThat(q.show(id)).isEmpty();
    assertThat(files()).containsExactly("lock");
    assertThat(q.bytes()).isZero();
  }

  @Test
  void enqueueShouldBeDurableBeforeItReturnsWhenNotStarted() throws Exception {
    MailQueue q = open(config());
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net"), Bytes.message("a", "x"));
    assertThat(files()).containsExactly(id + ".log", id + ".msg", "lock");
    QueuedMessage m = q.show(id).orElseThrow();
    assertThat(m.arrival()).isEqualTo(T0);
    assertThat(m.attempts()).isZero();
    assertThat(m.nextAttempt()).isEqualTo(T0);
    assertThat(m.recipients())
        .singleElement()
        .satisfies(r -> assertThat(r.state()).isEqualTo(RecipientStatus.State.PENDING));
    assertThat(q.list()).extracting(QueuedMessage::id).containsExactly(id);
    assertThat(q.headers(id).orElseThrow())
        .startsWith("From: <a>\r\n")
        .contains("Subject: x\r\n")
        .doesNotContain("Hello");
    assertThat(q.content(id).orElseThrow().size()).isEqualTo(Bytes.message("a", "x").size());
    assertThat(q.headers(QueueId.of("nope"))).isEmpty();
  }

  @Test
  void temporaryFailureShouldRetryWithDoublingBackoffWhenClockAdvances() throws Exception {
    agent.temporary("b@example.net");
    MailQueue q = started(config());
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net"), Bytes.message("a", "x"));
    agent.next();
    awaitAttempts(q, id, 1);
    long[] expectedMinutes = {5, 10, 20, 40, 60, 60};
    for (int i = 0; i < expectedMinutes.length; i++) {
      QueuedMessage m = q.show(id).orElseThrow();
      assertThat(Duration.between(clock.instant(), m.nextAttempt()))
          .isEqualTo(Duration.ofMinutes(expectedMinutes[i]));
      assertThat(m.recipients().get(0).lastOutcome().code()).isEqualTo(451);
      // one minute early: nothing happens
      advanceTo(q, m.nextAttempt().minus(Duration.ofMinutes(1)));
      assertThat(agent.calls.poll(100, TimeUnit.MILLISECONDS)).isNull();
      advanceTo(q, m.nextAttempt());
      agent.next();
      awaitAttempts(q, id, i + 2);
    }
  }

  @Test
  void messageShouldBounceAsExpiredWhenTemporaryFailuresOutlastLifetime() throws Exception {
    agent.temporary("b@example.net");
    MailQueue q = started(config().withMaxLifetime(Duration.ofHours(1)));
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net"), Bytes.message("a", "x"));
    agent.next();
    awaitAttempts(q, id, 1);
    int attempts = 1;
    while (q.show(id).isPresent()) {
      QueuedMessage m = q.show(id).orElseThrow();
      assertThat(m.nextAttempt()).isBeforeOrEqualTo(T0.plus(Duration.ofHours(1)));
      advanceTo(q, m.nextAttempt());
      ScriptedAgent.Call c = agent.next();
      if (c.envelope().sender().isEmpty()) {
        break;
      }
      attempts++;
      awaitAttempts(q, id, attempts);
    }
    // attempts at 0, 5, 15, 35 and (35 + 40 capped at the expiry) 60 minutes; the last expires it
    assertThat(attempts).isEqualTo(5);
    ScriptedAgent.Call bounce = agent.calls.isEmpty() ? agent.next() : agent.calls.poll();
    assertThat(bounce.envelope().sender()).isEmpty();
    assertThat(bounce.recipients()).containsExactly("a@example.com");
    String dsn = new String(bounce.content(), StandardCharsets.UTF_8);
    assertThat(dsn)
        .contains("Action: failed", "Status: 4.4.1", "Diagnostic-Code: smtp; 451 4.4.1 try again");
    await().atMost(Duration.ofSeconds(20)).until(() -> q.size() == 0);
  }

  @Test
  void permanentFailureShouldBounceOnlyThatRecipientWhenOthersAreDelivered() throws Exception {
    agent.permanent("bad@example.net");
    MailQueue q = started(config());
    q.enqueue(
        envelope("a@example.com", "bad@example.net", "good@example.net"), Bytes.message("a", "x"));
    ScriptedAgent.Call first = agent.next();
    assertThat(first.recipients()).containsExactly("bad@example.net", "good@example.net");
    ScriptedAgent.Call bounce = agent.next();
    assertThat(bounce.envelope().sender()).isEmpty();
    assertThat(bounce.envelope().recipients())
        .extracting(EnvelopeRecipient::address)
        .containsExactly("a@example.com");
    String dsn = new String(bounce.content(), StandardCharsets.UTF_8);
    assertThat(dsn)
        .contains("Final-Recipient: rfc822; bad@example.net", "Status: 5.1.1")
        .doesNotContain("good@example.net>:");
    await().atMost(Duration.ofSeconds(20)).until(() -> q.size() == 0);
    assertThat(agent.calls).isEmpty();
  }

  @Test
  void bounceShouldNotBeSentWhenNotifyIsNever() throws Exception {
    agent.permanent("bad@example.net");
    MailQueue q = started(config());
    q.enqueue(
        dsnEnvelope(
            "a@example.com", new EnvelopeRecipient("bad@example.net", Set.of(DsnNotify.NEVER), "")),
        Bytes.message("a", "x"));
    agent.next();
    await().atMost(Duration.ofSeconds(20)).until(() -> q.size() == 0);
    assertThat(agent.calls.poll(100, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void successDsnShouldBeSentWhenNotifyHasSuccess() throws Exception {
    MailQueue q = started(config());
    q.enqueue(
        dsnEnvelope(
            "a@example.com",
            new EnvelopeRecipient(
                "b@example.net",
                Set.of(DsnNotify.SUCCESS, DsnNotify.FAILURE),
                "rfc822;b@example.net"),
            EnvelopeRecipient.of("c@example.net")),
        Bytes.message("a", "x"));
    agent.next();
    ScriptedAgent.Call dsn = agent.next();
    String text = new String(dsn.content(), StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "Subject: Successful Mail Delivery Report",
            "Action: delivered",
            "Final-Recipient: rfc822; b@example.net",
            "Original-Recipient: rfc822; b@example.net",
            "Original-Envelope-Id: env-1",
            "Content-Type: text/rfc822-headers")
        .doesNotContain("c@example.net");
    await().atMost(Duration.ofSeconds(20)).until(() -> q.size() == 0);
  }

  @Test
  void delayDsnShouldBeSentOnceWhenMessageWaitsLongerThanDelayWarning() throws Exception {
    agent.temporary("b@example.net");
    MailQueue q =
        started(
            config()
                .withRetry(Duration.ofHours(1), Duration.ofHours(1))
                .withDelayWarning(Duration.ofHours(4)));
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net"), Bytes.message("a", "x"));
    List<ScriptedAgent.Call> dsns = new ArrayList<>();
    agent.next();
    awaitAttempts(q, id, 1);
    for (int hour = 1; hour <= 7; hour++) {
      advanceTo(q, T0.plus(Duration.ofHours(hour)));
      ScriptedAgent.Call c = agent.next();
      awaitAttempts(q, id, hour + 1);
      if (hour == 4) {
        ScriptedAgent.Call d = agent.next();
        dsns.add(d);
      }
      if (c.envelope().sender().isEmpty()) {
        dsns.add(c);
      }
    }
    assertThat(agent.calls).isEmpty();
    assertThat(dsns).hasSize(1);
    String text = new String(dsns.get(0).content(), StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "Action: delayed",
            "Status: 4.4.1",
            "Will-Retry-Until: ",
            "Subject: Delayed Mail (still being retried)");
    assertThat(q.show(id)).isPresent();
  }

  @Test
  void nullSenderMessageShouldNeverBounceWhenDeliveryFails() throws Exception {
    agent.permanent("a@example.com");
    MailQueue q = started(config());
    q.enqueue(envelope("", "a@example.com"), Bytes.message("MAILER-DAEMON", "bounce"));
    agent.next();
    await().atMost(Duration.ofSeconds(20)).until(() -> q.size() == 0);
    assertThat(agent.calls.poll(100, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void heldMessageShouldNotBeAttemptedUntilReleased() throws Exception {
    MailQueue q = open(config());
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net"), Bytes.message("a", "x"));
    assertThat(q.hold(id, "operator")).isTrue();
    q.start(agent);
    assertThat(q.retry(id)).isFalse();
    assertThat(q.retryAll()).isZero();
    clock.advance(Duration.ofDays(30));
    q.checkSchedule();
    assertThat(agent.calls.poll(100, TimeUnit.MILLISECONDS)).isNull();
    QueuedMessage m = q.show(id).orElseThrow();
    assertThat(m.held()).isTrue();
    assertThat(m.holdReason()).isEqualTo("operator");
    assertThat(m.nextAttempt()).isNull();

    assertThat(q.release(id)).isTrue();
    assertThat(q.release(id)).isFalse();
    assertThat(agent.next().recipients()).containsExactly("b@example.net");
    await().atMost(Duration.ofSeconds(20)).until(() -> q.size() == 0);
  }

  @Test
  void quarantinedMessageShouldStayHeldAcrossRestartWhenEnqueuedHeld() throws Exception {
    MailQueue q = open(config());
    QueueId id =
        q.enqueueHeld(
            envelope("a@example.com", "b@example.net"),
            Bytes.message("a", "eicar"),
            "Eicar-Signature.UNOFFICIAL");
    q.close();
    MailQueue again = started(config());
    QueuedMessage m = again.show(id).orElseThrow();
    assertThat(m.held()).isTrue();
    assertThat(m.holdReason()).isEqualTo("Eicar-Signature.UNOFFICIAL");
    assertThat(agent.calls.poll(100, TimeUnit.MILLISECONDS)).isNull();
    assertThat(again.release(id)).isTrue();
    agent.next();
    await().atMost(Duration.ofSeconds(20)).until(() -> again.size() == 0);
  }

  @Test
  void holdShouldSurviveRestartWhenSetByOperator() throws Exception {
    MailQueue q = open(config());
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net"), Bytes.message("a", "x"));
    q.hold(id);
    q.close();
    MailQueue again = started(config());
    assertThat(again.show(id).orElseThrow().held()).isTrue();
    assertThat(agent.calls.poll(100, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void deleteShouldRemoveMessageWithoutBounceWhenQueued() throws Exception {
    agent.temporary("b@example.net");
    MailQueue q = started(config());
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net"), Bytes.message("a", "x"));
    agent.next();
    awaitAttempts(q, id, 1);
    assertThat(q.delete(id)).isTrue();
    assertThat(q.delete(id)).isFalse();
    assertThat(q.show(id)).isEmpty();
    assertThat(files()).containsExactly("lock");
    q.retryAll();
    assertThat(agent.calls.poll(100, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void retryShouldAttemptAtOnceWhenMessageIsDeferred() throws Exception {
    agent.temporary("b@example.net");
    MailQueue q = started(config());
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net"), Bytes.message("a", "x"));
    agent.next();
    awaitAttempts(q, id, 1);
    agent.answers.clear();
    assertThat(q.retry(id)).isTrue();
    agent.next();
    await().atMost(Duration.ofSeconds(20)).until(() -> q.size() == 0);
    assertThat(q.retry(id)).isFalse();
  }

  @Test
  void restartShouldNotAttemptRecipientsAgainWhenTheyWereDone() throws Exception {
    agent.temporary("later@example.net");
    agent.permanent("bad@example.net");
    MailQueue q = started(config());
    QueueId id =
        q.enqueue(
            envelope("a@example.com", "done@example.net", "later@example.net", "bad@example.net"),
            Bytes.message("a", "x"));
    agent.next();
    agent.next(); // the bounce for bad@
    awaitAttempts(q, id, 1);
    q.close();

    ScriptedAgent second = new ScriptedAgent();
    MailQueue again = open(config());
    QueuedMessage m = again.show(id).orElseThrow();
    assertThat(m.recipients())
        .extracting(RecipientStatus::state)
        .containsExactly(
            RecipientStatus.State.DELIVERED,
            RecipientStatus.State.PENDING,
            RecipientStatus.State.FAILED);
    assertThat(m.attempts()).isEqualTo(1);
    assertThat(m.nextAttempt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    again.start(second);
    advanceTo(again, T0.plus(Duration.ofMinutes(5)));
    assertThat(second.next().recipients()).containsExactly("later@example.net");
    await().atMost(Duration.ofSeconds(20)).until(() -> again.size() == 0);
    assertThat(second.calls).isEmpty();
  }

  @Test
  void openShouldDeleteTempFilesAndOrphanLogsWhenRecovering() throws Exception {
    MailQueue q = open(config());
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net"), Bytes.message("a", "x"));
    q.close();
    Files.writeString(dir.resolve("ZZZ.tmp"), "carbonio-queue 1\nid ZZZ\n");
    Files.writeString(dir.resolve("YYY.log"), "");
    // a message without its log: finished (log deleted first) or never acknowledged
    QueueId other = QueueId.of("XXX");
    Files.copy(dir.resolve(id + ".msg"), dir.resolve(other + ".msg"));
    // a torn state record (crash during the append) is ignored
    Files.writeString(dir.resolve(id + ".log"), "0123abcd R 0 DELIVERED DELIV");
    MailQueue again = open(config());
    assertThat(files()).containsExactly(id + ".log", id + ".msg", "lock");
    assertThat(again.show(id).orElseThrow().recipients().get(0).state())
        .isEqualTo(RecipientStatus.State.PENDING);
  }

  @Test
  void recoveryShouldNotSendBounceTwiceWhenCrashFollowedItsEnqueue() throws Exception {
    MailQueue q = open(config());
    QueueId id = q.enqueue(envelope("a@example.com", "bad@example.net"), Bytes.message("a", "x"));
    q.close();
    // the state a crash leaves after the failed attempt was recorded, before the bounce
    Path msg = dir.resolve(id + ".msg");
    Path log = dir.resolve(id + ".log");
    RecipientOutcome bad = RecipientOutcome.permanent("bad@example.net", 550, "5.1.1", "unknown");
    Files.write(
        log,
        concat(
            QueueCodec.encodeLog(new LogRecord.Result(0, RecipientStatus.State.FAILED, bad, T0)),
            QueueCodec.encodeLog(new LogRecord.Attempt(1, T0, T0.plusSeconds(300)))));
    byte[] msgBytes = Files.readAllBytes(msg);
    byte[] logBytes = Files.readAllBytes(log);

    MailQueue second = open(config());
    QueueId bounce = QueueId.of(id + ".f1");
    assertThat(second.list()).extracting(QueuedMessage::id).containsExactly(bounce);
    assertThat(second.show(bounce).orElseThrow().sender()).isEmpty();
    byte[] bounceBytes = Files.readAllBytes(dir.resolve(bounce + ".msg"));
    second.close();
    clock.advance(Duration.ofHours(1)); // a rebuilt bounce would carry another Date

    // now as if the crash came after the bounce's enqueue but before the parent's N record
    Files.write(msg, msgBytes);
    Files.write(log, logBytes);
    MailQueue third = open(config());
    assertThat(third.list()).extracting(QueuedMessage::id).containsExactly(bounce);
    assertThat(files()).containsExactly(bounce + ".log", bounce + ".msg", "lock");
    assertThat(dir.resolve(bounce + ".msg")).hasBinaryContent(bounceBytes);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void openShouldFailWhenAnotherQueueHoldsTheDirectory() throws Exception {
    open(config());
    assertThatThrownBy(() -> MailQueue.builder().directory(dir).build())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("in use");
  }

  @Test
  void enqueueShouldFailWithQueueFullWhenLimitsAreReached() throws Exception {
    MailQueue q = open(config().withLimits(2, 1 << 20, 50_000));
    Envelope env = envelope("a@example.com", "b@example.net");
    q.enqueue(env, Bytes.message("a", "1"));
    q.enqueue(env, Bytes.message("a", "2"));
    assertThatThrownBy(() -> q.enqueue(env, Bytes.message("a", "3")))
        .isInstanceOfSatisfying(
            QueueFullException.class,
            e -> {
              assertThat(e.replyCode()).isEqualTo(452);
              assertThat(e.enhancedStatus()).isEqualTo("4.3.1");
            })
        .hasMessageContaining("insufficient system storage");
    MailQueue small = null;
    q.close();
    for (QueuedMessage m : open(config()).list()) {
      assertThat(m.size()).isPositive();
    }
    queues.forEach(MailQueue::close);
    small = open(config().withLimits(100, 100, 50_000));
    MailQueue s = small;
    assertThatThrownBy(() -> s.enqueue(env, new Bytes("x".repeat(101))))
        .isInstanceOf(QueueFullException.class);
    assertThatThrownBy(() -> s.enqueue(env, new java.io.ByteArrayInputStream(new byte[101])))
        .isInstanceOf(QueueFullException.class);
    assertThat(s.size()).isEqualTo(2);
    assertThat(files()).noneMatch(f -> f.endsWith(".tmp"));
  }

  @Test
  void attemptShouldCountAsTemporaryWhenAgentTimesOut() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    MailQueue q = open(config().withDeliveries(2, Duration.ofMillis(200)));
    q.start(
        (env, rcpts, content) -> {
          never.await();
          return List.of();
        });
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net"), Bytes.message("a", "x"));
    awaitAttempts(q, id, 1);
    RecipientOutcome o = q.show(id).orElseThrow().recipients().get(0).lastOutcome();
    assertThat(o.status()).isEqualTo(RecipientOutcome.Status.TEMPORARY);
    assertThat(o.text()).contains("timed out");
  }

  @Test
  void attemptShouldCountAsTemporaryWhenAgentThrows() throws Exception {
    MailQueue q = open(config());
    q.start(
        (env, rcpts, content) -> {
          throw new IllegalStateException("boom");
        });
    QueueId id = q.enqueue(envelope("a@example.com", "b@example.net"), Bytes.message("a", "x"));
    awaitAttempts(q, id, 1);
    assertThat(q.show(id).orElseThrow().recipients().get(0).lastOutcome().text()).contains("boom");
  }
}
