package org.carbonio.smtp.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.DsnReturn;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.protocol.BodyType;
import org.carbonio.smtp.queue.QueueId;
import org.carbonio.smtp.queue.RecipientStatus;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** decode(encode(x)) == x for headers and state records, whatever the text. */
class QueueCodecPropertiesTest {

  /** Any Unicode scalar value, biased towards the characters the escaping treats specially. */
  private static final Gen<Integer> CODE_POINT =
      Generate.oneOf(
          Generate.pick(List.of((int) '%', (int) '~', (int) ' ', (int) '\n', (int) '\r', 0, 0x7f)),
          integers().between(0x21, 0x7e),
          integers().between(0x80, 0x10FFFF).map(c -> c >= 0xD800 && c <= 0xDFFF ? c + 0x800 : c));

  private static final Gen<String> TEXT =
      lists()
          .of(CODE_POINT)
          .ofSizeBetween(0, 24)
          .map(
              cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));

  private static final Gen<Set<DsnNotify>> NOTIFY =
      Generate.pick(
          List.<Set<DsnNotify>>of(
              Set.of(),
              Set.of(DsnNotify.NEVER),
              Set.of(DsnNotify.SUCCESS),
              EnumSet.of(DsnNotify.SUCCESS, DsnNotify.FAILURE, DsnNotify.DELAY),
              EnumSet.of(DsnNotify.FAILURE, DsnNotify.DELAY)));

  private static final Gen<EnvelopeRecipient> RCPT = TEXT.zip(NOTIFY, TEXT, EnvelopeRecipient::new);

  private static final Gen<Envelope> ENVELOPE =
      TEXT.zip(
          lists().of(RCPT).ofSizeBetween(1, 5),
          Generate.pick(java.util.Arrays.asList(null, DsnReturn.FULL, DsnReturn.HDRS)),
          TEXT,
          Generate.enumValues(BodyType.class),
          (s, r, ret, envid, body) ->
              new Envelope(s, r, ret, envid, body, s.length() % 2 == 0, envid.length() % 3 == 0));

  @Test
  void headerShouldRoundTripWhenFieldsHoldArbitraryText() {
    qt().forAll(ENVELOPE, TEXT, longs().between(0, 4_000_000_000_000L), Generate.booleans())
        .checkAssert(
            (env, reason, millis, held) -> {
              MessageHeader h =
                  new MessageHeader(
                      QueueId.of("ID" + millis), Instant.ofEpochMilli(millis), env, held, reason);
              byte[] encoded = QueueCodec.encodeHeader(h);
              byte[] withBody = concat(encoded, "body\r\n".getBytes());
              try {
                QueueCodec.Decoded d = QueueCodec.decodeHeader(new ByteArrayInputStream(withBody));
                assertThat(d.header()).isEqualTo(h);
                assertThat(d.contentOffset()).isEqualTo(encoded.length);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              for (byte b : encoded) {
                assertThat(b).isBetween((byte) 0x0a, (byte) 0x7e);
              }
            });
  }

  @Test
  void escapeShouldRoundTripAndStayInOneTokenWhenTextIsArbitrary() {
    qt().forAll(TEXT)
        .checkAssert(
            s -> {
              String e = QueueCodec.escape(s);
              assertThat(e).isNotEmpty().doesNotContain(" ", "\n", "\r");
              assertThat(QueueCodec.unescape(e)).isEqualTo(s);
            });
  }

  private static final Gen<LogRecord> RECORD =
      Generate.oneOf(
          integers()
              .between(0, 99)
              .zip(
                  TEXT,
                  TEXT,
                  longs().between(0, 4_000_000_000_000L),
                  (i, text, mta, at) ->
                      new LogRecord.Result(
                          i,
                          RecipientStatus.State.values()[i % 4],
                          new RecipientOutcome(
                              mta + "@x",
                              RecipientOutcome.Status.values()[i % 3],
                              new int[] {250, 451, 550}[i % 3],
                              i % 5 == 0 ? "" : "4.1." + i,
                              text,
                              mta),
                          Instant.ofEpochMilli(at))),
          integers()
              .between(1, 1000)
              .zip(
                  longs().between(0, 1L << 40),
                  (n, at) ->
                      new LogRecord.Attempt(
                          n, Instant.ofEpochMilli(at), Instant.ofEpochMilli(at + n))),
          lists()
              .of(integers().between(0, 99))
              .ofSizeBetween(0, 5)
              .zip(
                  Generate.enumValues(LogRecord.DsnKind.class),
                  (idx, kind) -> new LogRecord.Notified(kind, QueueId.of("A.f" + idx.size()), idx)),
          TEXT.map(LogRecord.Hold::new),
          Generate.constant(new LogRecord.Release()));

  @Test
  void logShouldRoundTripAndDropTornTailWhenCutAnywhere() {
    qt().forAll(lists().of(RECORD).ofSizeBetween(0, 6), integers().between(0, 1000))
        .checkAssert(
            (records, cutAt) -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              List<Integer> ends = new ArrayList<>();
              for (LogRecord r : records) {
                out.writeBytes(QueueCodec.encodeLog(r));
                ends.add(out.size());
              }
              byte[] all = out.toByteArray();
              assertThat(QueueCodec.decodeLog(all)).isEqualTo(records);
              int cut = all.length == 0 ? 0 : cutAt % (all.length + 1);
              byte[] torn = java.util.Arrays.copyOf(all, cut);
              int whole = (int) ends.stream().filter(e -> e <= cut).count();
              assertThat(QueueCodec.decodeLog(torn)).isEqualTo(records.subList(0, whole));
            });
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
