package org.carbonio.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import org.carbonio.directory.Directory;
import org.carbonio.smtp.queue.QueuedMessage;
import org.carbonio.smtp.queue.RecipientStatus;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the server's mail router does with a message after DATA, over real SMTP and LMTP. */
class MailRouterTest {

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension()
          .account("kim@localhost", "kim-Secret-1")
          .account("lee@localhost", "lee-Secret-1");

  private Directory directory;
  private int smtp;

  @BeforeEach
  void start() {
    directory = carbonio.server().directory();
    smtp = carbonio.port(Listener.Kind.SMTP);
  }

  private String inboxMessage(String address) throws Exception {
    String id = directory.findAccount(address).orElseThrow().id();
    var box = carbonio.server().store().mailbox(id);
    long uid = box.snapshot("INBOX").messages().get(0).uid();
    return new String(box.read("INBOX", uid), UTF_8);
  }

  @Test
  void authenticationResultsClaimingOurNameShouldBeRemovedBeforeStoring() throws Exception {
    // RFC 8601 §5: only our own verdicts may carry our authserv-id.
    RawSmtp.deliver(
        smtp,
        "kim@localhost",
        E2E.crlf(
            "Authentication-Results: localhost; dkim=pass header.d=bank.example\n"
                + "Authentication-Results: other.example; spf=pass\n"
                + "Subject: trust me\n\nhello\n"));
    String stored = inboxMessage("kim@localhost");
    assertThat(stored).doesNotContain("localhost; dkim=pass").contains("other.example; spf=pass");
    assertThat(stored).contains("Subject: trust me");
  }

  @Test
  void messageThatWentAroundTooOftenShouldBeRefusedAsALoop() throws Exception {
    String hops = "Received: from a.example by b.example; Sun, 29 Nov 2026 03:00:00 +0000\n";
    try (RawSmtp client = new RawSmtp(smtp)) {
      client.command("MAIL FROM:<s@example.org>", "250");
      client.command("RCPT TO:<kim@localhost>", "250");
      client.command("DATA", "354");
      client.write(E2E.crlf(hops.repeat(51) + "Subject: loop\n\nhello\n.\n"));
      assertThat(client.expect("554")).contains("5.4.6");
    }
    assertThat(carbonio.inboxSize("kim@localhost")).isZero();
  }

  @Test
  void listShouldReachItsOtherMembersWhenOneMailboxIsFull() throws Exception {
    directory.createList("team@localhost", "Team");
    directory.addListMember("team@localhost", "kim@localhost");
    directory.addListMember("team@localhost", "lee@localhost");
    directory.setQuota("kim@localhost", OptionalLong.of(200));
    RawSmtp.deliver(smtp, "team@localhost", E2E.crlf("Subject: big\n\n" + "x".repeat(500) + "\n"));
    assertThat(carbonio.inboxSize("lee@localhost")).isEqualTo(1);
    assertThat(carbonio.inboxSize("kim@localhost")).isZero();
    // The full member goes on alone: queued under its own address, to be bounced (552 5.2.2).
    List<String> queued =
        carbonio.server().queue().list().stream()
            .flatMap(m -> m.recipients().stream())
            .map(r -> r.recipient().address())
            .toList();
    assertThat(queued).contains("kim@localhost").doesNotContain("lee@localhost");
  }

  @Test
  void lmtpShouldQueueTheOutsideMembersOfAList() throws Exception {
    directory.createList("team@localhost", "Team");
    directory.addListMember("team@localhost", "lee@localhost");
    directory.addListMember("team@localhost", "friend@example.net");
    try (RawSmtp client = RawSmtp.lmtp(carbonio.port(Listener.Kind.LMTP))) {
      client.command("MAIL FROM:<s@example.org>", "250");
      client.command("RCPT TO:<team@localhost>", "250");
      client.command("DATA", "354");
      client.write(E2E.crlf("Subject: to the team\n\nhello\n.\n"));
      client.expect("250");
    }
    assertThat(carbonio.inboxSize("lee@localhost")).isEqualTo(1);
    List<QueuedMessage> queue = carbonio.server().queue().list();
    assertThat(queue)
        .flatExtracting(QueuedMessage::recipients)
        .extracting(RecipientStatus::recipient)
        .extracting(r -> r.address())
        .contains("friend@example.net");
  }

  @Test
  void submissionShouldRefuseAFromInAnotherTenantsDomain() throws Exception {
    directory.createDomain("bank.example");
    SSLContext trust = E2E.trusting(carbonio.dataDir());
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", Integer.toString(carbonio.port(Listener.Kind.SUBMISSION)));
    props.put("mail.smtp.starttls.enable", "true");
    props.put("mail.smtp.starttls.required", "true");
    props.put("mail.smtp.auth", "true");
    props.put("mail.smtp.ssl.socketFactory", trust.getSocketFactory());
    props.put("mail.smtp.connectiontimeout", "10000");
    props.put("mail.smtp.timeout", "30000");
    props.put("mail.smtp.from", "kim@localhost"); // the envelope sender is kim's own
    Session kim = Session.getInstance(props);

    MimeMessage spoof = new MimeMessage(kim);
    spoof.setFrom(new InternetAddress("ceo@bank.example"));
    spoof.setRecipient(Message.RecipientType.TO, new InternetAddress("lee@localhost"));
    spoof.setSubject("wire the money");
    spoof.setText("now");
    assertThatThrownBy(() -> Transport.send(spoof, "kim@localhost", "kim-Secret-1"))
        .satisfies(e -> assertThat(replyCode(e)).isEqualTo(553));
    assertThat(carbonio.inboxSize("lee@localhost")).isZero();

    MimeMessage own = new MimeMessage(kim);
    own.setFrom(new InternetAddress("kim@localhost"));
    own.setRecipient(Message.RecipientType.TO, new InternetAddress("lee@localhost"));
    own.setSubject("lunch");
    own.setText("at noon");
    Transport.send(own, "kim@localhost", "kim-Secret-1");
    assertThat(carbonio.inboxSize("lee@localhost")).isEqualTo(1);
  }

  private static int replyCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SMTPSendFailedException failed) {
        return failed.getReturnCode();
      }
    }
    throw new AssertionError("no SMTP reply in " + e, e);
  }
}
