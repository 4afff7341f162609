package org.carbonio.directory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import org.junit.jupiter.api.Test;

class NamesTest {

  @Test
  void addressShouldNormaliseWhenValidAndBeIdempotent() {
    Names.Address a = Names.address("John.Doe+Tag@Bücher.Example");
    assertThat(a.localPart()).isEqualTo("john.doe+tag");
    assertThat(a.domain()).isEqualTo("xn--bcher-kva.example");
    assertThat(Names.address(a.address())).isEqualTo(a);
  }

  @Test
  void addressShouldSplitAtLastAtSignWhenLocalPartHasNone() {
    assertThatThrownBy(() -> Names.address("a@b@example.com"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parseShouldOnlyThrowIllegalArgumentWhenInputIsArbitrary() {
    qt().withExamples(1_000)
        .forAll(strings().allPossible().ofLengthBetween(0, 80))
        .checkAssert(
            s -> {
              try {
                Names.Address a = Names.address(s);
                assertThat(Names.address(a.address())).isEqualTo(a);
                assertThat(a.localPart().length()).isBetween(1, Names.MAX_LOCAL_PART);
              } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).doesNotContain("\u0000");
              }
              try {
                String d = Names.domain(s);
                assertThat(Names.domain(d)).isEqualTo(d);
                assertThat(d).matches("[a-z0-9.-]{1,253}");
              } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).doesNotContain("\n");
              }
            });
  }

  @Test
  void printableShouldEscapeAndTruncateWhenInputIsHostile() {
    assertThat(Names.printable("a\u0000b\n\"")).isEqualTo("\"a\\u0000b\\u000a\\\"\"");
    assertThat(Names.printable("x".repeat(100))).hasSize(80 + 2 + 3);
  }
}
