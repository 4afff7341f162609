package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.carbonio.smtp.queue.QueuedMessage;
import org.carbonio.smtp.queue.RecipientStatus;
import org.carbonio.smtp.testkit.DnsServer;
import org.carbonio.smtp.testkit.PostfixServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server delivers outbound mail to a private Postfix acting as the remote MX (found through MX
 * and A records in a private DNS server); a permanent refusal there becomes an RFC 3464 bounce in
 * the sender's INBOX, and a host that does not answer leaves the message queued.
 */
class OutboundTest {

  private static final String PASSWORD = "alice-Secret-1";
  private static DnsServer dns;
  private static PostfixServer remote;

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension()
          .account("alice@localhost", PASSWORD)
          .mta(() -> MtaClient.mta(List.of(), dns, remote.port()));

  @BeforeAll
  static void peers() throws IOException {
    dns = DnsServer.start();
    dns.mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.1");
    // Postfix binds 127.0.0.1 only: nothing answers on 127.0.0.9 at its port
    dns.mx("deferred.example", 10, "mx.deferred.example").a("mx.deferred.example", "127.0.0.9");
    remote = PostfixServer.builder().mailbox("bob@example.net").start();
  }

  @AfterAll
  static void stopPeers() throws IOException {
    try {
      if (remote != null) {
        remote.close();
      }
    } finally {
      if (dns != null) {
        dns.close();
      }
    }
  }

  private MtaClient.Reply submit(String mailFrom, List<String> rcptTo, String subject)
      throws Exception {
    return MtaClient.submit(
        carbonio.dataDir(),
        carbonio.port(Listener.Kind.SUBMISSION),
        "alice@localhost",
        PASSWORD,
        mailFrom,
        rcptTo,
        E2E.crlf(
            "From: alice@localhost\nTo: someone\nSubject: "
                + subject
                + "\nMessage-ID: <"
                + subject.replace(' ', '-')
                + "@localhost>\n\nHello from the outbound test.\n"));
  }

  @Test
  void messageShouldLandInRemoteMaildirWhenDeliveredToPostfixMx() throws Exception {
    long before = remote.deliveredCount("bob@example.net");
    MtaClient.Reply reply =
        submit(
            "<alice@localhost>", List.of("<bob@example.net>", "<alice@localhost>"), "outbound one");
    assertThat(reply.code()).as(reply.toString()).isEqualTo(250);
    remote.awaitDelivered(before + 1, Duration.ofSeconds(30));
    assertThat(remote.deliveredCount("bob@example.net")).isEqualTo(before + 1);
    String delivered =
        remote.deliveredFiles().stream()
            .map(OutboundTest::read)
            .filter(t -> t.contains("Subject: outbound one"))
            .findFirst()
            .orElseThrow();
    // Postfix's trace: it got the message from the server (RFC 5321 §4.4)
    assertThat(delivered).contains("Received: from localhost (localhost [127.0.0.1])");
    assertThat(delivered).contains("Hello from the outbound test.");
    assertThat(carbonio.inboxSize("alice@localhost")).isEqualTo(1); // the local copy
    await().atMost(Duration.ofSeconds(10)).until(() -> carbonio.server().queue().list().isEmpty());
  }

  private static String read(java.nio.file.Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void unknownRemoteMailboxShouldBounceToSenderWhenPostfixRefusesIt() throws Exception {
    MtaClient.Reply reply =
        submit(
            "<alice@localhost> RET=HDRS ENVID=env-42",
            List.of("<nobody@example.net> NOTIFY=FAILURE ORCPT=rfc822;nobody@example.net"),
            "doomed");
    assertThat(reply.code()).as(reply.toString()).isEqualTo(250);
    await().atMost(Duration.ofSeconds(30)).until(() -> carbonio.inboxSize("alice@localhost") == 1);
    String bounce =
        MtaClient.text(
            MtaClient.messages(carbonio.server(), "alice@localhost", "INBOX").getFirst());
    // RFC 3464 §2: multipart/report with a message/delivery-status part
    assertThat(bounce)
        .containsPattern("(?i)Content-Type: multipart/report;\\s+report-type=\"?delivery-status")
        .contains("message/delivery-status")
        .containsPattern("(?i)Original-Envelope-Id: env-42")
        .containsPattern("(?i)Final-Recipient: rfc822; ?nobody@example.net")
        .containsPattern("(?i)Original-Recipient: rfc822; ?nobody@example.net")
        .containsPattern("(?i)Action: failed")
        .containsPattern("(?i)Status: 5\\.1\\.1")
        .containsPattern("(?i)Remote-MTA: dns; ?mx\\.example\\.net")
        .containsPattern("(?i)Diagnostic-Code: smtp; ?550")
        // RET=HDRS (RFC 3461 §4.3): the headers come back, not the body
        .contains("text/rfc822-headers")
        .contains("Subject: doomed")
        .doesNotContain("Hello from the outbound test.");
    await().atMost(Duration.ofSeconds(10)).until(() -> carbonio.server().queue().list().isEmpty());
  }

  @Test
  void messageShouldStayQueuedWhenRemoteMxDoesNotAnswer() throws Exception {
    MtaClient.Reply reply =
        submit("<alice@localhost>", List.of("<carol@deferred.example>"), "deferred");
    assertThat(reply.code()).as(reply.toString()).isEqualTo(250);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> carbonio.server().queue().list().stream().anyMatch(m -> m.attempts() >= 1));
    List<QueuedMessage> queued = carbonio.server().queue().list();
    assertThat(queued).hasSize(1);
    RecipientStatus carol = queued.getFirst().recipients().getFirst();
    assertThat(carol.recipient().address()).isEqualTo("carol@deferred.example");
    assertThat(carol.state()).isEqualTo(RecipientStatus.State.PENDING);
    assertThat(carol.lastOutcome()).isNotNull();
    assertThat(carol.lastOutcome().code()).isBetween(400, 499);
    assertThat(queued.getFirst().nextAttempt()).isAfter(java.time.Instant.now());
    assertThat(carbonio.inboxSize("alice@localhost")).isZero(); // no bounce for a deferral
  }
}
