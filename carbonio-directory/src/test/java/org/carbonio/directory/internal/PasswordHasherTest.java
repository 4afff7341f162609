package org.carbonio.directory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private final PasswordHasher hasher = new PasswordHasher(1_000, 10_000_000);

  // Vectors computed independently with Python's hashlib (password "secret", salt 0x0102..08).
  static final String SSHA = "{SSHA}lHFzXul4wnzRItssVcTnvXWRjNgBAgMEBQYHCA==";
  static final String SSHA512 =
      "{SSHA512}KO8EsMPQTwZrxxbOkDAOOXEeVCc2grMQg1pnZwZhC1bBQLby8zCmFn7qTZRvoTd+yQdROQQNYHWp"
          + "TUST4zjTdQECAwQFBgcI";
  // hashlib.pbkdf2_hmac('sha512', "pässword".encode(), bytes(range(16)), 1000, 64)
  static final String PBKDF2 =
      "{PBKDF2-SHA512}1000$AAECAwQFBgcICQoLDA0ODw==$y/eRj2FwHgs6A0d8wKheOWOR5PjlKZUVEID5K8lrpY3fVC"
          + "UnILd/a7SvXHROar5bA9d3J9zVifnM9vYjy0q8ZQ==";

  @Test
  void hashShouldVerifyWhenPasswordIsTheSame() {
    String h = hasher.hash("correct horse");
    assertThat(h).matches("\\{PBKDF2-SHA512}1000\\$[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{88}");
    assertThat(hasher.verify(h, "correct horse")).isTrue();
    assertThat(hasher.verify(h, "correct horsE")).isFalse();
    assertThat(hasher.verify(h, "")).isFalse();
    assertThat(h).doesNotContain("correct");
  }

  @Test
  void hashShouldUseFreshSaltWhenCalledTwice() {
    assertThat(hasher.hash("pw")).isNotEqualTo(hasher.hash("pw"));
  }

  @Test
  void verifyShouldMatchPbkdf2VectorWhenComputedElsewhere() {
    assertThat(hasher.verify(PBKDF2, "pässword")).isTrue();
    assertThat(hasher.verify(PBKDF2, "password")).isFalse();
  }

  @Test
  void verifyShouldUseStoredIterationsWhenTheyDifferFromTheDefault() {
    PasswordHasher stronger = new PasswordHasher(2_000, 10_000_000);
    assertThat(stronger.verify(PBKDF2, "pässword")).isTrue();
    assertThat(hasher.verify(stronger.hash("x"), "x")).isTrue();
  }

  @Test
  void verifyShouldMatchSshaVectorsWhenPasswordIsRight() {
    assertThat(hasher.verify(SSHA, "secret")).isTrue();
    assertThat(hasher.verify(SSHA, "Secret")).isFalse();
    assertThat(hasher.verify(SSHA512, "secret")).isTrue();
    assertThat(hasher.verify(SSHA512, "secret ")).isFalse();
    assertThat(hasher.verify("{ssha}" + SSHA.substring(6), "secret")).isTrue();
    byte[] salt = "0102".getBytes(StandardCharsets.US_ASCII);
    assertThat(hasher.verify(PasswordHasher.salted("SSHA512", "ü", salt), "ü")).isTrue();
  }

  @Test
  void verifyShouldReturnFalseWhenStoredValueIsMalformed() {
    for (String bad :
        new String[] {
          "",
          "secret",
          "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
          "{CLEARTEXT}secret",
          "{SSHA}not base64!",
          "{SSHA}" + Base64.getEncoder().encodeToString(new byte[20]),
          "{PBKDF2-SHA512}",
          "{PBKDF2-SHA512}x$AA==$AA==",
          "{PBKDF2-SHA512}0$AAAA$AAAA",
          "{PBKDF2-SHA512}99999999$AAAA$AAAA",
          "{PBKDF2-SHA512}1000$$AAAA",
          "{PBKDF2-SHA512}1000$AAAA$AAAA$AAAA",
          "{PBKDF2-SHA512",
        }) {
      assertThat(hasher.verify(bad, "secret")).as(bad).isFalse();
    }
  }

  @Test
  void verifyShouldNeverThrowWhenStoredValueIsArbitrary() {
    qt().withExamples(300)
        .forAll(strings().allPossible().ofLengthBetween(0, 60))
        .checkAssert(s -> assertThat(hasher.verify("{PBKDF2-SHA512}" + s, "pw")).isFalse());
    qt().withExamples(300)
        .forAll(strings().allPossible().ofLengthBetween(0, 60))
        .checkAssert(s -> hasher.verify(s, "pw"));
  }

  @Test
  void verifyDummyShouldNotThrowWhenPasswordIsEmpty() {
    hasher.verifyDummy("anything");
    hasher.verifyDummy("");
  }
}
