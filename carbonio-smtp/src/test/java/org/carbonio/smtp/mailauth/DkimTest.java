package org.carbonio.smtp.mailauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.carbonio.smtp.mailauth.DkimResult.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DkimTest {
  static final KeyPair RSA = DkimKeys.generateRsa();
  static final KeyPair ED = DkimKeys.generateEd25519();

  @TempDir Path dir;

  static final String MESSAGE =
      "From: Alice <alice@example.com>\r\n"
          + "To: bob@example.org\r\n"
          + "Subject:   Hello   there \r\n"
          + "Date: Sun, 29 Nov 2026 03:00:00 +0000\r\n"
          + "Message-ID: <1@example.com>\r\n"
          + "\r\n"
          + "Hi Bob,  \r\n"
          + "\r\n"
          + "this is\ta test.\r\n"
          + "\r\n"
          + "\r\n";

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static DkimSigner signer(KeyPair kp) {
    return DkimSigner.builder()
        .domain("example.com")
        .selector("sel")
        .privateKey(kp.getPrivate())
        .build();
  }

  static byte[] signed(DkimSigner s, byte[] msg) throws IOException {
    String field = s.sign(new ByteArrayInputStream(msg));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(bytes(field));
    out.writeBytes(msg);
    return out.toByteArray();
  }

  static MapDns dnsFor(KeyPair kp) {
    return new MapDns().txt("sel._domainkey.example.com", DkimKeys.txtRecord(kp.getPublic()));
  }

  static List<DkimResult> verify(MapDns dns, byte[] msg) throws IOException {
    return DkimVerifier.builder(dns).build().verify(new ByteArrayInputStream(msg));
  }

  @Test
  void verifyShouldPassWhenSignedByOurSignerWithRsa() throws IOException {
    byte[] msg = signed(signer(RSA), bytes(MESSAGE));
    List<DkimResult> r = verify(dnsFor(RSA), msg);
    assertThat(r)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.result()).as(x.reason()).isEqualTo(Result.PASS);
              assertThat(x.domain()).isEqualTo("example.com");
              assertThat(x.selector()).isEqualTo("sel");
              assertThat(x.headerB()).hasSize(8);
            });
  }

  @Test
  void verifyShouldPassWhenSignedByOurSignerWithEd25519() throws IOException {
    byte[] msg = signed(signer(ED), bytes(MESSAGE));
    assertThat(verify(dnsFor(ED), msg)).extracting(DkimResult::result).containsExactly(Result.PASS);
  }

  @Test
  void verifyShouldFailWhenBodyTampered() throws IOException {
    byte[] msg = signed(signer(RSA), bytes(MESSAGE));
    String s = new String(msg, StandardCharsets.ISO_8859_1).replace("a test", "a jest");
    List<DkimResult> r = verify(dnsFor(RSA), bytes(s));
    assertThat(r)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.result()).isEqualTo(Result.FAIL);
              assertThat(x.reason()).contains("body hash");
            });
  }

  @Test
  void verifyShouldFailWhenFromAddedAfterSigning() throws IOException {
    byte[] msg = signed(signer(ED), bytes(MESSAGE));
    String s = "From: mallory@evil.example\r\n" + new String(msg, StandardCharsets.ISO_8859_1);
    assertThat(verify(dnsFor(ED), bytes(s)))
        .extracting(DkimResult::result)
        .containsExactly(Result.FAIL);
  }

  @Test
  void verifyShouldPassWhenWhitespaceChangedUnderRelaxed() throws IOException {
    byte[] msg = signed(signer(RSA), bytes(MESSAGE));
    String s =
        new String(msg, StandardCharsets.ISO_8859_1)
            .replace("Subject:   Hello   there", "subject: Hello\r\n there")
            .replace("this is\ta test.", "this  is a   test.   ")
            .replace("\r\n\r\n\r\n", "\r\n");
    assertThat(verify(dnsFor(RSA), bytes(s)))
        .extracting(DkimResult::result)
        .containsExactly(Result.PASS);
  }

  @Test
  void verifyShouldGivePermerrorWhenKeyRevoked() throws IOException {
    byte[] msg = signed(signer(RSA), bytes(MESSAGE));
    MapDns dns = new MapDns().txt("sel._domainkey.example.com", "v=DKIM1; k=rsa; p=");
    assertThat(verify(dns, msg))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.result()).isEqualTo(Result.PERMERROR);
              assertThat(x.reason()).isEqualTo("key revoked");
            });
  }

  @Test
  void verifyShouldGiveTemperrorWhenKeyLookupFails() throws IOException {
    byte[] msg = signed(signer(RSA), bytes(MESSAGE));
    MapDns dns = new MapDns().fail("sel._domainkey.example.com");
    assertThat(verify(dns, msg)).extracting(DkimResult::result).containsExactly(Result.TEMPERROR);
  }

  @Test
  void verifyShouldGivePermerrorWhenNoKey() throws IOException {
    byte[] msg = signed(signer(RSA), bytes(MESSAGE));
    assertThat(verify(new MapDns(), msg))
        .extracting(DkimResult::result)
        .containsExactly(Result.PERMERROR);
  }

  @Test
  void verifyShouldGiveNeutralWhenTestingKeyFails() throws IOException {
    byte[] msg = signed(signer(RSA), bytes(MESSAGE));
    String s = new String(msg, StandardCharsets.ISO_8859_1).replace("a test", "a jest");
    MapDns dns =
        new MapDns()
            .txt("sel._domainkey.example.com", DkimKeys.txtRecord(RSA.getPublic()) + "; t=y");
    assertThat(verify(dns, bytes(s)))
        .extracting(DkimResult::result)
        .containsExactly(Result.NEUTRAL);
  }

  @Test
  void verifyShouldGivePermerrorWhenRsaKeyTooShort() throws IOException {
    KeyPair small = DkimKeys.generateRsa(1024);
    byte[] msg = signed(signer(small), bytes(MESSAGE));
    assertThat(verify(dnsFor(small), msg))
        .extracting(DkimResult::result)
        .containsExactly(Result.PASS);
    List<DkimResult> r =
        DkimVerifier.builder(dnsFor(small))
            .limits(MailAuthLimits.DEFAULTS.withMinRsaBits(2048))
            .build()
            .verify(new ByteArrayInputStream(msg));
    assertThat(r).singleElement().extracting(DkimResult::reason).isEqualTo("key too short");
  }

  @Test
  void verifyShouldGivePermerrorWhenSignatureExpired() throws IOException {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    DkimSigner s =
        DkimSigner.builder()
            .domain("example.com")
            .selector("sel")
            .privateKey(RSA.getPrivate())
            .clock(Clock.fixed(t0, ZoneOffset.UTC))
            .expiry(Duration.ofDays(7))
            .build();
    byte[] msg = signed(s, bytes(MESSAGE));
    DkimVerifier early =
        DkimVerifier.builder(dnsFor(RSA))
            .clock(Clock.fixed(t0.plus(Duration.ofDays(1)), ZoneOffset.UTC))
            .build();
    DkimVerifier late =
        DkimVerifier.builder(dnsFor(RSA))
            .clock(Clock.fixed(t0.plus(Duration.ofDays(8)), ZoneOffset.UTC))
            .build();
    assertThat(early.verify(new ByteArrayInputStream(msg)))
        .extracting(DkimResult::result)
        .containsExactly(Result.PASS);
    assertThat(late.verify(new ByteArrayInputStream(msg)))
        .extracting(DkimResult::reason)
        .containsExactly("signature expired");
  }

  @Test
  void verifyShouldGivePermerrorWhenSignatureMalformed() throws IOException {
    String msg = "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; b=zzz\r\n" + MESSAGE;
    assertThat(verify(dnsFor(RSA), bytes(msg)))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.result()).isEqualTo(Result.PERMERROR);
              assertThat(x.domain()).isEqualTo("example.com");
            });
  }

  @Test
  void verifyShouldReturnNothingWhenUnsigned() throws IOException {
    assertThat(verify(dnsFor(RSA), bytes(MESSAGE))).isEmpty();
  }

  @Test
  void signShouldOversignFromAndUseRelaxed() throws IOException {
    String field = signer(RSA).sign(new ByteArrayInputStream(bytes(MESSAGE)));
    String unfolded = field.replaceAll("\r\n[ \t]+", " ");
    assertThat(unfolded)
        .startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
        .contains("h=from:from:subject:date:to:message-id;")
        .doesNotContain("l=");
  }

  @Test
  void signShouldRefuseWhenNoFrom() {
    assertThatThrownBy(
            () -> signer(RSA).sign(new ByteArrayInputStream(bytes("To: x@y\r\n\r\nhi\r\n"))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void signShouldStreamWhenBodyIsLarge() throws IOException {
    // 50 MB generated on the fly: the signer must not hold it
    long size = 50L << 20;
    InputStream big =
        new InputStream() {
          final byte[] head = bytes("From: a@example.com\r\nSubject: big\r\n\r\n");
          long pos;

          @Override
          public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (pos >= size) {
              return -1;
            }
            int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++, pos++) {
              b[off + i] =
                  pos < head.length ? head[(int) pos] : (byte) ((pos % 78 == 77) ? '\n' : 'x');
            }
            return n;
          }
        };
    long before = usedMemory();
    String field = signer(ED).sign(big);
    assertThat(field).contains("bh=");
    assertThat(usedMemory() - before).isLessThan(40L << 20);
  }

  private static long usedMemory() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  @Test
  void dkimpyShouldVerifyWhenSignedByUsWithRsaAndFailWhenTampered() throws IOException {
    byte[] msg = signed(signer(RSA), bytes(MESSAGE));
    String txt = DkimKeys.txtRecord(RSA.getPublic());
    assertThat(PyDkim.verify(dir, msg, txt)).isTrue();
    byte[] tampered = bytes(new String(msg, StandardCharsets.ISO_8859_1).replace("Bob", "Rob"));
    assertThat(PyDkim.verify(dir, tampered, txt)).isFalse();
  }

  @Test
  void dkimpyShouldVerifyWhenSignedByUsWithEd25519AndFailWhenTampered() throws IOException {
    byte[] msg = signed(signer(ED), bytes(MESSAGE));
    String txt = DkimKeys.txtRecord(ED.getPublic());
    assertThat(PyDkim.verify(dir, msg, txt)).isTrue();
    byte[] tampered = bytes(new String(msg, StandardCharsets.ISO_8859_1).replace("Hello", "Hallo"));
    assertThat(PyDkim.verify(dir, tampered, txt)).isFalse();
  }

  @Test
  void verifyShouldPassWhenSignedByDkimpyWithRsa() throws IOException {
    byte[] msg =
        PyDkim.sign(
            dir, bytes(MESSAGE), DkimKeys.toPem(RSA.getPrivate()), "rsa-sha256", "example.com");
    assertThat(verify(dnsFor(RSA), msg))
        .extracting(DkimResult::result)
        .containsExactly(Result.PASS);
    byte[] tampered = bytes(new String(msg, StandardCharsets.ISO_8859_1).replace("Bob", "Rob"));
    assertThat(verify(dnsFor(RSA), tampered))
        .extracting(DkimResult::result)
        .containsExactly(Result.FAIL);
  }

  @Test
  void verifyShouldGivePermerrorWhenDkimpySignedWithRsaSha1() throws IOException {
    // RFC 8301 §3.1: a valid rsa-sha1 signature must not count as a pass.
    byte[] msg =
        PyDkim.sign(
            dir, bytes(MESSAGE), DkimKeys.toPem(RSA.getPrivate()), "rsa-sha1", "example.com");
    assertThat(new String(msg, StandardCharsets.ISO_8859_1)).contains("a=rsa-sha1");
    assertThat(verify(dnsFor(RSA), msg))
        .extracting(DkimResult::result)
        .containsExactly(Result.PERMERROR);
  }

  @Test
  void verifyShouldPassWhenSignedByDkimpyWithEd25519() throws IOException {
    byte[] enc = ED.getPrivate().getEncoded();
    String seed =
        Base64.getEncoder().encodeToString(Arrays.copyOfRange(enc, enc.length - 32, enc.length));
    byte[] msg = PyDkim.sign(dir, bytes(MESSAGE), seed, "ed25519-sha256", "example.com");
    assertThat(verify(dnsFor(ED), msg)).extracting(DkimResult::result).containsExactly(Result.PASS);
  }

  @Test
  void keysShouldRoundTripThroughPem() {
    assertThat(DkimKeys.fromPem(DkimKeys.toPem(RSA.getPrivate()))).isEqualTo(RSA.getPrivate());
    assertThat(DkimKeys.fromPem(DkimKeys.toPem(ED.getPrivate())).getEncoded())
        .isEqualTo(ED.getPrivate().getEncoded());
    assertThat(DkimKeys.publicKey(ED.getPrivate())).isEqualTo(ED.getPublic());
    assertThat(DkimKeys.publicKey(RSA.getPrivate())).isEqualTo(RSA.getPublic());
    assertThat(DkimKeys.txtRecord(ED.getPublic())).startsWith("v=DKIM1; k=ed25519; p=").hasSize(66);
    assertThat(DkimKeys.recordName("s1", "example.com")).isEqualTo("s1._domainkey.example.com");
  }

  @Test
  void verifyShouldHonorLengthWhenSignedWithL() throws IOException {
    byte[] msg =
        PyDkim.sign(
            dir,
            bytes(MESSAGE),
            DkimKeys.toPem(RSA.getPrivate()),
            "rsa-sha256",
            "example.com",
            true);
    assertThat(new String(msg, StandardCharsets.ISO_8859_1)).contains("l=");
    byte[] appended =
        bytes(new String(msg, StandardCharsets.ISO_8859_1) + "-- \r\nappended footer\r\n");
    assertThat(verify(dnsFor(RSA), appended))
        .extracting(DkimResult::result)
        .containsExactly(Result.PASS);
  }

  @Test
  void verifyShouldStopAtLimitWhenManySignatures() throws IOException {
    DkimSigner s = signer(ED);
    byte[] msg = bytes(MESSAGE);
    StringBuilder fields = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      fields.append(s.sign(new ByteArrayInputStream(msg)));
    }
    List<DkimResult> r = verify(dnsFor(ED), bytes(fields + MESSAGE));
    assertThat(r).hasSize(12);
    assertThat(r.subList(0, 10)).extracting(DkimResult::result).containsOnly(Result.PASS);
    assertThat(r.subList(10, 12))
        .extracting(DkimResult::reason)
        .containsOnly("too many signatures");
  }

  @Test
  void verifyShouldPassWhenAnyBodySignedAndWhitespaceReflowedUnderRelaxed() {
    MapDns dns = dnsFor(ED);
    DkimSigner s = signer(ED);
    var pieces =
        org.quicktheories.generators.Generate.pick(
            List.of("a", "b c", " ", "\t", "\r\n", "\n", "\r\n\r\n", ".", "\u00e9", "=", "--"));
    org.quicktheories.QuickTheory.qt()
        .withExamples(200)
        .forAll(org.quicktheories.generators.SourceDSL.lists().of(pieces).ofSizeBetween(0, 20))
        .checkAssert(
            l -> {
              String body = String.join("", l);
              byte[] msg = bytes("From: a@example.com\r\nSubject: s\r\n\r\n" + body);
              try {
                byte[] signedMsg = signed(s, msg);
                assertThat(verify(dns, signedMsg))
                    .extracting(DkimResult::result)
                    .containsExactly(Result.PASS);
                // relaxed body: runs of WSP and trailing WSP and trailing empty lines do not count
                String reflowed =
                    new String(signedMsg, StandardCharsets.ISO_8859_1)
                            .replace("\t", " ")
                            .replace("b c", "b  c")
                        + "\r\n\r\n";
                assertThat(verify(dns, bytes(reflowed)))
                    .extracting(DkimResult::result)
                    .containsExactly(Result.PASS);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
  }
}
