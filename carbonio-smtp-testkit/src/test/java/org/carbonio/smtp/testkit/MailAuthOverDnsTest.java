package org.carbonio.smtp.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.dns.DnsResolver;
import org.carbonio.smtp.dns.DnsjavaResolver;
import org.carbonio.smtp.mailauth.ArcResult;
import org.carbonio.smtp.mailauth.Disposition;
import org.carbonio.smtp.mailauth.DkimKeys;
import org.carbonio.smtp.mailauth.DkimResult;
import org.carbonio.smtp.mailauth.DkimSigner;
import org.carbonio.smtp.mailauth.DmarcResult;
import org.carbonio.smtp.mailauth.MailAuthVerdict;
import org.carbonio.smtp.mailauth.MailAuthenticator;
import org.carbonio.smtp.mailauth.SpfResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SPF, DKIM and DMARC end to end over real DNS: dnsjava against the test DNS server. */
class MailAuthOverDnsTest {
  static final KeyPair RSA = DkimKeys.generateRsa();
  static final KeyPair ED = DkimKeys.generateEd25519();
  static final String MESSAGE =
      "From: Alice <alice@example.test>\r\nTo: bob@example.org\r\nSubject: hi\r\n"
          + "Date: Sun, 29 Nov 2026 03:00:00 +0000\r\n\r\nHello Bob.\r\n";

  DnsServer dns;
  DnsResolver resolver;
  MailAuthenticator auth;

  @BeforeEach
  void start() throws IOException {
    dns = DnsServer.start();
    dns.txt("example.test", "v=spf1 include:_spf.example.test -all")
        .txt("_spf.example.test", "v=spf1 ip4:127.0.0.0/8 -all")
        .txt("rsa._domainkey.example.test", DkimKeys.txtRecord(RSA.getPublic()))
        .txt("ed._domainkey.example.test", DkimKeys.txtRecord(ED.getPublic()))
        .txt("_dmarc.example.test", "v=DMARC1; p=reject; adkim=s");
    resolver = DnsjavaResolver.of(List.of(dns.address()), Duration.ofSeconds(2));
    auth = MailAuthenticator.builder(resolver).hostname("mx.carbonio.test").build();
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  static byte[] signTwice(byte[] msg) throws IOException {
    String a =
        DkimSigner.builder()
            .domain("example.test")
            .selector("rsa")
            .privateKey(RSA.getPrivate())
            .build()
            .sign(new ByteArrayInputStream(msg));
    String b =
        DkimSigner.builder()
            .domain("example.test")
            .selector("ed")
            .privateKey(ED.getPrivate())
            .build()
            .sign(new ByteArrayInputStream(msg));
    return (a + b + new String(msg, StandardCharsets.ISO_8859_1))
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  static MessageContent content(byte[] bytes) {
    return new MessageContent() {
      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }

      @Override
      public long size() {
        return bytes.length;
      }
    };
  }

  @Test
  void checkShouldPassEverythingWhenKeysAndPoliciesAreInDns() throws IOException {
    byte[] msg = signTwice(MESSAGE.getBytes(StandardCharsets.ISO_8859_1));
    MailAuthVerdict v =
        auth.check(
            InetAddress.getLoopbackAddress(),
            "mail.example.test",
            "bounce@example.test",
            content(msg));
    assertThat(v.spf().result()).isEqualTo(SpfResult.Result.PASS);
    // the RSA record is longer than 255 octets: its strings must be joined
    assertThat(v.dkim())
        .extracting(DkimResult::result)
        .containsExactly(DkimResult.Result.PASS, DkimResult.Result.PASS);
    assertThat(v.arc().result()).isEqualTo(ArcResult.Result.NONE);
    assertThat(v.dmarc().result()).isEqualTo(DmarcResult.Result.PASS);
    assertThat(v.disposition()).isEqualTo(Disposition.NONE);
  }

  @Test
  void checkShouldRejectWhenTamperedAndSpfFails() throws IOException {
    byte[] msg = signTwice(MESSAGE.getBytes(StandardCharsets.ISO_8859_1));
    String tampered = new String(msg, StandardCharsets.ISO_8859_1).replace("Hello", "Hallo");
    MailAuthVerdict v =
        auth.check(
            InetAddress.getByName("192.0.2.1"),
            "evil.example",
            "bounce@example.test",
            content(tampered.getBytes(StandardCharsets.ISO_8859_1)));
    assertThat(v.spf().result()).isEqualTo(SpfResult.Result.FAIL);
    assertThat(v.dkim())
        .extracting(DkimResult::result)
        .containsExactly(DkimResult.Result.FAIL, DkimResult.Result.FAIL);
    assertThat(v.disposition()).isEqualTo(Disposition.REJECT);
  }

  @Test
  void checkShouldGiveTemperrorWhenDnsFails() throws IOException {
    dns.servfail("_spf.example.test").servfail("rsa._domainkey.example.test");
    byte[] msg = signTwice(MESSAGE.getBytes(StandardCharsets.ISO_8859_1));
    MailAuthVerdict v =
        auth.check(
            InetAddress.getLoopbackAddress(),
            "mail.example.test",
            "bounce@example.test",
            content(msg));
    assertThat(v.spf().result()).isEqualTo(SpfResult.Result.TEMPERROR);
    assertThat(v.dkim())
        .extracting(DkimResult::result)
        .containsExactly(DkimResult.Result.TEMPERROR, DkimResult.Result.PASS);
    assertThat(v.dmarc().result()).isEqualTo(DmarcResult.Result.PASS);
  }
}
