package org.carbonio.imap.pop3.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class Pop3DecoderTest {

  private static List<Pop3Decoded> decodeAll(Pop3Decoder d, byte[] bytes) {
    List<Pop3Decoded> out = new ArrayList<>();
    ByteBuffer in = ByteBuffer.wrap(bytes);
    while (in.hasRemaining()) {
      Pop3Decoded r = d.decode(in);
      if (!(r instanceof Pop3Decoded.NeedMore)) out.add(r);
    }
    return out;
  }

  /** Feeds the bytes in pieces split at {@code a} and {@code b}. */
  private static List<Pop3Decoded> decodeSplit(int max, byte[] bytes, int a, int b) {
    Pop3Decoder d = new Pop3Decoder(max);
    int x = Math.min(Math.min(a, b), bytes.length);
    int y = Math.min(Math.max(a, b), bytes.length);
    List<Pop3Decoded> out = new ArrayList<>();
    for (int[] r : new int[][] {{0, x}, {x, y}, {y, bytes.length}}) {
      byte[] part = java.util.Arrays.copyOfRange(bytes, r[0], r[1]);
      out.addAll(decodeAll(d, part));
    }
    return out;
  }

  @Test
  void decodeShouldParseEveryCommandWhenCrlfOrBareLf() {
    byte[] in =
        ("USER alice\r\nPASS pass with spaces\r\nSTAT\nlist\r\nLIST 2\r\nRETR 1\r\nDELE 3\r\n"
                + "TOP 1 10\r\nUIDL\r\nUIDL 7\r\nNOOP\r\nRSET\r\nCAPA\r\nSTLS\r\nAUTH\r\n"
                + "AUTH plain AGFAYgBj\r\nQUIT\r\n")
            .getBytes(UTF_8);
    assertThat(decodeAll(new Pop3Decoder(255), in))
        .extracting(r -> ((Pop3Decoded.Command) r).command())
        .containsExactly(
            new Pop3Command.User("alice"),
            new Pop3Command.Pass("pass with spaces"),
            new Pop3Command.Stat(),
            new Pop3Command.List(OptionalInt.empty()),
            new Pop3Command.List(OptionalInt.of(2)),
            new Pop3Command.Retr(1),
            new Pop3Command.Dele(3),
            new Pop3Command.Top(1, 10),
            new Pop3Command.Uidl(OptionalInt.empty()),
            new Pop3Command.Uidl(OptionalInt.of(7)),
            new Pop3Command.Noop(),
            new Pop3Command.Rset(),
            new Pop3Command.Capa(),
            new Pop3Command.Stls(),
            new Pop3Command.Auth(java.util.Optional.empty(), java.util.Optional.empty()),
            new Pop3Command.Auth(java.util.Optional.of("PLAIN"), java.util.Optional.of("AGFAYgBj")),
            new Pop3Command.Quit());
  }

  @Test
  void decodeShouldReturnSaslResponseWhenExpected() {
    Pop3Decoder d = new Pop3Decoder(255);
    d.expectSaslResponse();
    assertThat(decodeAll(d, "STAT\r\nSTAT\r\n".getBytes(UTF_8)))
        .extracting(r -> ((Pop3Decoded.Command) r).command())
        .containsExactly(new Pop3Command.SaslResponse("STAT"), new Pop3Command.Stat());
  }

  @Test
  void decodeShouldReportTooLongOnceAndResyncWhenLineOverLimit() {
    Pop3Decoder d = new Pop3Decoder(255);
    // 253 octets + CRLF = 255: accepted
    String ok = "NOOP " + "x".repeat(248);
    assertThat(ok.length()).isEqualTo(253);
    byte[] in = (ok + "\r\n" + "y".repeat(10_000) + "\r\nSTAT\r\n").getBytes(UTF_8);
    List<Pop3Decoded> out = decodeAll(d, in);
    assertThat(out).hasSize(3);
    assertThat(out.get(0)).isInstanceOf(Pop3Decoded.Command.class);
    assertThat(out.get(1)).isEqualTo(new Pop3Decoded.TooLong(255));
    assertThat(out.get(2)).isEqualTo(new Pop3Decoded.Command(new Pop3Command.Stat()));
  }

  @Test
  void parseShouldReturnInvalidOrUnknownWhenArgumentsWrong() {
    assertThat(Pop3Command.parse("RETR")).isInstanceOf(Pop3Command.Invalid.class);
    assertThat(Pop3Command.parse("RETR 0")).isInstanceOf(Pop3Command.Invalid.class);
    assertThat(Pop3Command.parse("RETR 2147483648")).isInstanceOf(Pop3Command.Invalid.class);
    assertThat(Pop3Command.parse("RETR 2147483647")).isEqualTo(new Pop3Command.Retr(2147483647));
    assertThat(Pop3Command.parse("TOP 1 x")).isInstanceOf(Pop3Command.Invalid.class);
    assertThat(Pop3Command.parse("STAT 1")).isInstanceOf(Pop3Command.Invalid.class);
    assertThat(Pop3Command.parse("AUTH A B C")).isInstanceOf(Pop3Command.Invalid.class);
    assertThat(Pop3Command.parse("")).isEqualTo(new Pop3Command.Unknown(""));
    assertThat(Pop3Command.parse("APOP a b")).isEqualTo(new Pop3Command.Unknown("APOP"));
    assertThat(Pop3Command.parse("x".repeat(100)))
        .isEqualTo(new Pop3Command.Unknown("X".repeat(40)));
  }

  private static Gen<byte[]> bytes(int max) {
    return lists()
        .of(integers().between(0, 255))
        .ofSizeBetween(0, max)
        .map(
            l -> {
              byte[] b = new byte[l.size()];
              for (int i = 0; i < b.length; i++) b[i] = (byte) (int) l.get(i);
              return b;
            });
  }

  private static Gen<byte[]> pop3ish() {
    String[] pieces = {
      "USER ", "PASS ", "RETR ", "TOP ", "1", "0", "-", " ", "\r\n", "\n", "\r", "x", "é", "AUTH "
    };
    return lists()
        .of(integers().between(0, pieces.length - 1))
        .ofSizeBetween(0, 80)
        .map(
            l -> {
              StringBuilder sb = new StringBuilder();
              for (int i : l) sb.append(pieces[i]);
              return sb.toString().getBytes(UTF_8);
            });
  }

  @Test
  void decodeShouldNeverThrowWhenArbitraryBytes() {
    qt().withExamples(500)
        .forAll(bytes(600))
        .checkAssert(b -> assertThat(decodeAll(new Pop3Decoder(255), b)).isNotNull());
  }

  @Test
  void decodeShouldNotDependOnSplitWhenPop3ishInput() {
    qt().withExamples(500)
        .forAll(pop3ish(), integers().between(0, 400), integers().between(0, 400))
        .checkAssert(
            (b, x, y) ->
                assertThat(decodeSplit(255, b, x, y))
                    .isEqualTo(decodeAll(new Pop3Decoder(255), b)));
  }

  @Test
  void decodeShouldNotDependOnSplitWhenEverySplitOfOneScript() {
    byte[] script = "USER alice\r\nPASS s e\r\nRETR 1\nTOP 2 3\r\nQUIT\r\n".getBytes(UTF_8);
    List<Pop3Decoded> whole = decodeAll(new Pop3Decoder(255), script);
    for (int i = 0; i <= script.length; i++) {
      assertThat(decodeSplit(255, script, i, i)).as("split at %d", i).isEqualTo(whole);
    }
  }
}
