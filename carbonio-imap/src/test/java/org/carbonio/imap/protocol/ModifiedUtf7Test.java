package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import org.junit.jupiter.api.Test;

class ModifiedUtf7Test {
  @Test
  void encodeShouldMatchRfc3501ExampleWhenNonAscii() {
    // RFC 3501 §5.1.3 example
    assertThat(ModifiedUtf7.encode("~peter/mail/台北/日本語"))
        .isEqualTo("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    assertThat(ModifiedUtf7.decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"))
        .isEqualTo("~peter/mail/台北/日本語");
  }

  @Test
  void encodeShouldEscapeAmpersandWhenPresent() {
    assertThat(ModifiedUtf7.encode("A&B")).isEqualTo("A&-B");
    assertThat(ModifiedUtf7.decode("A&-B")).isEqualTo("A&B");
  }

  @Test
  void decodeShouldKeepTextWhenMalformed() {
    assertThat(ModifiedUtf7.decode("a&!!-b")).isEqualTo("a&!!-b");
    assertThat(ModifiedUtf7.decode("a&b")).isEqualTo("a&b");
  }

  @Test
  void decodeShouldInvertEncodeWhenAnyString() {
    qt().forAll(strings().allPossible().ofLengthBetween(0, 30))
        .assuming(s -> s.codePoints().allMatch(Character::isDefined) && !hasLoneSurrogate(s))
        .checkAssert(s -> assertThat(ModifiedUtf7.decode(ModifiedUtf7.encode(s))).isEqualTo(s));
  }

  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return true;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
