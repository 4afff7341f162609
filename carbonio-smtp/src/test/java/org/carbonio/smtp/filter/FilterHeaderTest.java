package org.carbonio.smtp.filter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.io.InputStream;
import java.util.List;
import org.carbonio.smtp.MessageContent;
import org.junit.jupiter.api.Test;

class FilterHeaderTest {

  @Test
  void encodeShouldFoldLongValuesWhenLineExceeds78() {
    String tests = "GTUBE,MISSING_DATE,MISSING_MID,NO_RECEIVED,NO_RELAYS,TVD_SPACE_RATIO";
    String encoded =
        new FilterHeader("X-Spam-Status", "Yes, score=1003.3 required=5.0 tests=" + tests).encode();
    assertThat(encoded)
        .isEqualTo("X-Spam-Status: Yes, score=1003.3 required=5.0\r\n\ttests=" + tests + "\r\n");
  }

  @Test
  void encodeShouldUnfoldToTheValueWhenAnyPrintableValue() {
    // RFC 5322 §2.2.3: unfolding removes each CRLF that precedes whitespace.
    qt().forAll(strings().ascii().ofLengthBetween(0, 300))
        .checkAssert(
            raw -> {
              String value = raw.replaceAll("[\\x00-\\x1f\\x7f]", " ");
              String encoded = new FilterHeader("X-Test", value).encode();
              assertThat(encoded).endsWith("\r\n");
              String unfolded = encoded.substring(0, encoded.length() - 2).replace("\r\n\t", " ");
              assertThat(unfolded).isEqualTo("X-Test: " + value);
              String[] lines = encoded.split("\r\n");
              for (int i = 0; i < lines.length; i++) {
                if (lines[i].stripTrailing().length() > 78) { // then it holds one word, unfoldable
                  String rest = i == 0 ? lines[i].substring("X-Test:".length()) : lines[i];
                  assertThat(rest.strip()).doesNotContain(" ");
                }
              }
            });
  }

  @Test
  void constructorShouldRefuseCrLfWhenValueWouldInjectAHeader() {
    assertThatThrownBy(() -> new FilterHeader("X-A", "ok\r\nBcc: x@y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\\x0d");
    assertThatThrownBy(() -> new FilterHeader("X A", "v"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prependShouldPutHeadersBeforeTheMessageWhenOpened() throws Exception {
    MessageContent m = Messages.of("Subject: hi\r\n\r\nbody\r\n");
    MessageContent p =
        FilterHeader.prepend(
            List.of(
                new FilterHeader("X-Spam-Flag", "YES"), new FilterHeader("X-Spam-Score", "9.0")),
            m);
    String expected = "X-Spam-Flag: YES\r\nX-Spam-Score: 9.0\r\nSubject: hi\r\n\r\nbody\r\n";
    for (int i = 0; i < 2; i++) {
      try (InputStream in = p.open()) {
        assertThat(new String(in.readAllBytes(), US_ASCII)).isEqualTo(expected);
      }
    }
    assertThat(p.size()).isEqualTo(expected.length());
    assertThat(FilterHeader.prepend(List.of(), m)).isSameAs(m);
  }

  @Test
  void filterReplyShouldRefuseMismatchedClassesWhenBuilt() {
    assertThatThrownBy(() -> new FilterReply(550, "4.7.1", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FilterReply(200, "2.0.0", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new FilterReply(451, "4.7.1", "later").toRejectException().code()).isEqualTo(451);
    assertThatThrownBy(FilterReply.OK::toRejectException).isInstanceOf(IllegalStateException.class);
  }
}
