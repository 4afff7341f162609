package org.carbonio.smtp.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import org.carbonio.smtp.MessageContent;
import org.junit.jupiter.api.Test;

class MailAuthenticatorTest {

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

  final MapDns dns =
      new MapDns()
          .txt("example.com", "v=spf1 ip4:192.0.2.0/24 -all")
          .txt("_dmarc.example.com", "v=DMARC1; p=reject")
          .txt("sel._domainkey.example.com", DkimKeys.txtRecord(DkimTest.ED.getPublic()));

  final MailAuthenticator auth = MailAuthenticator.builder(dns).hostname("mx.example.org").build();

  @Test
  void checkShouldPassAllWhenSignedAndFromAuthorizedClient() throws IOException {
    byte[] msg = DkimTest.signed(DkimTest.signer(DkimTest.ED), DkimTest.bytes(DkimTest.MESSAGE));
    MailAuthVerdict v =
        auth.check(
            InetAddress.getByName("192.0.2.7"),
            "mail.example.com",
            "bounce@example.com",
            content(msg));
    assertThat(v.spf().result()).isEqualTo(SpfResult.Result.PASS);
    assertThat(v.dkim()).extracting(DkimResult::result).containsExactly(DkimResult.Result.PASS);
    assertThat(v.arc().result()).isEqualTo(ArcResult.Result.NONE);
    assertThat(v.dmarc().result()).isEqualTo(DmarcResult.Result.PASS);
    assertThat(v.disposition()).isEqualTo(Disposition.NONE);
    assertThat(v.authenticationResults())
        .startsWith("Authentication-Results: mx.example.org;\r\n")
        .contains(
            "spf=pass smtp.mailfrom=bounce@example.com",
            "dkim=pass header.d=example.com",
            "arc=none",
            "dmarc=pass (p=reject dis=none) header.from=example.com");
  }

  @Test
  void checkShouldPassDmarcOnDkimWhenSpfFails() throws IOException {
    byte[] msg = DkimTest.signed(DkimTest.signer(DkimTest.ED), DkimTest.bytes(DkimTest.MESSAGE));
    MailAuthVerdict v =
        auth.check(
            InetAddress.getByName("203.0.113.9"),
            "fwd.example.net",
            "bounce@example.com",
            content(msg));
    assertThat(v.spf().result()).isEqualTo(SpfResult.Result.FAIL);
    assertThat(v.dmarc().result()).isEqualTo(DmarcResult.Result.PASS);
  }

  @Test
  void checkShouldRejectWhenSpoofedAndCountForgedResults() throws IOException {
    String spoof = "Authentication-Results: mx.example.org; dmarc=pass\r\n" + DkimTest.MESSAGE;
    MailAuthVerdict v =
        auth.check(
            InetAddress.getByName("203.0.113.9"),
            "evil.example",
            "x@evil.example",
            content(DkimTest.bytes(spoof)));
    assertThat(v.dmarc().result()).isEqualTo(DmarcResult.Result.FAIL);
    assertThat(v.disposition()).isEqualTo(Disposition.REJECT);
    assertThat(v.forgedResults()).isEqualTo(1);
    assertThat(v.authenticationResults()).contains("dkim=none", "spf=none");
  }

  @Test
  void checkShouldRejectWhenTwoFromDomains() throws IOException {
    String twoFrom = "From: b@example.org\r\n" + DkimTest.MESSAGE;
    MailAuthVerdict v =
        auth.check(
            InetAddress.getByName("192.0.2.7"),
            "mail.example.com",
            "bounce@example.com",
            content(DkimTest.bytes(twoFrom)));
    assertThat(v.dmarc().result()).isEqualTo(DmarcResult.Result.PERMERROR);
    assertThat(v.disposition()).isEqualTo(Disposition.REJECT);
  }

  @Test
  void checkShouldGivePermerrorWhenHeaderTooLarge() throws IOException {
    MailAuthenticator small =
        MailAuthenticator.builder(dns)
            .hostname("mx.example.org")
            .limits(MailAuthLimits.DEFAULTS.withMaxHeaderBytes(1024))
            .build();
    String big = "X-Big: " + "x".repeat(2000) + "\r\n" + DkimTest.MESSAGE;
    MailAuthVerdict v =
        small.check(
            InetAddress.getByName("192.0.2.7"),
            "mail.example.com",
            "bounce@example.com",
            content(DkimTest.bytes(big)));
    assertThat(v.dkim())
        .extracting(DkimResult::result)
        .containsExactly(DkimResult.Result.PERMERROR);
  }
}
