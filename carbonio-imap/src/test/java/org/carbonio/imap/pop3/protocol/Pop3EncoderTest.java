package org.carbonio.imap.pop3.protocol;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.List;
import org.carbonio.imap.protocol.ByteSource;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class Pop3EncoderTest {

  private static String content(String message, int bodyLines) {
    return Pop3Encoder.toString(
        new Pop3Reply.Content(ByteSource.of(message.getBytes(ISO_8859_1)), bodyLines));
  }

  @Test
  void encodeShouldWriteStatusLinesWhenOkErrChallenge() {
    assertThat(Pop3Encoder.toString(new Pop3Reply.Ok(""))).isEqualTo("+OK\r\n");
    assertThat(Pop3Encoder.toString(new Pop3Reply.Ok("2 320"))).isEqualTo("+OK 2 320\r\n");
    assertThat(Pop3Encoder.toString(new Pop3Reply.Err("IN-USE", "locked")))
        .isEqualTo("-ERR [IN-USE] locked\r\n");
    assertThat(Pop3Encoder.toString(new Pop3Reply.Err("", "no\r\nsuch")))
        .isEqualTo("-ERR no  such\r\n");
    assertThat(Pop3Encoder.toString(new Pop3Reply.Challenge(""))).isEqualTo("+ \r\n");
    assertThat(Pop3Encoder.toString(new Pop3Reply.Lines(List.of("a", ".b"))))
        .isEqualTo("a\r\n..b\r\n");
    assertThat(Pop3Encoder.toString(new Pop3Reply.End())).isEqualTo(".\r\n");
  }

  @Test
  void encodeShouldStuffDotsAndWriteCrlfWhenMessageHasBareLfOrCr() {
    assertThat(content(".a\n..b\r\n.\nc\rd\ne", -1))
        .isEqualTo("..a\r\n...b\r\n..\r\nc\rd\r\ne\r\n");
    assertThat(content("", -1)).isEmpty();
    assertThat(content("x\r", -1)).isEqualTo("x\r\r\n");
    assertThat(content("\r\n", -1)).isEqualTo("\r\n");
  }

  @Test
  void encodeShouldSendHeaderAndLinesWhenTop() {
    String m = "A: 1\r\nB: 2\r\n\r\nl1\r\n.l2\r\nl3\r\n";
    assertThat(content(m, 0)).isEqualTo("A: 1\r\nB: 2\r\n\r\n");
    assertThat(content(m, 2)).isEqualTo("A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\n");
    assertThat(content(m, 50)).isEqualTo(content(m, -1));
    assertThat(content("A: 1\nB: 2", 0)).isEqualTo("A: 1\r\nB: 2\r\n");
  }

  @Test
  void encodeShouldBeHandledWhenLongerThanBuffer() {
    String line = ".".repeat(10_000);
    assertThat(content(line + "\n" + line, -1)).isEqualTo("." + line + "\r\n." + line + "\r\n");
  }

  private static Gen<String> messages() {
    String[] pieces = {"a", ".", "\r", "\n", "\r\n", " ", "..", "x\n.", "\n\n"};
    return lists()
        .of(integers().between(0, pieces.length - 1))
        .ofSizeBetween(0, 60)
        .map(
            l -> {
              StringBuilder sb = new StringBuilder();
              for (int i : l) sb.append(pieces[i]);
              return sb.toString();
            });
  }

  /** What a client does: split at CRLF, unstuff a leading dot. */
  private static String unstuff(String wire) {
    StringBuilder sb = new StringBuilder();
    for (String l : wire.split("\r\n", -1)) {
      sb.append(l.startsWith(".") ? l.substring(1) : l).append("\r\n");
    }
    return sb.substring(0, sb.length() - 2);
  }

  /** The message with every LF made CRLF (a CR before an LF kept as that CRLF's CR). */
  private static String crlf(String m) {
    String s = m.replace("\r\n", "\n").replace("\n", "\r\n");
    return s.isEmpty() || s.endsWith("\r\n") ? s : s + "\r\n";
  }

  @Test
  void encodeShouldRoundTripWhenUnstuffedByAClient() {
    qt().withExamples(1000)
        .forAll(messages())
        .checkAssert(
            m -> {
              String wire = content(m, -1);
              // no line of the wire is a lone "." (that would end the reply)
              assertThat(("\r\n" + wire).contains("\r\n.\r\n")).isFalse();
              assertThat(unstuff(wire)).isEqualTo(crlf(m));
            });
  }
}
