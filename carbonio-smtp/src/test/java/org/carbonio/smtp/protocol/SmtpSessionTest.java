package org.carbonio.smtp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.smtp.SmtpMode;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.carbonio.smtp.spi.RejectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmtpSessionTest {

  record Stored(Delivery delivery, String content) {}

  private final List<Stored> stored = new ArrayList<>();
  private final List<Boolean> spooledOnDisk = new ArrayList<>();

  @TempDir Path spool;

  private final DeliveryHandler store =
      d -> {
        try (Stream<Path> files = Files.list(spool)) {
          spooledOnDisk.add(files.findAny().isPresent());
        }
        stored.add(
            new Stored(d, new String(d.content().readAllBytes(), StandardCharsets.ISO_8859_1)));
      };

  private static final RecipientPolicy POLICY =
      check ->
          switch (check.recipient()) {
            case "nobody@example.test" -> RecipientDecision.reject(550, "5.1.1", "No such user");
            case "later@example.test" -> RecipientDecision.reject(451, "4.3.0", "Try later");
            case "boom@example.test" -> throw new IllegalStateException("directory down");
            default -> RecipientDecision.accept();
          };

  private SmtpSessionConfig config(
      SmtpLimits limits, SmtpMode mode, Compliance c, DeliveryHandler h) {
    return new SmtpSessionConfig(
        "mx.example.test",
        limits,
        mode,
        c,
        true,
        POLICY,
        h,
        Clock.fixed(Instant.parse("2024-05-06T07:08:09Z"), ZoneOffset.UTC),
        spool);
  }

  private Transcript smtp() {
    return new Transcript(
        config(SmtpLimits.DEFAULTS, SmtpMode.SMTP, Compliance.LENIENT, store), false);
  }

  @Test
  void sessionShouldDeliverMessageWhenTransactionIsComplete() {
    smtp()
        .script("S: 220 mx\\.example\\.test ESMTP ready")
        .ehlo("EHLO client.example", Transcript.base("STARTTLS"))
        .script(
            "C: MAIL FROM:<alice@example.org> SIZE=40",
            "S: 250 2\\.1\\.0 .*",
            "C: RCPT TO:<bob@example.test>",
            "S: 250 2\\.1\\.5 .*",
            "C: DATA",
            "S: 354 .*",
            "C: Subject: hi",
            "C: ",
            "C: ..dot",
            "C: .",
            "S: 250 2\\.0\\.0 OK: queued as s1\\.1",
            "C: QUIT",
            "S: 221 2\\.0\\.0 .*")
        .noMoreReplies();
    assertThat(stored).hasSize(1);
    Delivery d = stored.getFirst().delivery();
    assertThat(d.sender()).isEqualTo("alice@example.org");
    assertThat(d.recipients()).containsExactly("bob@example.test");
    assertThat(d.id()).isEqualTo("s1.1");
    assertThat(d.session().heloName()).isEqualTo("client.example");
    String content = stored.getFirst().content();
    assertThat(content)
        .isEqualTo(
            "Received: from client.example (client.example.net [192.0.2.7])\r\n"
                + "\tby mx.example.test with ESMTP id s1.1;\r\n"
                + "\tMon, 6 May 2024 07:08:09 +0000\r\n"
                + "Subject: hi\r\n\r\n.dot\r\n");
    assertThat(d.size()).isEqualTo(content.length());
  }

  @Test
  void sessionShouldAnswerEveryCommandWhenClientPipelines() {
    Transcript t = smtp();
    t.script("S: 220 .*");
    // RFC 2920: the whole group in one read
    t.send(
        "EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\n"
            + "RCPT TO:<nobody@example.test>\r\nRCPT TO:<c@example.test>\r\nDATA\r\n");
    t.script(
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250 STARTTLS",
        "S: 250 2\\.1\\.0 .*",
        "S: 250 2\\.1\\.5 .*",
        "S: 550 5\\.1\\.1 No such user",
        "S: 250 2\\.1\\.5 .*",
        "S: 354 .*",
        "C: x",
        "C: .",
        "S: 250 2\\.0\\.0 .*");
    assertThat(stored.getFirst().delivery().recipients())
        .containsExactly("b@example.test", "c@example.test");
  }

  @Test
  void sessionShouldRefuseWhenCommandsComeOutOfOrder() {
    smtp()
        .script(
            "S: 220 .*",
            "C: MAIL FROM:<a@example.org>",
            "S: 503 5\\.5\\.1 .*HELO.*",
            "C: HELO c",
            "S: 250 mx\\.example\\.test",
            "C: RCPT TO:<b@example.test>",
            "S: 503 5\\.5\\.1 .*MAIL.*",
            "C: DATA",
            "S: 503 5\\.5\\.1 .*",
            "C: MAIL FROM:<a@example.org>",
            "S: 250 .*",
            "C: MAIL FROM:<a@example.org>",
            "S: 503 5\\.5\\.1 .*nested.*",
            "C: DATA",
            "S: 554 5\\.5\\.1 No valid recipients",
            "C: RSET",
            "S: 250 2\\.0\\.0 OK",
            "C: RCPT TO:<b@example.test>",
            "S: 503 5\\.5\\.1 .*")
        .noMoreReplies();
  }

  @Test
  void sessionShouldReportPolicyOutcomesWhenRecipientsAreChecked() {
    smtp()
        .script("S: 220 .*")
        .ehlo("EHLO c", Transcript.base("STARTTLS"))
        .script(
            "C: MAIL FROM:<>",
            "S: 250 .*",
            "C: RCPT TO:<later@example.test>",
            "S: 451 4\\.3\\.0 Try later",
            "C: RCPT TO:<boom@example.test>",
            "S: 451 4\\.3\\.0 .*",
            "C: RCPT TO:<x@example.test> XFOO=1",
            "S: 555 5\\.5\\.4 .*XFOO.*",
            "C: VRFY root",
            "S: 252 2\\.5\\.2 .*",
            "C: NOOP",
            "S: 250 2\\.0\\.0 OK",
            "C: HELP",
            "S: 214-2\\.0\\.0 .*",
            "S: 214 2\\.0\\.0 .*")
        .noMoreReplies();
  }

  @Test
  void sessionShouldRefuseRecipientWhenLimitReached() {
    Transcript t =
        new Transcript(
            config(
                SmtpLimits.DEFAULTS.withMaxRecipients(2), SmtpMode.SMTP, Compliance.LENIENT, store),
            false);
    t.script(
        "S: 220 .*",
        "C: HELO c",
        "S: 250 .*",
        "C: MAIL FROM:<a@example.org>",
        "S: 250 .*",
        "C: RCPT TO:<1@example.test>",
        "S: 250 .*",
        "C: RCPT TO:<2@example.test>",
        "S: 250 .*",
        "C: RCPT TO:<3@example.test>",
        "S: 452 4\\.5\\.3 Too many recipients");
  }

  @Test
  void sessionShouldReplyMessageTooBigWhenSizeOrDataExceedsLimit() {
    Transcript t =
        new Transcript(
            config(
                SmtpLimits.DEFAULTS.withMaxMessageBytes(10),
                SmtpMode.SMTP,
                Compliance.LENIENT,
                store),
            false);
    t.script(
        "S: 220 .*",
        "C: HELO c",
        "S: 250 .*",
        "C: MAIL FROM:<a@example.org> SIZE=11",
        "S: 552 5\\.3\\.4 .*",
        "C: MAIL FROM:<a@example.org> SIZE=10",
        "S: 250 .*",
        "C: RCPT TO:<b@example.test>",
        "S: 250 .*",
        "C: DATA",
        "S: 354 .*",
        "C: 0123456789",
        "C: .",
        "S: 552 5\\.3\\.4 .*",
        "C: NOOP",
        "S: 250 .*");
    assertThat(stored).isEmpty();
  }

  @Test
  void sessionShouldCloseWhenTooManyBadCommands() {
    Transcript t = smtp();
    t.script("S: 220 .*");
    for (int i = 0; i < 9; i++) {
      t.script("C: BOGUS", "S: 500 5\\.5\\.1 .*");
    }
    t.script("C: BOGUS", "S: 421 4\\.7\\.0 .*");
    assertThat(t.closed()).isTrue();
  }

  @Test
  void sessionShouldCloseWhenInputIsPipelinedAfterStartTls() {
    Transcript t = smtp();
    t.script("S: 220 .*", "C: STARTTLS", "C: MAIL FROM:<evil@example.org>", "S: 554 5\\.5\\.1 .*");
    assertThat(t.closed()).isTrue();
  }

  @Test
  void sessionShouldForgetGreetingWhenTlsStarts() {
    Transcript t = smtp();
    t.script("S: 220 .*").ehlo("EHLO c", Transcript.base("STARTTLS"));
    t.script(
        "C: STARTTLS",
        "S: 220 2\\.0\\.0 Ready to start TLS",
        "C: MAIL FROM:<a@example.org>",
        "S: 503 5\\.5\\.1 .*HELO.*");
    t.ehlo("EHLO c", Transcript.base("REQUIRETLS"));
    t.script("C: STARTTLS", "S: 503 5\\.5\\.1 .*TLS already active");
    assertThat(t.session.info().tls()).isTrue();
  }

  @Test
  void sessionShouldUseEmbedderReplyWhenDeliveryRejects() {
    DeliveryHandler reject =
        d -> {
          throw new RejectException(554, "5.7.1", "Spam");
        };
    DeliveryHandler fail =
        d -> {
          throw new IOException("disk full");
        };
    for (var c :
        List.of(
            new Object[] {reject, "S: 554 5\\.7\\.1 Spam"},
            new Object[] {fail, "S: 451 4\\.3\\.0 .*"})) {
      new Transcript(
              config(
                  SmtpLimits.DEFAULTS, SmtpMode.SMTP, Compliance.LENIENT, (DeliveryHandler) c[0]),
              false)
          .script(
              "S: 220 .*",
              "C: HELO c",
              "C: MAIL FROM:<a@example.org>",
              "C: RCPT TO:<b@example.test>",
              "C: DATA",
              "S: 250 .*",
              "S: 250 .*",
              "S: 250 .*",
              "S: 354 .*",
              "C: body",
              "C: .",
              (String) c[1]);
    }
  }

  @Test
  void sessionShouldRefuseBareLineBreaksWhenStrict() {
    Transcript t =
        new Transcript(config(SmtpLimits.DEFAULTS, SmtpMode.SMTP, Compliance.STRICT, store), false);
    t.script(
        "S: 220 .*",
        "C: HELO c.example",
        "S: 250 .*",
        "C: MAIL FROM:<a@example.org>",
        "S: 250 .*",
        "C: RCPT TO:<b@example.test>",
        "S: 250 .*",
        "C: DATA",
        "S: 354 .*");
    t.send("one\ntwo\r\n.\r\n");
    t.script("S: 550 5\\.6\\.0 .*");
    assertThat(stored).isEmpty();
  }

  @Test
  void sessionShouldNormaliseBareLfWhenLenient() {
    Transcript t = smtp();
    t.script(
        "S: 220 .*",
        "C: HELO c",
        "C: MAIL FROM:<a@example.org>",
        "C: RCPT TO:<b@example.test>",
        "C: DATA",
        "S: 250 .*",
        "S: 250 .*",
        "S: 250 .*",
        "S: 354 .*");
    t.send("one\ntwo\r\n.\r\n");
    t.script("S: 250 .*");
    assertThat(stored.getFirst().content()).endsWith("\r\none\r\ntwo\r\n");
  }

  @Test
  void sessionShouldSpoolToDiskAndDeleteWhenBodyExceedsThreshold() throws IOException {
    Transcript t =
        new Transcript(
            config(
                SmtpLimits.DEFAULTS.withSpoolThreshold(100),
                SmtpMode.SMTP,
                Compliance.LENIENT,
                store),
            false);
    t.script(
        "S: 220 .*",
        "C: HELO c",
        "C: MAIL FROM:<a@example.org>",
        "C: RCPT TO:<b@example.test>",
        "C: DATA");
    String body = ("x".repeat(70) + "\r\n").repeat(30);
    t.send(body + ".\r\n");
    assertThat(stored).hasSize(1);
    assertThat(spooledOnDisk).containsExactly(true);
    assertThat(stored.getFirst().content()).endsWith(body);
    try (Stream<Path> files = Files.list(spool)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void sessionShouldReplyPerRecipientWhenLmtp() {
    Transcript t =
        new Transcript(
            config(SmtpLimits.DEFAULTS, SmtpMode.LMTP, Compliance.LENIENT, store), false);
    t.script("S: 220 mx\\.example\\.test LMTP ready", "C: EHLO c", "S: 500 5\\.5\\.1 .*")
        .ehlo("LHLO c", Transcript.base("STARTTLS"))
        .script(
            "C: MAIL FROM:<a@example.org>",
            "C: RCPT TO:<b@example.test>",
            "C: RCPT TO:<c@example.test>",
            "C: DATA",
            "S: 250 .*",
            "S: 250 .*",
            "S: 250 .*",
            "S: 354 .*",
            "C: hi",
            "C: .",
            "S: 250 2\\.0\\.0 .*",
            "S: 250 2\\.0\\.0 .*")
        .noMoreReplies();
    assertThat(stored.getFirst().content()).contains("with LMTP id");
  }

  @Test
  void encoderShouldReplaceControlCharactersWhenTextIsUntrusted() {
    SmtpReply r = SmtpReply.of(550, "5.7.1", "evil\r\n250 ok\u00e9");
    assertThat(ReplyEncoder.encodeToString(r)).isEqualTo("550 5.7.1 evil??250 ok?\r\n");
  }
}
