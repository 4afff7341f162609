package org.carbonio.directory.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class ScramCredentialsTest {

  @Test
  void encodeShouldRoundTripWhenParsed() {
    ScramCredentials c = ScramCredentialsTest.pencil();
    String text = c.encode();
    // Keys from RFC 7677 §3 (user "user", password "pencil"), as PostgreSQL writes them.
    assertThat(text)
        .startsWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$")
        .matches("SCRAM-SHA-256\\$4096:[^$]+\\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=");
    assertThat(ScramCredentials.parse(text)).isEqualTo(c);
    assertThat(c.toString()).doesNotContain(Base64.getEncoder().encodeToString(c.storedKey()));
    assertThat(c.matches("pencil")).isTrue();
    assertThat(c.matches("pencil ")).isFalse();
  }

  static ScramCredentials pencil() {
    return ScramCredentials.derive(
        "pencil", Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
  }

  @Test
  void deriveShouldUseFreshSaltAndDefaultIterationsWhenNotGiven() {
    ScramCredentials a = ScramCredentials.derive("pw");
    ScramCredentials b = ScramCredentials.derive("pw");
    assertThat(a.iterations()).isEqualTo(ScramCredentials.DEFAULT_ITERATIONS).isEqualTo(4096);
    assertThat(a.salt()).hasSize(16).isNotEqualTo(b.salt());
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void deriveShouldApplySaslPrepWhenPasswordHasMappedCharacters() {
    byte[] salt = new byte[16];
    // RFC 4013 §3: U+00AD maps to nothing; U+00A0 maps to a space; NFKC folds "Ⅸ" to "IX".
    assertThat(ScramCredentials.derive("I\u00ADX", salt, 4096))
        .isEqualTo(ScramCredentials.derive("IX", salt, 4096));
    assertThat(ScramCredentials.derive("a\u00A0b", salt, 4096))
        .isEqualTo(ScramCredentials.derive("a b", salt, 4096));
    assertThat(ScramCredentials.derive("\u2168", salt, 4096))
        .isEqualTo(ScramCredentials.derive("IX", salt, 4096));
  }

  @Test
  void parseShouldThrowWhenTextIsMalformed() {
    String good = pencil().encode();
    for (String bad :
        new String[] {
          "",
          "SCRAM-SHA-1$4096:AAAA$AAAA:AAAA",
          good.replace("4096", "4095"),
          good.replace("4096", "x"),
          good.replace("4096", "99999999999"),
          good.substring(0, good.length() - 4),
          good + "$x",
          good.replace(":", ";"),
        }) {
      assertThatThrownBy(() -> ScramCredentials.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void parseShouldNeverThrowOtherExceptionsWhenTextIsArbitrary() {
    qt().withExamples(300)
        .forAll(strings().allPossible().ofLengthBetween(0, 80))
        .checkAssert(
            s -> {
              try {
                ScramCredentials.parse("SCRAM-SHA-256$" + s);
              } catch (IllegalArgumentException expected) {
                // fine
              }
            });
  }
}
