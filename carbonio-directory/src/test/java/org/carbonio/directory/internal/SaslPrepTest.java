package org.carbonio.directory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import org.junit.jupiter.api.Test;

class SaslPrepTest {

  @Test
  void prepareShouldMatchRfc4013ExamplesWhenBidiIsNotInvolved() {
    // RFC 4013 §3
    assertThat(SaslPrep.prepare("I\u00ADX")).isEqualTo("IX");
    assertThat(SaslPrep.prepare("user")).isEqualTo("user");
    assertThat(SaslPrep.prepare("USER")).isEqualTo("USER");
    assertThat(SaslPrep.prepare("\u00AA")).isEqualTo("a");
    assertThat(SaslPrep.prepare("\u2168")).isEqualTo("IX");
    assertThat(SaslPrep.prepare("\u0007")).isNull();
    // Not checked here: example 7, "\u0627\u0031" (bidi rule, RFC 3454 §6), is let through.
  }

  @Test
  void prepareShouldMapSpacesAndDropInvisiblesWhenPresent() {
    assertThat(SaslPrep.prepare("a\u00A0b\u3000c")).isEqualTo("a b c");
    assertThat(SaslPrep.prepare("p\u200Dw\uFEFF")).isEqualTo("pw");
    assertThat(SaslPrep.prepare("caf\u0065\u0301")).isEqualTo("caf\u00e9"); // NFKC
    assertThat(SaslPrep.prepare("x\uE000")).isNull(); // private use, C.3
    assertThat(SaslPrepTest.raw("x\uE000")).isEqualTo("x\uE000");
  }

  private static String raw(String s) {
    return SaslPrep.prepareOrRaw(s);
  }

  @Test
  void prepareShouldBeIdempotentWhenItSucceeds() {
    qt().forAll(strings().betweenCodePoints(1, 0xD7FF).ofLengthBetween(0, 20))
        .checkAssert(
            s -> {
              String p = SaslPrep.prepare(s);
              if (p != null) {
                assertThat(SaslPrep.prepare(p)).isEqualTo(p);
              }
            });
  }
}
