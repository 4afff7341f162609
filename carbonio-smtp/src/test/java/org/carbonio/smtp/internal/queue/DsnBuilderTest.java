package org.carbonio.smtp.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.DsnReturn;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.protocol.BodyType;
import org.carbonio.smtp.queue.QueueId;
import org.junit.jupiter.api.Test;

/** Every DSN field, read back by Jakarta Mail. */
class DsnBuilderTest {

  private static final Instant ARRIVAL = Instant.parse("2026-11-24T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
  private static final String ORIGINAL =
      "From: Alice <alice@example.com>\r\n"
          + "To: bob@example.net\r\n"
          + "Subject: quarterly report\r\n"
          + "Message-ID: <q1@example.com>\r\n"
          + "\r\n"
          + "The numbers are attached.\r\n";

  private record Content(byte[] data) implements MessageContent {
    @Override
    public InputStream open() {
      return new ByteArrayInputStream(data);
    }

    @Override
    public long size() {
      return data.length;
    }
  }

  private static Envelope envelope(DsnReturn ret, boolean utf8, boolean requireTls) {
    return new Envelope(
        "alice@example.com",
        List.of(
            new EnvelopeRecipient(
                "bob@example.net", Set.of(DsnNotify.FAILURE), "rfc822;Bob.Orig@example.net"),
            EnvelopeRecipient.of("carol@example.org")),
        ret,
        "Q1 id+=",
        BodyType.EIGHT_BIT_MIME,
        utf8,
        requireTls);
  }

  private static byte[] build(Envelope env, LogRecord.DsnKind kind, long returnLimit)
      throws Exception {
    RecipientOutcome bob =
        new RecipientOutcome(
            "bob@example.net",
            RecipientOutcome.Status.PERMANENT,
            550,
            "5.1.1",
            "<bob@example.net>: Recipient address rejected:\r\n User unknown",
            "mx1.example.net");
    RecipientOutcome carol = RecipientOutcome.temporary("carol@example.org", 451, "", "greylisted");
    return DsnBuilder.build(
        new DsnBuilder.Report(
            "mx.example.com",
            QueueId.of("ABC.f1"),
            QueueId.of("ABC"),
            env,
            ARRIVAL,
            new Content(ORIGINAL.getBytes(StandardCharsets.UTF_8)),
            kind,
            List.of(
                new DsnBuilder.Line(env.recipients().get(0), bob, NOW.minusSeconds(60), false),
                new DsnBuilder.Line(env.recipients().get(1), carol, NOW, true)),
            NOW,
            ARRIVAL.plus(java.time.Duration.ofDays(5)),
            returnLimit));
  }

  private static MimeMessage parse(byte[] dsn) throws Exception {
    return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(dsn));
  }

  /** The per-message block, then one block per recipient. */
  private static List<InternetHeaders> statusBlocks(BodyPart part) throws Exception {
    List<InternetHeaders> blocks = new ArrayList<>();
    try (InputStream in = ((MimeBodyPart) part).getRawInputStream()) {
      byte[] all = in.readAllBytes();
      ByteArrayInputStream s = new ByteArrayInputStream(all);
      while (s.available() > 0) {
        InternetHeaders h = new InternetHeaders(s);
        if (h.getAllHeaderLines().hasMoreElements()) {
          blocks.add(h);
        }
      }
    }
    return blocks;
  }

  @Test
  void failureDsnShouldCarryEveryRfc3464FieldWhenParsed() throws Exception {
    MimeMessage m =
        parse(build(envelope(DsnReturn.FULL, false, false), LogRecord.DsnKind.FAILED, 50_000));
    assertThat(m.getContentType()).startsWith("multipart/report");
    assertThat(m.getContentType()).contains("report-type=delivery-status");
    assertThat(m.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
    assertThat(m.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
    assertThat(m.getHeader("To", null)).isEqualTo("<alice@example.com>");
    assertThat(m.getFrom()[0].toString()).contains("MAILER-DAEMON@mx.example.com");
    assertThat(m.getMessageID()).isEqualTo("<ABC.f1@mx.example.com>");
    MimeMultipart mp = (MimeMultipart) m.getContent();
    assertThat(mp.getCount()).isEqualTo(3);

    BodyPart human = mp.getBodyPart(0);
    assertThat(human.getContentType()).startsWith("text/plain");
    assertThat((String) human.getContent())
        .contains("could not", "<bob@example.net>: 550 5.1.1 <bob@example.net>: Recipient");

    BodyPart status = mp.getBodyPart(1);
    assertThat(status.getContentType()).isEqualTo("message/delivery-status");
    List<InternetHeaders> blocks = statusBlocks(status);
    assertThat(blocks).hasSize(3);
    InternetHeaders msg = blocks.get(0);
    assertThat(msg.getHeader("Reporting-MTA", null)).isEqualTo("dns; mx.example.com");
    assertThat(msg.getHeader("Original-Envelope-Id", null)).isEqualTo("Q1+20id+2B+3D");
    assertThat(msg.getHeader("Arrival-Date", null)).isEqualTo("Tue, 24 Nov 2026 10:00:00 GMT");
    InternetHeaders bob = blocks.get(1);
    assertThat(bob.getHeader("Final-Recipient", null)).isEqualTo("rfc822; bob@example.net");
    assertThat(bob.getHeader("Original-Recipient", null)).isEqualTo("rfc822; Bob.Orig@example.net");
    assertThat(bob.getHeader("Action", null)).isEqualTo("failed");
    assertThat(bob.getHeader("Status", null)).isEqualTo("5.1.1");
    assertThat(bob.getHeader("Remote-MTA", null)).isEqualTo("dns; mx1.example.net");
    assertThat(bob.getHeader("Diagnostic-Code", null))
        .isEqualTo("smtp; 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown");
    assertThat(bob.getHeader("Last-Attempt-Date", null)).isEqualTo("Sun, 29 Nov 2026 09:59:00 GMT");
    InternetHeaders carol = blocks.get(2);
    assertThat(carol.getHeader("Final-Recipient", null)).isEqualTo("rfc822; carol@example.org");
    assertThat(carol.getHeader("Original-Recipient", null)).isNull();
    // RFC 3463 §3.5: expired with no enhanced code from the last reply
    assertThat(carol.getHeader("Status", null)).isEqualTo("4.4.7");
    assertThat(carol.getHeader("Remote-MTA", null)).isNull();
    assertThat(carol.getHeader("Diagnostic-Code", null)).isEqualTo("smtp; 451 greylisted");

    BodyPart returned = mp.getBodyPart(2);
    assertThat(returned.getContentType()).isEqualTo("message/rfc822");
    MimeMessage original = (MimeMessage) returned.getContent();
    assertThat(original.getSubject()).isEqualTo("quarterly report");
    assertThat((String) original.getContent()).contains("The numbers are attached.");
  }

  @Test
  void failureDsnShouldReturnOnlyHeadersWhenRetIsHdrs() throws Exception {
    MimeMultipart mp =
        (MimeMultipart)
            parse(build(envelope(DsnReturn.HDRS, false, false), LogRecord.DsnKind.FAILED, 50_000))
                .getContent();
    BodyPart returned = mp.getBodyPart(2);
    assertThat(returned.getContentType()).isEqualTo("text/rfc822-headers");
    String text =
        new String(
            ((MimeBodyPart) returned).getRawInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(text).contains("Subject: quarterly report").doesNotContain("The numbers");
  }

  @Test
  void failureDsnShouldReturnOnlyHeadersWhenMessageExceedsReturnLimit() throws Exception {
    MimeMultipart mp =
        (MimeMultipart)
            parse(build(envelope(null, false, false), LogRecord.DsnKind.FAILED, 10)).getContent();
    assertThat(mp.getBodyPart(2).getContentType()).isEqualTo("text/rfc822-headers");
  }

  @Test
  void dsnShouldReturnHeadersAndRequireTlsWhenOriginalRequiredTls() throws Exception {
    Envelope env = envelope(DsnReturn.FULL, false, true);
    byte[] dsn = build(env, LogRecord.DsnKind.FAILED, 50_000);
    MimeMultipart mp = (MimeMultipart) parse(dsn).getContent();
    // RFC 8689 §5
    assertThat(mp.getBodyPart(2).getContentType()).isEqualTo("text/rfc822-headers");
    Envelope bounce = DsnBuilder.envelope(env, dsn);
    assertThat(bounce.requireTls()).isTrue();
    assertThat(bounce.sender()).isEmpty();
    assertThat(bounce.recipients())
        .extracting(EnvelopeRecipient::address)
        .containsExactly("alice@example.com");
    assertThat(bounce.recipients().get(0).notifyOn()).isEmpty();
  }

  @Test
  void dsnShouldUseGlobalTypesWhenOriginalWasSmtputf8() throws Exception {
    Envelope utf8 =
        new Envelope(
            "alice@example.com",
            List.of(EnvelopeRecipient.of("jöran@exämple.net")),
            DsnReturn.FULL,
            "",
            BodyType.EIGHT_BIT_MIME,
            true,
            false);
    byte[] dsn =
        DsnBuilder.build(
            new DsnBuilder.Report(
                "mx.example.com",
                QueueId.of("U.f1"),
                QueueId.of("U"),
                utf8,
                ARRIVAL,
                new Content(ORIGINAL.getBytes(StandardCharsets.UTF_8)),
                LogRecord.DsnKind.FAILED,
                List.of(
                    new DsnBuilder.Line(
                        utf8.recipients().get(0),
                        RecipientOutcome.permanent("jöran@exämple.net", 550, "5.1.1", "no"),
                        NOW,
                        false)),
                NOW,
                NOW,
                50_000));
    String text = new String(dsn, StandardCharsets.UTF_8);
    // RFC 6533 §3, §6
    assertThat(text)
        .contains(
            "Content-Type: message/global-delivery-status",
            "Final-Recipient: utf-8; jöran@exämple.net",
            "Content-Type: message/global")
        .doesNotContain("Original-Envelope-Id");
    assertThat(DsnBuilder.envelope(utf8, dsn).body()).isEqualTo(BodyType.EIGHT_BIT_MIME);
    assertThat(DsnBuilder.envelope(utf8, dsn).smtputf8()).isTrue();
  }

  @Test
  void delayDsnShouldSayDelayedWithRetryUntilWhenKindIsDelayed() throws Exception {
    MimeMessage m =
        parse(build(envelope(DsnReturn.FULL, false, false), LogRecord.DsnKind.DELAYED, 50_000));
    assertThat(m.getSubject()).isEqualTo("Delayed Mail (still being retried)");
    MimeMultipart mp = (MimeMultipart) m.getContent();
    List<InternetHeaders> blocks = statusBlocks(mp.getBodyPart(1));
    assertThat(blocks.get(1).getHeader("Action", null)).isEqualTo("delayed");
    assertThat(blocks.get(2).getHeader("Status", null)).isEqualTo("4.0.0");
    assertThat(blocks.get(1).getHeader("Will-Retry-Until", null))
        .isEqualTo("Sun, 29 Nov 2026 10:00:00 GMT");
    // RET applies to failures only: a delay notice returns the header
    assertThat(mp.getBodyPart(2).getContentType()).isEqualTo("text/rfc822-headers");
    assertThat(DsnBuilder.xtext("a+b=c d")).isEqualTo("a+2Bb+3Dc+20d");
  }
}
