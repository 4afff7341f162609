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
          "{SHA}5en6G6MezRroT3XKqkdPOmY/",
          "{SHA}" + Base64.getEncoder().encodeToString(new byte[21]),
          "{CRYPT}",
          "{CRYPT}$6$saltsalt$",
          "{CRYPT}$6$rounds=1000001$saltsalt$rVIyJtXnL0mXUCLepstXWqeOv9JVyd7nOH8wn0BvOU5lCiAv",
          "{CRYPT}$7$abc",
          "{CRYPT}$1$saltsalt$QgbQ7EUpcKNQTLgSVL4qr",
          "{CRYPT}$2b$16$abcdefghijklmnopqrstuum174eFeoTj0DHmtuueFaS3Wde4P7wHG",
          "{CRYPT}$2x$04$abcdefghijklmnopqrstuum174eFeoTj0DHmtuueFaS3Wde4P7wHG",
          "{CRYPT}abNANd1rDfiN",
          "{CRYPT}ab!ANd1rDfiNc",
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

  // Vectors from libxcrypt through Perl's crypt(), password "pässword" as UTF-8.
  static final String[] CRYPT_PASSWORD = {
    "$6$saltsalt$rVIyJtXnL0mXUCLepstXWqeOv9JVyd7nOH8wn0BvOU5lCiAviUJLxXZ5CkPgq6XNTHV22yG4mV0IO9gqPL5WQ.",
    "$6$rounds=5000$saltsalt$rVIyJtXnL0mXUCLepstXWqeOv9JVyd7nOH8wn0BvOU5lCiAviUJLxXZ5CkPgq6XNTHV22yG4mV0IO9gqPL5WQ.",
    "$5$saltsalt$rQBvFGQx3u6doxkk7cvWbhhnhS2qa1.FI.tt6NGFH66",
    "$5$rounds=10000$saltsalt$qppDy4.jlRi1DvuyPfg1sVqd0Mt.7FXax9xIJdyRYkC",
    "$1$saltsalt$QgbQ7EUpcKNQTLgSVL4qr/",
    "abRy4/6THFs9U",
    "$2b$04$abcdefghijklmnopqrstuum174eFeoTj0DHmtuueFaS3Wde4P7wHG",
    "$2y$04$abcdefghijklmnopqrstuum174eFeoTj0DHmtuueFaS3Wde4P7wHG",
    "$2a$04$abcdefghijklmnopqrstuum174eFeoTj0DHmtuueFaS3Wde4P7wHG",
  };

  @Test
  void verifyShouldMatchCryptVectorsWhenPasswordIsRight() {
    for (String c : CRYPT_PASSWORD) {
      assertThat(hasher.verify("{CRYPT}" + c, "pässword")).as(c).isTrue();
      assertThat(hasher.verify("{crypt}" + c, "pässword")).as(c).isTrue();
      assertThat(hasher.verify("{CRYPT}" + c, "passwörd")).as(c).isFalse();
      assertThat(hasher.isWellFormed("{CRYPT}" + c)).as(c).isTrue();
      assertThat(hasher.needsRehash("{CRYPT}" + c)).as(c).isTrue();
    }
    assertThat(hasher.verify("{CRYPT}abNANd1rDfiNc", "secret")).isTrue();
    assertThat(hasher.verify("{CRYPT}abNANd1rDfiNc", "secreT")).isFalse();
    // DES crypt uses the first 8 characters only (crypt(3)).
    assertThat(hasher.verify("{CRYPT}abNANd1rDfiNc", "secret")).isTrue();
    assertThat(
            hasher.verify(
                "{CRYPT}$2a$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secret"))
        .isTrue();
  }

  @Test
  void verifyShouldTruncateBcryptPasswordsWhenLongerThan72Bytes() {
    String x80 = "x".repeat(80);
    for (String v : new String[] {"2a", "2b", "2y"}) {
      String stored = "{CRYPT}$" + v + "$04$abcdefghijklmnopqrstuubzadhGtS2zEF.gu0yd0opP6cVzb.e0i";
      assertThat(hasher.verify(stored, x80)).as(v).isTrue();
      assertThat(hasher.verify(stored, "x".repeat(72) + "y")).as(v).isTrue(); // as libxcrypt
      assertThat(hasher.verify(stored, "x".repeat(71))).as(v).isFalse();
    }
  }

  @Test
  void verifyShouldMatchUnsaltedDigestsWhenPasswordIsRight() {
    // echo -n secret | openssl dgst -sha1 -binary | base64 (RFC 2307 {SHA})
    assertThat(hasher.verify("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", "secret")).isTrue();
    assertThat(hasher.verify("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", "Secret")).isFalse();
    String sha512 =
        Base64.getEncoder()
            .encodeToString(sha("SHA-512", "secret".getBytes(StandardCharsets.UTF_8)));
    assertThat(hasher.verify("{SHA512}" + sha512, "secret")).isTrue();
    assertThat(hasher.verify("{SSHA512}" + sha512, "secret")).isFalse(); // salted needs a salt
    byte[] salt = {9, 8, 7, 6};
    assertThat(hasher.verify(PasswordHasher.salted("SSHA256", "ü", salt), "ü")).isTrue();
  }

  @Test
  void needsRehashShouldBeFalseOnlyWhenHashIsCurrentPbkdf2() {
    assertThat(hasher.needsRehash(hasher.hash("pw"))).isFalse();
    assertThat(hasher.needsRehash(PBKDF2)).isFalse(); // 1000 iterations, like hasher
    assertThat(new PasswordHasher(2_000, 10_000_000).needsRehash(PBKDF2)).isTrue();
    assertThat(hasher.needsRehash(SSHA)).isTrue();
    assertThat(hasher.needsRehash(SSHA512)).isTrue();
    assertThat(hasher.needsRehash("{PBKDF2-SHA512}1000$AAAA$AAAA")).isTrue(); // short salt/key
    assertThat(hasher.needsRehash("{PBKDF2-SHA512}x")).isTrue();
    assertThat(hasher.needsRehash("")).isTrue();
  }

  @Test
  void isWellFormedShouldTellKnownShapesFromOthers() {
    assertThat(hasher.isWellFormed(hasher.hash("pw"))).isTrue();
    assertThat(hasher.isWellFormed(SSHA)).isTrue();
    assertThat(hasher.isWellFormed("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=")).isTrue();
    assertThat(hasher.isWellFormed("{SHA}5en6G6MezRroT3XKqkdPOmY/")).isFalse();
    assertThat(
            hasher.isWellFormed(
                "{CRYPT}$2b$16$abcdefghijklmnopqrstuum174eFeoTj0DHmtuueFaS3Wde4P7wHG"))
        .isFalse();
    assertThat(hasher.isWellFormed("{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==")).isFalse();
    assertThat(hasher.isWellFormed("secret")).isFalse();
  }

  @Test
  void verifyShouldAcceptEveryPasswordWhenItMatchesItsCryptHash() {
    qt().withExamples(40)
        .forAll(strings().allPossible().ofLengthBetween(1, 30))
        .checkAssert(
            pw -> {
              String stored =
                  "{CRYPT}" + org.apache.commons.codec.digest.Sha2Crypt.sha512Crypt(utf8(pw));
              assertThat(hasher.verify(stored, pw)).isTrue();
              assertThat(hasher.verify(stored, pw + "x")).isFalse();
            });
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] sha(String algorithm, byte[] data) {
    try {
      return java.security.MessageDigest.getInstance(algorithm).digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void verifyDummyShouldNotThrowWhenPasswordIsEmpty() {
    hasher.verifyDummy("anything");
    hasher.verifyDummy("");
  }
}
