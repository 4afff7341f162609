package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The i;unicode-casemap comparator (RFC 5051). */
class UnicodeCasemapTest {

  /** Latin, Greek, Cyrillic letters, precomposed and combining forms, titlecase digraphs. */
  static final String ALPHABET = "aAzZéÉèe\u0301E\u0301üÜu\u0308ßẞǆǅǄσςΣΩωжЖ ſsıIiİ0-@ﬁ𝐀";

  static Gen<String> texts() {
    List<Integer> cps = ALPHABET.codePoints().boxed().toList();
    return lists()
        .of(integers().between(0, cps.size() - 1))
        .ofSizeBetween(0, 8)
        .map(
            idx -> {
              StringBuilder sb = new StringBuilder();
              for (int i : idx) sb.appendCodePoint(cps.get(i));
              return sb.toString();
            });
  }

  @Test
  void equalShouldIgnoreCaseWhenAscii() {
    qt().forAll(strings().ascii().ofLengthBetween(0, 20))
        .checkAssert(
            s ->
                assertThat(
                        UnicodeCasemap.equal(
                            s.toLowerCase(Locale.ROOT), s.toUpperCase(Locale.ROOT)))
                    .isTrue());
  }

  @Test
  void equalShouldHoldWhenFormsDifferOnlyInCompositionOrCase() {
    assertThat(UnicodeCasemap.equal("café", "CAFE\u0301")).isTrue();
    assertThat(UnicodeCasemap.equal("Über", "u\u0308BER")).isTrue();
    assertThat(UnicodeCasemap.equal("ǆ", "Ǆ")).isTrue(); // titlecase ǅ for all three
    assertThat(UnicodeCasemap.equal("σ", "Σ")).isTrue();
    assertThat(UnicodeCasemap.equal("cafe", "café")).isFalse();
    assertThat(UnicodeCasemap.contains("Grüße aus Köln", "KO\u0308LN")).isTrue();
    assertThat(UnicodeCasemap.contains("anything", "")).isTrue();
  }

  @Test
  void compareShouldOrderByCodePointWhenOutsideBmp() {
    // UTF-8 octet order is code point order: U+1D400 sorts after U+FB01, unlike UTF-16 order
    assertThat(UnicodeCasemap.compare("𝐀", "ﬁ")).isPositive();
  }

  @Test
  void compareShouldBeAntisymmetricAndAgreeWithEqual() {
    qt().forAll(texts(), texts())
        .checkAssert(
            (a, b) -> {
              int ab = Integer.signum(UnicodeCasemap.compare(a, b));
              int ba = Integer.signum(UnicodeCasemap.compare(b, a));
              assertThat(ab).isEqualTo(-ba);
              assertThat(ab == 0).isEqualTo(UnicodeCasemap.equal(a, b));
            });
  }

  @Test
  void compareShouldBeTransitive() {
    qt().forAll(texts(), texts(), texts())
        .checkAssert(
            (a, b, c) -> {
              if (UnicodeCasemap.compare(a, b) <= 0 && UnicodeCasemap.compare(b, c) <= 0) {
                assertThat(UnicodeCasemap.compare(a, c)).isLessThanOrEqualTo(0);
              }
            });
  }

  @Test
  void containsShouldFindInfixWhenConcatenated() {
    qt().forAll(texts(), texts(), texts())
        .checkAssert((a, b, c) -> assertThat(UnicodeCasemap.contains(a + b + c, b)).isTrue());
  }

  @Test
  void keyShouldBeFixedPointWhenAppliedTwice() {
    qt().forAll(texts())
        .checkAssert(
            s ->
                assertThat(UnicodeCasemap.key(UnicodeCasemap.key(s)))
                    .isEqualTo(UnicodeCasemap.key(s)));
  }
}
