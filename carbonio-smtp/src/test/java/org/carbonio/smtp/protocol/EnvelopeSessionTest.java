package org.carbonio.smtp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.DsnReturn;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.smtp.SmtpMode;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DSN (RFC 3461), SMTPUTF8 (RFC 6531), REQUIRETLS (RFC 8689), the envelope and content handed to
 * the handler, and per-recipient outcomes (RFC 2033 §4.2) on the in-memory session.
 */
class EnvelopeSessionTest {

  @TempDir Path spool;

  private final List<Delivery> deliveries = new ArrayList<>();
  private final List<String> contents = new ArrayList<>();

  private final DeliveryHandler store =
      d -> {
        deliveries.add(d);
        contents.add(new String(d.content().readAllBytes(), StandardCharsets.UTF_8));
      };

  private Transcript session(SmtpMode mode, boolean tls, DeliveryHandler handler) {
    SmtpSessionConfig config =
        new SmtpSessionConfig(
            "mx.example.test",
            SmtpLimits.DEFAULTS.withMaxRecipients(3).withMaxBadCommands(50),
            mode,
            Compliance.LENIENT,
            false,
            RecipientPolicy.ACCEPT_ALL,
            handler,
            Clock.systemUTC(),
            spool);
    Transcript t = new Transcript(config, tls);
    t.script("S: 220 .*");
    t.send((mode == SmtpMode.LMTP ? "LHLO" : "EHLO") + " c\r\n");
    t.skipEhlo();
    return t;
  }

  @Test
  void dsnParametersShouldReachTheEnvelopeDecoded() {
    Transcript t = session(SmtpMode.SMTP, false, store);
    t.script(
        "C: MAIL FROM:<a@example.org> RET=HDRS ENVID=QQ+2B1+3D2",
        "S: 250 .*",
        "C: RCPT TO:<b@example.test> NOTIFY=success,FAILURE ORCPT=rfc822;b+40example.test",
        "S: 250 .*",
        "C: RCPT TO:<c@example.test> NOTIFY=NEVER",
        "S: 250 .*",
        "C: RCPT TO:<d@example.test>",
        "S: 250 .*",
        "C: DATA",
        "S: 354 .*",
        "C: x",
        "C: .",
        "S: 250 .*");
    Envelope e = deliveries.getFirst().envelope();
    assertThat(e.ret()).isEqualTo(DsnReturn.HDRS);
    assertThat(e.envelopeId()).isEqualTo("QQ+1=2");
    assertThat(e.recipients())
        .containsExactly(
            new EnvelopeRecipient(
                "b@example.test",
                Set.of(DsnNotify.SUCCESS, DsnNotify.FAILURE),
                "rfc822;b@example.test"),
            new EnvelopeRecipient("c@example.test", Set.of(DsnNotify.NEVER), ""),
            EnvelopeRecipient.of("d@example.test"));
    assertThat(e.smtputf8()).isFalse();
    assertThat(e.requireTls()).isFalse();
  }

  @Test
  void dsnParametersShouldBeRefusedWhenMalformed() {
    Transcript t = session(SmtpMode.SMTP, false, store);
    t.script(
        "C: MAIL FROM:<a@example.org> RET=BODY",
        "S: 501 5\\.5\\.4 Bad RET parameter value",
        "C: MAIL FROM:<a@example.org> ENVID=a+2",
        "S: 501 5\\.5\\.4 Bad ENVID parameter value",
        "C: MAIL FROM:<a@example.org> ENVID=a+2b",
        "S: 501 5\\.5\\.4 Bad ENVID parameter value", // hex must be upper case
        "C: MAIL FROM:<a@example.org> ENVID=" + "x".repeat(101),
        "S: 501 5\\.5\\.4 .*",
        "C: MAIL FROM:<a@example.org> SMTPUTF8=yes",
        "S: 501 5\\.5\\.4 Bad SMTPUTF8 .*",
        "C: MAIL FROM:<a@example.org>",
        "S: 250 .*",
        "C: RCPT TO:<b@example.test> NOTIFY=NEVER,DELAY",
        "S: 501 5\\.5\\.4 Bad NOTIFY parameter value",
        "C: RCPT TO:<b@example.test> NOTIFY=SOMETIMES",
        "S: 501 5\\.5\\.4 .*",
        "C: RCPT TO:<b@example.test> NOTIFY=DELAY,DELAY",
        "S: 501 5\\.5\\.4 .*",
        "C: RCPT TO:<b@example.test> ORCPT=b@example.test",
        "S: 501 5\\.5\\.4 Bad ORCPT parameter value",
        "C: RCPT TO:<b@example.test> ORCPT=rfc822;",
        "S: 501 5\\.5\\.4 .*");
    assertThat(t.closed()).isFalse();
  }

  @Test
  void smtputf8ShouldAcceptUtf8AddressesOnlyWhenMailAsksForIt() {
    Transcript t = session(SmtpMode.SMTP, false, store);
    t.sendUtf8("MAIL FROM:<jörg@bücher.example>\r\n");
    t.script("S: 553 5\\.6\\.7 .*SMTPUTF8.*");
    t.sendUtf8("MAIL FROM:<a@example.org>\r\nRCPT TO:<δοκιμή@παράδειγμα.example>\r\nRSET\r\n");
    t.script("S: 250 .*", "S: 553 5\\.6\\.7 .*", "S: 250 .*");
    t.sendUtf8(
        "MAIL FROM:<jörg@bücher.example> SMTPUTF8\r\nRCPT TO:<δοκιμή@παράδειγμα.example>\r\n"
            + "DATA\r\n");
    t.script("S: 250 .*", "S: 250 .*", "S: 354 .*", "C: Subject: ü", "C: .", "S: 250 .*");
    Envelope e = deliveries.getFirst().envelope();
    assertThat(e.sender()).isEqualTo("jörg@bücher.example");
    assertThat(e.recipients().getFirst().address()).isEqualTo("δοκιμή@παράδειγμα.example");
    assertThat(e.smtputf8()).isTrue();
    assertThat(contents.getFirst()).contains(" with UTF8SMTP id "); // RFC 6531 §3.7.3
  }

  @Test
  void smtputf8ShouldRefuseAddressesThatAreNotUtf8() {
    Transcript t = session(SmtpMode.SMTP, false, store);
    t.send("MAIL FROM:<j\u00f6rg@example.org> SMTPUTF8\r\n"); // one Latin-1 byte: not UTF-8
    t.script("S: 553 5\\.6\\.7 .*");
  }

  @Test
  void requireTlsShouldBeAcceptedOnlyOverTls() {
    session(SmtpMode.SMTP, false, store)
        .script("C: MAIL FROM:<a@example.org> REQUIRETLS", "S: 530 5\\.7\\.10 .*");
    Transcript t = session(SmtpMode.SMTP, true, store);
    t.script(
        "C: MAIL FROM:<a@example.org> REQUIRETLS",
        "S: 250 .*",
        "C: RCPT TO:<b@example.test>",
        "S: 250 .*",
        "C: DATA",
        "S: 354 .*",
        "C: .",
        "S: 250 .*");
    assertThat(deliveries.getFirst().envelope().requireTls()).isTrue();
    assertThat(contents.getFirst()).contains(" with ESMTPS id ");
  }

  @Test
  void commandsShouldGetTheRightReplyWhenInputIsBad() {
    Transcript t = session(SmtpMode.SMTP, false, store);
    t.send("NOOP\0\r\nMAIL FROM:<a\0b@example.org>\r\n");
    t.script("S: 500 5\\.5\\.2 .*NUL.*", "S: 500 5\\.5\\.2 .*NUL.*");
    t.script(
        "C: MAIL FROM:<no-at-sign>",
        "S: 501 5\\.1\\.7 .*",
        "C: MAIL FROM:<a@example.org>",
        "S: 250 .*",
        "C: RCPT TO:<b@exa mple.test>",
        "S: 501 5\\.1\\.3 .*",
        "C: RCPT TO:<1@example.test>",
        "S: 250 .*",
        "C: RCPT TO:<2@example.test>",
        "S: 250 .*",
        "C: RCPT TO:<3@example.test>",
        "S: 250 .*",
        "C: RCPT TO:<4@example.test>",
        "S: 452 4\\.5\\.3 Too many recipients");
  }

  @Test
  void messageContentShouldBeReadableManyTimesDuringDelivery() {
    List<String> reads = new ArrayList<>();
    DeliveryHandler twice =
        d -> {
          for (int i = 0; i < 2; i++) {
            try (InputStream in = d.message().open()) {
              reads.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
          }
          assertThat(d.size()).isEqualTo(d.message().size());
        };
    Transcript t = session(SmtpMode.SMTP, false, twice);
    t.script(
        "C: MAIL FROM:<a@example.org>",
        "C: RCPT TO:<b@example.test>",
        "C: DATA",
        "S: 250 .*",
        "S: 250 .*",
        "S: 354 .*",
        "C: body",
        "C: .",
        "S: 250 .*");
    assertThat(reads).hasSize(2);
    assertThat(reads.get(0))
        .isEqualTo(reads.get(1))
        .startsWith("Received: ")
        .endsWith("\r\nbody\r\n");
  }

  /** b is delivered, c is over quota for now, d is refused for good. */
  private static final DeliveryHandler MIXED =
      new DeliveryHandler() {
        @Override
        public void deliver(Delivery delivery) {
          throw new UnsupportedOperationException();
        }

        @Override
        public List<RecipientOutcome> deliverEach(Delivery d) throws IOException {
          d.content().close();
          List<RecipientOutcome> out = new ArrayList<>();
          for (String r : d.recipients()) {
            out.add(
                switch (r.charAt(0)) {
                  case 'b' -> RecipientOutcome.delivered(r);
                  case 'c' -> RecipientOutcome.temporary(r, 452, "4.2.2", "Mailbox full");
                  case 'd' -> RecipientOutcome.permanent(r, 552, "5.2.2", "Over quota");
                  default -> RecipientOutcome.delivered("someone-else@example.test");
                });
          }
          return out;
        }
      };

  @Test
  void lmtpShouldReplyPerRecipientWhenHandlerReportsOutcomes() {
    Transcript t = session(SmtpMode.LMTP, false, MIXED);
    t.send(
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\n"
            + "RCPT TO:<d@example.test>\r\nDATA\r\n");
    t.script(
        "S: 250 .*",
        "S: 250 .*",
        "S: 250 .*",
        "S: 250 .*",
        "S: 354 .*",
        "C: hi",
        "C: .",
        "S: 250 2\\.0\\.0 .*", // RFC 2033 §4.2: one reply per recipient, in RCPT order
        "S: 452 4\\.2\\.2 Mailbox full",
        "S: 552 5\\.2\\.2 Over quota");
    t.noMoreReplies();
    t.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<e@example.test>\r\nBDAT 1 LAST\r\nx");
    t.script("S: 250 .*", "S: 250 .*", "S: 451 4\\.3\\.0 .*"); // no outcome for e
  }

  @Test
  void smtpShouldAcceptWhenAnyRecipientIsDeliveredAndRefuseWhenNone() {
    Transcript t = session(SmtpMode.SMTP, false, MIXED);
    t.send(
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.test>\r\nRCPT TO:<b@example.test>\r\n"
            + "BDAT 1 LAST\r\nx");
    t.script("S: 250 .*", "S: 250 .*", "S: 250 .*", "S: 250 2\\.0\\.0 OK: queued .*");
    t.send(
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<d@example.test>\r\nRCPT TO:<c@example.test>\r\n"
            + "BDAT 1 LAST\r\nx");
    t.script("S: 250 .*", "S: 250 .*", "S: 250 .*", "S: 552 5\\.2\\.2 Over quota");
    t.noMoreReplies();
  }
}
