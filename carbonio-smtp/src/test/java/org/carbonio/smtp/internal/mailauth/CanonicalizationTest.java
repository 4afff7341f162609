package org.carbonio.smtp.internal.mailauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

class CanonicalizationTest {
  static final String EXAMPLE = "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";

  static byte[] sha256(String s) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  static byte[] hash(boolean relaxed, String body, int chunk) {
    BodyHasher h = new BodyHasher(relaxed, "SHA-256", -1);
    byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < b.length; i += chunk) {
      h.update(b, i, Math.min(chunk, b.length - i));
    }
    return h.finish();
  }

  @Test
  void canonicalizeShouldMatchRfcExampleWhenRelaxedOrSimple() throws Exception {
    // RFC 6376 §3.4.6
    List<HeaderField> headers =
        MessageHeaders.read(
            new ByteArrayInputStream(EXAMPLE.getBytes(StandardCharsets.ISO_8859_1)), 1 << 16);
    assertThat(headers).hasSize(2);
    assertThat(Canonical.header(headers.get(0), true) + Canonical.header(headers.get(1), true))
        .isEqualTo("a:X\r\nb:Y Z\r\n");
    assertThat(Canonical.header(headers.get(1), false)).isEqualTo("B : Y\t\r\n\tZ  \r\n");
    String body = " C \r\nD \t E\r\n\r\n\r\n";
    assertThat(hash(true, body, 1000)).isEqualTo(sha256(" C\r\nD E\r\n"));
    assertThat(hash(false, body, 1000)).isEqualTo(sha256(" C \r\nD \t E\r\n"));
  }

  @Test
  void hashShouldTreatEmptyBodyPerRfcWhenSimpleOrRelaxed() throws Exception {
    assertThat(hash(false, "", 10)).isEqualTo(sha256("\r\n"));
    assertThat(hash(false, "\r\n\r\n", 10)).isEqualTo(sha256("\r\n"));
    assertThat(hash(true, "", 10)).isEqualTo(sha256(""));
    assertThat(hash(true, "x", 10)).isEqualTo(sha256("x\r\n"));
    assertThat(hash(true, "a\nb  \n", 10)).isEqualTo(sha256("a\r\nb\r\n"));
  }

  @Test
  void hashShouldHonorLengthLimitWhenLGiven() throws Exception {
    BodyHasher h = new BodyHasher(true, "SHA-256", 3);
    byte[] b = "abcdef\r\n".getBytes(StandardCharsets.US_ASCII);
    h.update(b, 0, b.length);
    assertThat(h.finish()).isEqualTo(sha256("abc"));
    assertThat(h.canonicalLength()).isEqualTo(8);
  }

  @Test
  void hashShouldNotDependOnChunkingWhenBodyIsArbitrary() {
    var pieces = Generate.pick(List.of("a", " ", "\t", "\r", "\n", "\r\n", "x y", "\r\n\r\n", "é"));
    qt().forAll(
            SourceDSL.lists().of(pieces).ofSizeBetween(0, 30),
            SourceDSL.integers().between(1, 7),
            SourceDSL.booleans().all())
        .checkAssert(
            (l, chunk, relaxed) -> {
              String body = String.join("", l);
              assertThat(hash(relaxed, body, chunk)).isEqualTo(hash(relaxed, body, 1 << 16));
            });
  }

  @Test
  void readHeadersShouldStopAtLimitWhenHeaderIsHuge() {
    byte[] big = ("X: " + "y".repeat(5000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> MessageHeaders.read(new ByteArrayInputStream(big), 1024))
        .isInstanceOf(HeaderLimitException.class);
  }

  @Test
  void withoutSignatureShouldEmptyOnlyB() throws IOException {
    String raw = "DKIM-Signature: v=1; bh=abc=; b=12\r\n\t34 ;d=x\r\n";
    assertThat(Canonical.withoutSignature(raw))
        .isEqualTo("DKIM-Signature: v=1; bh=abc=; b=;d=x\r\n");
    assertThat(Canonical.withoutSignature("DKIM-Signature: a=1; b=xyz\r\n"))
        .isEqualTo("DKIM-Signature: a=1; b=\r\n");
  }
}
