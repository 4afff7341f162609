package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.carbonio.mime.internal.HeaderEncoder;
import org.carbonio.mime.internal.TransferDecoding;
import org.carbonio.mime.internal.TransferEncoder;
import org.junit.jupiter.api.Test;

class TransferEncoderTest {

  private static byte[] encode(byte[] data, String encoding) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      TransferEncoder.write(data, encoding, out);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }

  private static byte[] decode(byte[] encoded, String encoding) {
    try (InputStream in = TransferDecoding.open(encoded, 0, encoded.length, encoding)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void encodeShouldRoundTripWithShortLinesWhenBytesAreArbitrary() {
    qt().withExamples(1000)
        .forAll(ComposePropertiesTest.bytes(600))
        .checkAssert(
            data -> {
              for (String enc : List.of("quoted-printable", "base64")) {
                byte[] e = encode(data, enc);
                assertThat(decode(e, enc)).isEqualTo(data);
                // RFC 2045 §6.7 (5), §6.8: at most 76 characters per line, CRLF only
                for (String line : new String(e, ISO_8859_1).split("\r\n", -1)) {
                  assertThat(line.length()).isLessThanOrEqualTo(76);
                  assertThat(line).doesNotContain("\r").doesNotContain("\n");
                }
              }
            });
  }

  @Test
  void chooseShouldPickLightestEncodingWhenContentDiffers() {
    assertThat(TransferEncoder.choose("plain\r\ntext\tok".getBytes(UTF_8))).isEqualTo("7bit");
    assertThat(TransferEncoder.choose("x".repeat(79).getBytes(UTF_8)))
        .isEqualTo("quoted-printable");
    assertThat(TransferEncoder.choose("bare\nLF".getBytes(UTF_8))).isEqualTo("quoted-printable");
    assertThat(TransferEncoder.choose("Grüße aus Köln, mostly ASCII".getBytes(UTF_8)))
        .isEqualTo("quoted-printable");
    assertThat(TransferEncoder.choose("日本語のテキスト".getBytes(UTF_8))).isEqualTo("base64");
    assertThat(TransferEncoder.choose(new byte[] {0, 1, 2, (byte) 0xff})).isEqualTo("base64");
    assertThat(TransferEncoder.identityEncoding("a\r\nb".getBytes(UTF_8))).isEqualTo("7bit");
    assertThat(TransferEncoder.identityEncoding("ä\r\n".getBytes(UTF_8))).isEqualTo("8bit");
    assertThat(TransferEncoder.identityEncoding(new byte[] {'a', 0})).isEqualTo("binary");
  }

  @Test
  void quotedPrintableShouldNotSplitEscapeWhenSoftBreaking() {
    byte[] data = ("a".repeat(74) + "é").getBytes(UTF_8);
    assertThat(new String(encode(data, "quoted-printable"), ISO_8859_1))
        .isEqualTo("a".repeat(74) + "=\r\n=C3=A9");
  }

  @Test
  void encodedWordsShouldStayShortAndWholeWhenTextIsLong() {
    String text = "🎉日本語".repeat(20);
    List<String> words = HeaderEncoder.encodedWords(text);
    StringBuilder back = new StringBuilder();
    for (String w : words) {
      assertThat(w.length()).isLessThanOrEqualTo(75); // RFC 2047 §2
      back.append(EncodedWords.decode(w)); // each word decodes alone: no split character
    }
    assertThat(back.toString()).isEqualTo(text);
  }

  @Test
  void foldShouldKeepLinesShortAndUnfoldToValueWhenValueIsLong() {
    String value = "word ".repeat(40) + "end";
    String folded = HeaderEncoder.fold("Subject", value);
    assertThat(folded.split("\r\n"))
        .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(78));
    assertThat(folded.replace("\r\n", "")).isEqualTo("Subject: " + value);
  }
}
