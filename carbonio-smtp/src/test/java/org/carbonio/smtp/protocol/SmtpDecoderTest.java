package org.carbonio.smtp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.carbonio.smtp.protocol.DecoderDriver.bytes;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.smtp.protocol.DecoderDriver.BadReply;
import org.carbonio.smtp.protocol.DecoderDriver.Cmd;
import org.carbonio.smtp.protocol.DecoderDriver.Data;
import org.carbonio.smtp.protocol.DecoderDriver.End;
import org.carbonio.smtp.protocol.DecoderDriver.Event;
import org.junit.jupiter.api.Test;

class SmtpDecoderTest {

  private static final SmtpLimits LIMITS = SmtpLimits.DEFAULTS;

  /** Decodes whole, byte by byte and cut once at every position; all must agree. */
  private static List<Event> decode(Compliance compliance, String input) {
    byte[] in = bytes(input);
    List<Event> whole = DecoderDriver.whole(LIMITS, compliance, in);
    assertThat(DecoderDriver.byteByByte(LIMITS, compliance, in)).isEqualTo(whole);
    for (int cut = 1; cut < in.length; cut++) {
      assertThat(DecoderDriver.run(LIMITS, compliance, in, new int[] {cut}))
          .as("cut at %d", cut)
          .isEqualTo(whole);
    }
    return whole;
  }

  private static List<Event> decode(String input) {
    return decode(Compliance.LENIENT, input);
  }

  private static SmtpCommand only(String line) {
    List<Event> events = decode(line);
    assertThat(events).hasSize(1).first().isInstanceOf(Cmd.class);
    return ((Cmd) events.getFirst()).command();
  }

  private static SmtpReply bad(Compliance compliance, String line) {
    List<Event> events = decode(compliance, line);
    assertThat(events).hasSize(1).first().isInstanceOf(BadReply.class);
    return ((BadReply) events.getFirst()).reply();
  }

  @Test
  void decodeShouldYieldTypedCommandsWhenLinesAreValid() {
    assertThat(only("EHLO client.example\r\n")).isEqualTo(new SmtpCommand.Ehlo("client.example"));
    assertThat(only("helo [192.0.2.1]\r\n")).isEqualTo(new SmtpCommand.Helo("[192.0.2.1]"));
    assertThat(only("LHLO x\r\n")).isEqualTo(new SmtpCommand.Lhlo("x"));
    assertThat(only("MAIL FROM:<a@example.com> SIZE=1234 BODY=8BITMIME\r\n"))
        .isEqualTo(
            new SmtpCommand.Mail(
                "a@example.com", OptionalLong.of(1234), BodyType.EIGHT_BIT_MIME, Map.of()));
    assertThat(only("mail from:<>\r\n"))
        .isEqualTo(new SmtpCommand.Mail("", OptionalLong.empty(), BodyType.UNSPECIFIED, Map.of()));
    assertThat(only("RCPT TO:<b@example.org>\r\n"))
        .isEqualTo(new SmtpCommand.Rcpt("b@example.org", Map.of()));
    assertThat(only("RCPT TO:<Postmaster>\r\n"))
        .isEqualTo(new SmtpCommand.Rcpt("Postmaster", Map.of()));
    assertThat(only("RCPT TO:<@relay1,@relay2:c@example.org>\r\n"))
        .isEqualTo(new SmtpCommand.Rcpt("c@example.org", Map.of()));
    assertThat(only("RCPT TO:<\"john doe\"@example.org> NOTIFY=NEVER\r\n"))
        .isEqualTo(
            new SmtpCommand.Rcpt(
                "\"john doe\"@example.org", Set.of(DsnNotify.NEVER), "", Map.of()));
    assertThat(only("DATA\r\n")).isEqualTo(new SmtpCommand.Data());
    assertThat(only("RSET\r\n")).isEqualTo(new SmtpCommand.Rset());
    assertThat(only("NOOP anything\r\n")).isEqualTo(new SmtpCommand.Noop());
    assertThat(only("QUIT\r\n")).isEqualTo(new SmtpCommand.Quit());
    assertThat(only("VRFY root\r\n")).isEqualTo(new SmtpCommand.Vrfy("root"));
    assertThat(only("HELP\r\n")).isEqualTo(new SmtpCommand.Help(""));
    assertThat(only("STARTTLS\r\n")).isEqualTo(new SmtpCommand.StartTls(false));
  }

  @Test
  void decodeShouldAcceptCommonMistakesWhenLenient() {
    assertThat(only("MAIL FROM: <a@example.com>\r\n"))
        .isEqualTo(
            new SmtpCommand.Mail(
                "a@example.com", OptionalLong.empty(), BodyType.UNSPECIFIED, Map.of()));
    assertThat(only("RCPT TO:b@example.org\n"))
        .isEqualTo(new SmtpCommand.Rcpt("b@example.org", Map.of()));
  }

  @Test
  void decodeShouldRefuseCommonMistakesWhenStrict() {
    assertThat(bad(Compliance.STRICT, "MAIL FROM: <a@example.com>\r\n").code()).isEqualTo(501);
    assertThat(bad(Compliance.STRICT, "NOOP\n")).isEqualTo(SmtpReplies.BARE_LINE_BREAK_COMMAND);
    assertThat(bad(Compliance.STRICT, "EHLO under_score\r\n").code()).isEqualTo(501);
    assertThat(bad(Compliance.STRICT, "RCPT TO:<a..b@example.org>\r\n").enhancedStatus())
        .isEqualTo("5.1.3");
  }

  @Test
  void decodeShouldReplyWithErrorsWhenLinesAreWrong() {
    assertThat(bad(Compliance.LENIENT, "FOO bar\r\n")).isEqualTo(SmtpReplies.UNRECOGNIZED);
    assertThat(bad(Compliance.LENIENT, "EXPN list\r\n")).isEqualTo(SmtpReplies.NOT_IMPLEMENTED);
    assertThat(bad(Compliance.LENIENT, "\r\n")).isEqualTo(SmtpReplies.SYNTAX_ERROR);
    assertThat(bad(Compliance.LENIENT, "NO\0OP\r\n")).isEqualTo(SmtpReplies.NUL_IN_COMMAND);
    assertThat(bad(Compliance.LENIENT, "MAIL FROM:<a\0@b>\r\n"))
        .isEqualTo(SmtpReplies.NUL_IN_COMMAND);
    assertThat(bad(Compliance.LENIENT, "EHLO\r\n").code()).isEqualTo(501);
    assertThat(bad(Compliance.LENIENT, "DATA now\r\n").code()).isEqualTo(501);
    assertThat(bad(Compliance.LENIENT, "MAIL TO:<a@b>\r\n").code()).isEqualTo(501);
    assertThat(bad(Compliance.LENIENT, "MAIL FROM:<a@b\r\n").enhancedStatus()).isEqualTo("5.1.7");
    assertThat(bad(Compliance.LENIENT, "MAIL FROM:<a@b> SIZE=12x\r\n").code()).isEqualTo(501);
    assertThat(bad(Compliance.LENIENT, "MAIL FROM:<a@b> BODY=BINARY\r\n").code()).isEqualTo(501);
    assertThat(bad(Compliance.LENIENT, "RCPT TO:<>\r\n").enhancedStatus()).isEqualTo("5.1.3");
    assertThat(bad(Compliance.LENIENT, "RCPT TO:<j\u00f6rg@example.org>\r\n"))
        .isEqualTo(SmtpReplies.NON_ASCII_ADDRESS);
    assertThat(bad(Compliance.LENIENT, "RCPT TO:<" + "x".repeat(65) + "@example.org>\r\n").code())
        .isEqualTo(501);
  }

  @Test
  void decodeShouldMarkStartTlsWhenInputFollowsIt() {
    // the flag reflects what arrived with the command, so this is not split-independent
    List<Event> events =
        DecoderDriver.whole(
            LIMITS, Compliance.LENIENT, bytes("STARTTLS\r\nMAIL FROM:<evil@example.com>\r\n"));
    assertThat(events.getFirst()).isEqualTo(new Cmd(new SmtpCommand.StartTls(true)));
  }

  @Test
  void decodeShouldReplyLineTooLongAndRecoverWhenLineExceedsLimit() {
    String longLine = "NOOP " + "x".repeat(1200) + "\r\n";
    List<Event> events = decode(longLine + "NOOP\r\n");
    assertThat(events)
        .containsExactly(new BadReply(SmtpReplies.LINE_TOO_LONG), new Cmd(new SmtpCommand.Noop()));
  }

  @Test
  void decodeShouldAcceptLineWhenExactlyAtLimit() {
    SmtpLimits small = LIMITS.withMaxLineLength(20);
    String fits = "NOOP " + "x".repeat(13) + "\r\n"; // 20 octets
    String tooLong = "NOOP " + "x".repeat(14) + "\r\n"; // 21 octets
    assertThat(DecoderDriver.whole(small, Compliance.LENIENT, bytes(fits)))
        .containsExactly(new Cmd(new SmtpCommand.Noop()));
    assertThat(DecoderDriver.byteByByte(small, Compliance.LENIENT, bytes(tooLong)))
        .containsExactly(new BadReply(SmtpReplies.LINE_TOO_LONG));
    assertThat(
            DecoderDriver.whole(small, Compliance.LENIENT, bytes("NOOP " + "x".repeat(14) + "\n")))
        .containsExactly(new BadReply(SmtpReplies.LINE_TOO_LONG));
  }

  @Test
  void dataShouldBeByteExactWhenInputUsesCrlf() {
    String message = "Subject: hi\r\n\r\nline one\r\n\r\n  indented\ttab\r\n\u00e9\u00ff\0bin\r\n";
    List<Event> events = decode("DATA\r\n" + message + ".\r\nQUIT\r\n");
    assertThat(events)
        .containsExactly(
            new Cmd(new SmtpCommand.Data()),
            new Data(message),
            new End(message.length(), false),
            new Cmd(new SmtpCommand.Quit()));
  }

  @Test
  void dataShouldRemoveStuffedDotsWhenLinesStartWithDot() {
    // RFC 5321 §4.5.2
    List<Event> events = decode("DATA\r\n..\r\n.hidden\r\n...x\r\na.b\r\n.\r\n");
    assertThat(events.get(1)).isEqualTo(new Data(".\r\nhidden\r\n..x\r\na.b\r\n"));
  }

  @Test
  void dataShouldBeEmptyWhenTerminatorFollowsDataAtOnce() {
    assertThat(decode("DATA\r\n.\r\n"))
        .containsExactly(new Cmd(new SmtpCommand.Data()), new Data(""), new End(0, false));
  }

  @Test
  void dataShouldNotEndWhenTerminatorUsesBareLf() {
    // SMTP smuggling: <LF>.<LF>, <LF>.<CRLF> and <CRLF>.<LF> are content
    List<Event> events = decode("DATA\r\na\n.\nMAIL FROM:<x@y>\r\nb\n.\r\nc\r\n.\nd\r\n.\r\n");
    assertThat(events)
        .containsExactly(
            new Cmd(new SmtpCommand.Data()),
            new Data("a\r\n.\r\nMAIL FROM:<x@y>\r\nb\r\n.\r\nc\r\n.\r\nd\r\n"),
            new End(38, true));
  }

  @Test
  void dataShouldKeepBareCrAndFlagItWhenPresent() {
    List<Event> events = decode("DATA\r\na\rb\r\n.\r\r\n.\r\n");
    assertThat(events.get(1)).isEqualTo(new Data("a\rb\r\n\r\r\n"));
    assertThat(events.get(2)).isEqualTo(new End(8, true));
  }

  @Test
  void dataShouldSpanManyChunksWhenMessageIsLarge() {
    String line = "0123456789".repeat(30) + "\r\n";
    String message = line.repeat(200);
    List<Event> events =
        DecoderDriver.whole(LIMITS, Compliance.LENIENT, bytes("DATA\r\n" + message + ".\r\n"));
    assertThat(events.get(1)).isEqualTo(new Data(message));
  }

  @Test
  void startDataShouldFailWhenMidLine() {
    SmtpDecoder decoder = new SmtpDecoder(LIMITS, Compliance.LENIENT);
    decoder.decode(java.nio.ByteBuffer.wrap(bytes("NO")));
    assertThatThrownBy(decoder::startData).isInstanceOf(IllegalStateException.class);
  }
}
