package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DecodingTest {

  private static String decode(String encoding, String body) throws IOException {
    String msg = "Content-Transfer-Encoding: " + encoding + "\r\n\r\n" + body;
    ParsedMessage m = ParsedMessage.parse(msg.getBytes(ISO_8859_1));
    MimePart p = m.part(List.of(1)).orElseThrow();
    try (InputStream in = m.decodedBody(p)) {
      return new String(in.readAllBytes(), ISO_8859_1);
    }
  }

  // RFC 2045 §6.8
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "aGVsbG8=|hello",
        "aGVsbG8|hello", // missing padding
        "aGVsbA==|hell",
        "aGVsbA=|hell", // short padding
        "aGVsbA|hell",
        "aGVs bG8=|hello",
        "!!aG*Vs%bG8=|hello", // characters outside the alphabet are ignored
        "aGVsbG8=garbage|hello", // "=" ends the data
        "aGVsbA==aGVsbA==|hell",
        "=aGVs|hel", // stray padding at a quantum start is ignored
        "a|''", // a lone character carries no byte
        "aG|h",
        "aGV|he",
        "''|''",
        "====|''",
      })
  void base64ShouldDecodeLenientlyWhenInputIsMalformed(String in, String out) throws IOException {
    assertThat(decode("base64", in)).isEqualTo(out);
  }

  @Test
  void base64ShouldSkipLineBreaksWhenBodySpansLines() throws IOException {
    assertThat(decode("BASE64", "aGVs\r\nbG8g\nd29y\r\nbGQ=\r\n")).isEqualTo("hello world");
  }

  @Test
  void base64ShouldDecodeHighOctetsWhenPresent() throws IOException {
    assertThat(decode("base64", "/+7dzA==")).isEqualTo("\u00ff\u00ee\u00dd\u00cc");
  }

  // RFC 2045 §6.7
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a=3Db|a=b",
        "a=3db|a=b", // lower-case hex is accepted
        "caf=C3=A9|caf\u00c3\u00a9",
        "bad=ZZ x|bad=ZZ x", // malformed "=" passed through
        "bad=|bad", // "=" at the end of the data is a soft line break
        "bad=4|bad=4",
        "a = b|a = b",
        "'trail   '|trail", // trailing blanks at the end of the data are removed
        "'a=\t'|a", // blanks after a soft line break "=" are transport padding
        "x=20|'x '", // an encoded blank is kept
        "=C3=|\u00c3",
        "==3D|==", // the first "=" is malformed, the second starts =3D
        "'SIZE=3 '|SIZE=3", // malformed "=", then a trailing blank
      })
  void quotedPrintableShouldDecodeWhenInputIsMalformed(String in, String out) throws IOException {
    assertThat(decode("quoted-printable", in)).isEqualTo(out);
  }

  @Test
  void quotedPrintableShouldRemoveSoftLineBreaksWhenCrlfOrLf() throws IOException {
    assertThat(decode("quoted-printable", "soft=\r\nbreak=\nhere=  \r\nend"))
        .isEqualTo("softbreakhereend");
  }

  @Test
  void quotedPrintableShouldRemoveTrailingBlanksWhenBeforeLineEnd() throws IOException {
    assertThat(decode("quoted-printable", "a  \t\r\nb \nc=20\r\nd \te\r\n"))
        .isEqualTo("a\r\nb\nc \r\nd \te\r\n");
  }

  @Test
  void quotedPrintableShouldKeepBareCrWhenNotALineEnd() throws IOException {
    assertThat(decode("quoted-printable", "a \rb=4\r\nc")).isEqualTo("a \rb=4\r\nc");
  }

  @Test
  void quotedPrintableShouldKeepLongBlankRunWhenNotTrailing() throws IOException {
    String blanks = " ".repeat(100_000);
    assertThat(decode("quoted-printable", blanks + "x" + blanks)).isEqualTo(blanks + "x");
  }

  @ParameterizedTest
  @CsvSource({"7bit", "8bit", "binary", "x-unknown"})
  void identityShouldReturnBodyWhenEncodingIsNotBase64OrQuotedPrintable(String enc)
      throws IOException {
    assertThat(decode(enc, "a=3D \r\naGVsbG8=\r\n")).isEqualTo("a=3D \r\naGVsbG8=\r\n");
  }

  @Test
  void decodedBodyShouldDecodeEachPartWhenMultipart() throws IOException {
    String msg =
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b\r\n"
            + "Content-Transfer-Encoding: quoted-printable\r\n\r\nw=C3=B6rld=\r\n--b--\r\n";
    ParsedMessage m = ParsedMessage.parse(msg.getBytes(ISO_8859_1));
    assertThat(m.decodedBody(m.part(List.of(1)).orElseThrow()).readAllBytes())
        .isEqualTo("hello".getBytes(ISO_8859_1));
    assertThat(m.decodedBody(m.part(List.of(2)).orElseThrow()).readAllBytes())
        .isEqualTo("w\u00c3\u00b6rld".getBytes(ISO_8859_1));
  }

  @Test
  void decodedBodyShouldThrowWhenPartIsOutsideMessage() {
    ParsedMessage big =
        ParsedMessage.parse("Subject: x\r\n\r\n0123456789\r\n".getBytes(ISO_8859_1));
    ParsedMessage small = ParsedMessage.parse("\r\n".getBytes(ISO_8859_1));
    assertThatThrownBy(() -> small.decodedBody(big.root()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
