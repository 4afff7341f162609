package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import com.unboundid.ldap.sdk.Entry;
import java.time.Instant;
import java.util.Base64;
import org.carbonio.directory.internal.DkimKeys;
import org.carbonio.directory.internal.LdapLayout;
import org.junit.jupiter.api.Test;

class DkimKeyTest {

  /** An inactive key with made-up bytes. */
  static DkimKey key(String selector) {
    byte[] der = {0x30, (byte) 0x82, 0x01, 0x00, (byte) 0xFF, 0x00, 0x24};
    return new DkimKey(
        selector,
        DkimKey.Algorithm.RSA_SHA256,
        der,
        "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(der),
        Instant.parse("2026-11-29T03:00:00Z"),
        DkimKey.State.PUBLISHED_NEXT);
  }

  @Test
  void storedValueShouldParseBackToTheSameKeyForAnyContent() {
    qt().forAll(
            strings().basicLatinAlphabet().ofLengthBetween(1, 300),
            integers().between(1, 4096),
            longs().between(0, 253402300799L))
        .assuming((txt, n, t) -> txt.chars().allMatch(c -> c >= 0x20 && c < 0x7F))
        .checkAssert(
            (txt, n, seconds) -> {
              byte[] der = new byte[n];
              for (int i = 0; i < n; i++) {
                der[i] = (byte) (i * 131 + n);
              }
              DkimKey.State state = DkimKey.State.values()[n % 3];
              DkimKey.Algorithm alg = DkimKey.Algorithm.values()[n % 2];
              DkimKey k =
                  new DkimKey("Sel-1.x", alg, der, txt, Instant.ofEpochSecond(seconds), state);
              assertThat(DkimKeys.parse(DkimKeys.storedValue(k))).contains(k);
            });
  }

  @Test
  void constructorShouldRefuseBadSelectorsKeysAndTxt() {
    byte[] der = {1};
    Instant now = Instant.now();
    for (String bad : new String[] {"", "-a", "a-", "a..b", "a$b", "a b", "x".repeat(64), "é"}) {
      assertThatThrownBy(
              () ->
                  new DkimKey(
                      bad, DkimKey.Algorithm.RSA_SHA256, der, "v=DKIM1", now, DkimKey.State.ACTIVE))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(
            () ->
                new DkimKey(
                    "s", DkimKey.Algorithm.RSA_SHA256, new byte[0], "v", now, DkimKey.State.ACTIVE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new DkimKey(
                    "s", DkimKey.Algorithm.RSA_SHA256, der, "v=\n", now, DkimKey.State.ACTIVE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keyShouldNotShowOrShareItsPrivateBytes() {
    byte[] der = {42, 43, 44};
    DkimKey k =
        new DkimKey(
            "s",
            DkimKey.Algorithm.ED25519_SHA256,
            der,
            "v=DKIM1; k=ed25519; p=AAAA",
            Instant.parse("2026-01-01T00:00:00.123Z"),
            DkimKey.State.ACTIVE);
    der[0] = 0;
    assertThat(k.privateKeyPkcs8()).containsExactly(42, 43, 44);
    k.privateKeyPkcs8()[1] = 0;
    assertThat(k.privateKeyPkcs8()).containsExactly(42, 43, 44);
    assertThat(k.toString())
        .doesNotContain(Base64.getEncoder().encodeToString(new byte[] {42, 43, 44}));
    assertThat(k.created()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(k.dnsName("example.com")).isEqualTo("s._domainkey.example.com");
    assertThat(DkimKey.Algorithm.ofTag("RSA-SHA256")).isEqualTo(DkimKey.Algorithm.RSA_SHA256);
  }

  @Test
  void listShouldSkipMalformedValues() {
    Entry e = new Entry("ou=example.com,ou=domains,o=carbonio");
    e.addAttribute(
        LdapLayout.AT_DKIM_KEY,
        DkimKeys.storedValue(key("good")),
        "broken",
        "s$rsa-sha256$active$notanumber$AAAA$v=DKIM1",
        "s$md5$active$1$AAAA$v=DKIM1");
    assertThat(DkimKeys.list(e)).containsExactly(key("good"));
  }
}
