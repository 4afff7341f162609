package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.charset.StandardCharsets;
import org.carbonio.mime.ParsedMessage;
import org.junit.jupiter.api.Test;

/** RFC 8970 previews. */
class PreviewTest {

  private static String preview(String message) {
    return Preview.of(
        ParsedMessage.parse(ParsedMessage.toCrlf(message.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void normalizeShouldHoldRfc8970LimitsWhenTextIsArbitrary() {
    qt().withExamples(500)
        .forAll(strings().allPossible().ofLengthBetween(0, 700))
        .checkAssert(
            s -> {
              String p = Preview.normalize(s);
              assertThat(p.codePointCount(0, p.length())).isLessThanOrEqualTo(Preview.MAX_CHARS);
              assertThat(p).doesNotContain("  ").doesNotStartWith(" ").doesNotEndWith(" ");
              assertThat(p.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).isTrue();
              // no lone surrogate: the cut never splits a code point
              assertThat(new String(p.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                  .isEqualTo(p);
            });
  }

  @Test
  void previewShouldCutAt256CodePointsWhenTextIsLong() {
    String emoji = "\uD83D\uDE00".repeat(300);
    String p = Preview.normalize(emoji);
    assertThat(p.codePointCount(0, p.length())).isEqualTo(256);
  }

  @Test
  void previewShouldPreferPlainTextWhenAlternativeHasHtml() {
    assertThat(
            preview(
                "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html\n\n"
                    + "<p>html</p>\n--b\nContent-Type: text/plain\n\nplain  text\n--b--\n"))
        .isEqualTo("plain text");
    assertThat(preview("Content-Type: text/html\n\n<p>a &lt; b</p><script>x</script>"))
        .isEqualTo("a < b");
    assertThat(
            preview(
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                    + "R3LDvMOfZSBhdXMgS8O2bG4=\n"))
        .isEqualTo("Grüße aus Köln");
    assertThat(preview("Content-Type: image/png\n\nxxxx")).isEmpty();
  }
}
