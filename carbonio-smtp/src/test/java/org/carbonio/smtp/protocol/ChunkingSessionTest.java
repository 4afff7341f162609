package org.carbonio.smtp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.smtp.SmtpMode;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CHUNKING/BDAT and BINARYMIME (RFC 3030) on the in-memory session. */
class ChunkingSessionTest {

  @TempDir Path spool;

  record Stored(Delivery delivery, String body) {}

  private final List<Stored> stored = new ArrayList<>();

  private Transcript session(SmtpLimits limits, SmtpMode mode) {
    SmtpSessionConfig config =
        new SmtpSessionConfig(
            "mx.example.test",
            limits,
            mode,
            Compliance.LENIENT,
            false,
            RecipientPolicy.ACCEPT_ALL,
            d -> {
              String all = new String(d.content().readAllBytes(), StandardCharsets.ISO_8859_1);
              stored.add(new Stored(d, all));
            },
            Clock.systemUTC(),
            spool);
    Transcript t = new Transcript(config, false);
    t.script("S: 220 .*");
    return t;
  }

  private Transcript transaction(SmtpLimits limits) {
    return session(limits, SmtpMode.SMTP)
        .script(
            "C: EHLO c",
            "C: MAIL FROM:<a@example.org> BODY=BINARYMIME",
            "C: RCPT TO:<b@example.test>")
        .skipEhlo()
        .script("S: 250 2\\.1\\.0 .*", "S: 250 2\\.1\\.5 .*");
  }

  private static String body(Stored s) {
    // the stored content minus the Received header (three lines)
    String all = s.body();
    int i = all.indexOf("\r\n\t");
    i = all.indexOf("\r\n\t", i + 1);
    i = all.indexOf("\r\n", i + 1);
    return all.substring(i + 2);
  }

  @Test
  void bdatShouldDeliverExactBytesWhenChunksArePipelined() {
    Transcript t = transaction(SmtpLimits.DEFAULTS);
    // RFC 3030 §2: the octets are taken as they are: no dot-stuffing, no end marker, NUL allowed
    String first = "Subject: x\r\n\r\n.\r\n";
    String second = "\0bin\r\n.\r\nary";
    t.send(
        "BDAT "
            + first.length()
            + "\r\n"
            + first
            + "BDAT "
            + second.length()
            + " LAST\r\n"
            + second
            + "NOOP\r\n");
    t.script(
        "S: 250 2\\.0\\.0 " + first.length() + " octets received",
        "S: 250 2\\.0\\.0 OK: queued as s1\\.1",
        "S: 250 2\\.0\\.0 OK");
    t.noMoreReplies();
    assertThat(body(stored.getFirst())).isEqualTo(first + second);
    assertThat(stored.getFirst().delivery().envelope().body()).isEqualTo(BodyType.BINARY_MIME);
  }

  @Test
  void bdatShouldDeliverWhenLastChunkIsEmpty() {
    Transcript t = transaction(SmtpLimits.DEFAULTS);
    t.send("BDAT 4\r\nabcdBDAT 0 LAST\r\n");
    t.script("S: 250 2\\.0\\.0 4 octets received", "S: 250 2\\.0\\.0 OK: queued .*");
    assertThat(body(stored.getFirst())).isEqualTo("abcd");
  }

  @Test
  void bdatShouldBeRefusedButConsumedWhenNoTransaction() {
    Transcript t = session(SmtpLimits.DEFAULTS, SmtpMode.SMTP);
    t.send("EHLO c\r\n");
    t.skipEhlo();
    // the 10 chunk octets look like a command but are data: never executed
    t.send("BDAT 10 LAST\r\nQUIT\r\nXY\r\nNOOP\r\n");
    t.script("S: 503 5\\.5\\.1 .*MAIL.*", "S: 250 2\\.0\\.0 OK");
    assertThat(t.closed()).isFalse();
    t.send("MAIL FROM:<a@example.org>\r\nBDAT 3\r\nabcRCPT TO:<b@example.test>\r\n");
    t.script("S: 250 .*", "S: 554 5\\.5\\.1 No valid recipients", "S: 250 2\\.1\\.5 .*");
    assertThat(stored).isEmpty();
  }

  @Test
  void dataShouldBeRefusedWhenMixedWithBdatOrBinaryMime() {
    Transcript t = transaction(SmtpLimits.DEFAULTS);
    t.script("C: DATA", "S: 503 5\\.5\\.1 .*BINARYMIME requires BDAT");
    t.send("BDAT 2\r\nhiDATA\r\nRCPT TO:<c@example.test>\r\n");
    t.script(
        "S: 250 2\\.0\\.0 2 octets received",
        "S: 503 5\\.5\\.1 .*DATA and BDAT cannot be mixed",
        "S: 503 5\\.5\\.1 .*RCPT after BDAT");
    t.send("BDAT 1 LAST\r\n!");
    t.script("S: 250 2\\.0\\.0 OK: queued .*");
    assertThat(body(stored.getFirst())).isEqualTo("hi!");
  }

  @Test
  void bdatShouldReply552AndDiscardPipelinedChunksWhenMessageExceedsLimit() throws IOException {
    Transcript t = transaction(SmtpLimits.DEFAULTS.withMaxMessageBytes(10).withSpoolThreshold(4));
    t.send("BDAT 6\r\n123456BDAT 6\r\n789012BDAT 3 LAST\r\nabcNOOP\r\n");
    t.script(
        "S: 250 2\\.0\\.0 6 octets received",
        "S: 552 5\\.3\\.4 .*",
        "S: 503 5\\.5\\.1 .*", // RFC 3030 §2: discarded
        "S: 250 2\\.0\\.0 OK");
    assertThat(stored).isEmpty();
    try (Stream<Path> files = Files.list(spool)) {
      assertThat(files).isEmpty(); // the partial spool file is gone
    }
    // the session is usable again
    t.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nBDAT 2 LAST\r\nok");
    t.script("S: 250 .*", "S: 250 .*", "S: 250 2\\.0\\.0 OK: queued .*");
  }

  @Test
  void bdatShouldReadExactlyTheCountWhenClientSendsMoreBytes() {
    Transcript t = transaction(SmtpLimits.DEFAULTS);
    // announced 5, sent 9 then a line end: the extra "6789" is parsed as a (bad) command
    t.send("BDAT 5 LAST\r\n123456789\r\n");
    t.script("S: 250 2\\.0\\.0 OK: queued .*", "S: 500 5\\.5\\.1 .*");
    assertThat(body(stored.getFirst())).isEqualTo("12345");
  }

  @Test
  void bdatShouldWaitForTheCountWhenClientSendsFewerBytes() {
    Transcript t = transaction(SmtpLimits.DEFAULTS);
    t.send("BDAT 20 LAST\r\nshort\r\nQUIT\r\n");
    t.noMoreReplies(); // QUIT is chunk data; the transport's dataTimeout ends this
    assertThat(t.session.state()).isEqualTo(SmtpSession.State.BDAT);
    t.send("x".repeat(7));
    t.script("S: 250 2\\.0\\.0 OK: queued .*");
    assertThat(body(stored.getFirst())).isEqualTo("short\r\nQUIT\r\nxxxxxxx");
  }

  @Test
  void bdatShouldRefuseSyntaxErrorsWithoutReadingAChunk() {
    Transcript t = transaction(SmtpLimits.DEFAULTS);
    t.script(
        "C: BDAT",
        "S: 501 5\\.5\\.4 Syntax: BDAT .*",
        "C: BDAT -1",
        "S: 501 .*",
        "C: BDAT 1 FIRST",
        "S: 501 .*",
        "C: BDAT 99999999999999999999",
        "S: 501 .*",
        "C: NOOP",
        "S: 250 .*");
  }

  @Test
  void bdatShouldReplyPerRecipientWhenLmtp() {
    Transcript t = session(SmtpLimits.DEFAULTS, SmtpMode.LMTP);
    t.send("LHLO c\r\n");
    t.skipEhlo();
    t.send(
        "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\n"
            + "BDAT 3 LAST\r\nabc");
    t.script("S: 250 .*", "S: 250 .*", "S: 250 .*", "S: 250 2\\.0\\.0 .*", "S: 250 2\\.0\\.0 .*");
    t.noMoreReplies();
  }
}
