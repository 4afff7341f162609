package org.carbonio.smtp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.smtp.protocol.DecoderDriver.BadReply;
import org.carbonio.smtp.protocol.DecoderDriver.Cmd;
import org.carbonio.smtp.protocol.DecoderDriver.Data;
import org.carbonio.smtp.protocol.DecoderDriver.Event;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class DecoderPropertiesTest {

  private static final SmtpLimits LIMITS = SmtpLimits.DEFAULTS.withMaxLineLength(64);

  /** Bytes biased towards the ones that matter to SMTP framing. */
  private static final Gen<Byte> SMTP_BYTE =
      integers()
          .between(0, 11)
          .zip(
              integers().between(0, 255),
              (pick, any) ->
                  (byte)
                      switch (pick) {
                        case 0, 1 -> '\r';
                        case 2, 3 -> '\n';
                        case 4, 5 -> '.';
                        case 6 -> ' ';
                        default -> any;
                      });

  /** Input that often contains real commands, including DATA, among random bytes. */
  private static final Gen<byte[]> INPUT =
      lists()
          .of(
              integers()
                  .between(0, 9)
                  .zip(
                      lists().of(SMTP_BYTE).ofSizeBetween(0, 40),
                      (kind, random) ->
                          switch (kind) {
                            case 0 -> DecoderDriver.bytes("DATA\r\n");
                            case 1 -> DecoderDriver.bytes("\r\n.\r\n");
                            case 2 -> DecoderDriver.bytes("MAIL FROM:<a@b> SIZE=10\r\n");
                            case 3 -> DecoderDriver.bytes("BDAT " + random.size() + "\r\n");
                            case 4 -> DecoderDriver.bytes("BDAT 7 LAST\r\n");
                            case 5 -> DecoderDriver.bytes("AUTH LOGIN\r\n");
                            default -> toArray(random);
                          }))
          .ofSizeBetween(0, 30)
          .map(DecoderPropertiesTest::concat);

  private static final Gen<int[]> CUTS =
      lists()
          .of(integers().between(0, 2000))
          .ofSizeBetween(0, 12)
          .map(l -> l.stream().mapToInt(i -> i).sorted().toArray());

  private static byte[] toArray(List<Byte> list) {
    byte[] b = new byte[list.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = list.get(i);
    }
    return b;
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }

  private static int[] clamp(int[] cuts, int length) {
    return java.util.Arrays.stream(cuts).map(c -> Math.min(c, length)).toArray();
  }

  @Test
  void decodeShouldNeverThrowAndIgnoreSplitsWhenInputIsArbitrary() {
    qt().withExamples(500)
        .forAll(INPUT, CUTS)
        .checkAssert(
            (input, cuts) -> {
              for (Compliance c : Compliance.values()) {
                List<Event> whole = DecoderDriver.whole(LIMITS, c, input);
                assertThat(DecoderDriver.run(LIMITS, c, input, clamp(cuts, input.length)))
                    .isEqualTo(whole);
              }
            });
  }

  @Test
  void decodeShouldMatchByteByByteWhenInputIsArbitrary() {
    qt().withExamples(200)
        .forAll(INPUT)
        .checkAssert(
            input ->
                assertThat(DecoderDriver.byteByByte(LIMITS, Compliance.LENIENT, input))
                    .isEqualTo(DecoderDriver.whole(LIMITS, Compliance.LENIENT, input)));
  }

  @Test
  void decodeShouldEnforceLineLimitWhenLinesVary() {
    qt().forAll(integers().between(0, 200))
        .checkAssert(
            n -> {
              byte[] line = DecoderDriver.bytes("NOOP " + "y".repeat(n) + "\r\n");
              List<Event> events = DecoderDriver.whole(LIMITS, Compliance.LENIENT, line);
              if (line.length <= LIMITS.maxLineLength()) {
                assertThat(events).containsExactly(new Cmd(new SmtpCommand.Noop()));
              } else {
                assertThat(events).containsExactly(new BadReply(SmtpReplies.LINE_TOO_LONG));
              }
            });
  }

  @Test
  void bdatShouldReadExactlyTheCountWhenChunkHoldsAnyBytes() {
    qt().withExamples(300)
        .forAll(lists().of(SMTP_BYTE).ofSizeBetween(0, 300), CUTS)
        .checkAssert(
            (raw, cuts) -> {
              byte[] chunk = toArray(raw);
              // RFC 3030 §2: the chunk is opaque; whatever follows it is a command again
              byte[] input =
                  concat(
                      List.of(
                          DecoderDriver.bytes("BDAT " + chunk.length + " LAST\r\n"),
                          chunk,
                          DecoderDriver.bytes("NOOP\r\n")));
              List<Event> events =
                  DecoderDriver.run(LIMITS, Compliance.STRICT, input, clamp(cuts, input.length));
              assertThat(events)
                  .containsExactly(
                      new Cmd(new SmtpCommand.Bdat(chunk.length, true)),
                      new Data(new String(chunk, java.nio.charset.StandardCharsets.ISO_8859_1)),
                      new DecoderDriver.ChunkDone(chunk.length, true),
                      new Cmd(new SmtpCommand.Noop()));
            });
  }

  @Test
  void authResponseShouldAllow12288OctetsOnlyAfterAuthCommand() {
    qt().forAll(integers().between(0, 12400))
        .checkAssert(
            n -> {
              String response = "A".repeat(n);
              byte[] input = DecoderDriver.bytes("AUTH LOGIN\r\n" + response + "\r\n");
              List<Event> events =
                  DecoderDriver.whole(SmtpLimits.DEFAULTS, Compliance.LENIENT, input);
              assertThat(events.getFirst()).isEqualTo(new Cmd(new SmtpCommand.Auth("LOGIN", null)));
              if (n + 2 <= SmtpDecoder.MAX_AUTH_LINE_LENGTH) {
                assertThat(events.get(1)).isEqualTo(new DecoderDriver.AuthLine(response));
              } else {
                assertThat(events.get(1)).isEqualTo(new BadReply(SmtpReplies.AUTH_LINE_TOO_LONG));
              }
              assertThat(events).hasSize(2);
              // the same line as a command is bounded by maxLineLength
              List<Event> asCommand =
                  DecoderDriver.whole(
                      SmtpLimits.DEFAULTS,
                      Compliance.LENIENT,
                      DecoderDriver.bytes("NOOP " + response + "\r\n"));
              assertThat(asCommand)
                  .containsExactly(
                      n + 7 <= SmtpLimits.DEFAULTS.maxLineLength()
                          ? new Cmd(new SmtpCommand.Noop())
                          : new BadReply(SmtpReplies.LINE_TOO_LONG));
            });
  }

  @Test
  void dataShouldRoundTripWhenClientDotStuffsCrlfLines() {
    Gen<List<byte[]>> lines =
        lists()
            .of(lists().of(SMTP_BYTE).ofSizeBetween(0, 30).map(DecoderPropertiesTest::toArray))
            .ofSizeBetween(0, 20);
    qt().forAll(lines)
        .checkAssert(
            raw -> {
              ByteArrayOutputStream message = new ByteArrayOutputStream();
              ByteArrayOutputStream wire = new ByteArrayOutputStream();
              wire.writeBytes(DecoderDriver.bytes("DATA\r\n"));
              for (byte[] l : raw) {
                byte[] clean = stripLineBreaks(l);
                message.writeBytes(clean);
                message.writeBytes(DecoderDriver.bytes("\r\n"));
                if (clean.length > 0 && clean[0] == '.') {
                  wire.write('.'); // RFC 5321 §4.5.2 transparency
                }
                wire.writeBytes(clean);
                wire.writeBytes(DecoderDriver.bytes("\r\n"));
              }
              wire.writeBytes(DecoderDriver.bytes(".\r\n"));
              List<Event> events =
                  DecoderDriver.whole(LIMITS, Compliance.STRICT, wire.toByteArray());
              assertThat(events.get(1))
                  .isEqualTo(
                      new Data(
                          new String(
                              message.toByteArray(),
                              java.nio.charset.StandardCharsets.ISO_8859_1)));
              assertThat(events).hasSize(3);
            });
  }

  private static byte[] stripLineBreaks(byte[] l) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : l) {
      if (b != '\r' && b != '\n') {
        out.write(b);
      }
    }
    return out.toByteArray();
  }
}
