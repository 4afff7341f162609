package org.carbonio.smtp.mailauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.SourceDSL;

class AuthenticationResultsTest {

  @Test
  void formatShouldWriteEveryMethodWhenAllResultsGiven() {
    String f =
        AuthenticationResults.format(
            "mx.example.org",
            new SpfResult(SpfResult.Result.PASS, "example.com", null, SpfResult.Identity.MAILFROM),
            "alice@example.com",
            List.of(
                new DkimResult(DkimResult.Result.PASS, "example.com", "s1", "ab/+cdEFghIJ", null),
                new DkimResult(
                    DkimResult.Result.FAIL,
                    "other.example",
                    "s2",
                    "zzzzzzzzzz",
                    "body hash did not verify")),
            new ArcResult(ArcResult.Result.PASS, 2, "lists.example.org", null),
            new DmarcResult(
                DmarcResult.Result.FAIL,
                "example.com",
                Disposition.REJECT,
                Disposition.QUARANTINE,
                false,
                false,
                null));
    assertThat(f)
        .isEqualTo(
            "Authentication-Results: mx.example.org;\r\n"
                + "\tspf=pass smtp.mailfrom=alice@example.com;\r\n"
                + "\tdkim=pass header.d=example.com header.s=s1 header.b=\"ab/+cdEF\";\r\n"
                + "\tdkim=fail reason=\"body hash did not verify\" header.d=other.example header.s=s2 header.b=zzzzzzzz;\r\n"
                + "\tarc=pass (i=2 d=lists.example.org);\r\n"
                + "\tdmarc=fail (p=reject dis=quarantine) header.from=example.com\r\n");
  }

  @Test
  void formatShouldQuoteWhenValuesAreNotTokens() {
    String f =
        AuthenticationResults.format(
            "mx.example.org",
            new SpfResult(
                SpfResult.Result.FAIL,
                "example.com",
                "say \"no\"\r\nnow",
                SpfResult.Identity.MAILFROM),
            "\"a b\"@example.com",
            List.of(),
            null,
            null);
    assertThat(f)
        .contains(
            "spf=fail reason=\"say \\\"no\\\"??now\" smtp.mailfrom=\"\\\"a b\\\"@example.com\";")
        .contains("dkim=none");
    String helo =
        AuthenticationResults.format(
            "mx.example.org",
            new SpfResult(SpfResult.Result.NONE, "h.example.com", null, SpfResult.Identity.HELO),
            "h.example.com",
            List.of(),
            null,
            null);
    assertThat(helo).contains("spf=none smtp.helo=h.example.com");
  }

  @Test
  void claimsShouldMatchOurIdWhenCommentsAndCaseDiffer() {
    assertThat(AuthenticationResults.claims(" (forged) MX.Example.ORG; spf=pass", "mx.example.org"))
        .isTrue();
    assertThat(AuthenticationResults.claims("\"mx.example.org\" 1; none", "mx.example.org"))
        .isTrue();
    assertThat(AuthenticationResults.claims("mx.example.org.evil; none", "mx.example.org"))
        .isFalse();
    assertThat(AuthenticationResults.claims("other.example; dkim=pass", "mx.example.org"))
        .isFalse();
    assertThat(AuthenticationResults.claims("", "mx.example.org")).isFalse();
  }

  @Test
  void claimsShouldNeverThrowWhenInputIsArbitrary() {
    qt().forAll(SourceDSL.strings().allPossible().ofLengthBetween(0, 40))
        .checkAssert(
            s -> assertThat(AuthenticationResults.claims(s, "mx.example.org") || true).isTrue());
  }

  @Test
  void removeClaimingShouldDropOnlyOurFieldsWhenCopying() throws IOException {
    String msg =
        "Authentication-Results: mx.example.org;\r\n\tspf=pass\r\n"
            + "Authentication-Results: other.example; dkim=pass\r\n"
            + "From: a@example.com\r\n\r\nbody\r\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int n =
        AuthenticationResults.removeClaiming(
            new ByteArrayInputStream(msg.getBytes(StandardCharsets.US_ASCII)),
            out,
            "mx.example.org",
            1 << 20);
    assertThat(n).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.US_ASCII))
        .isEqualTo(
            "Authentication-Results: other.example; dkim=pass\r\nFrom: a@example.com\r\n\r\nbody\r\n");
  }
}
