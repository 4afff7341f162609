package org.carbonio.smtp.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.carbonio.smtp.dns.DnsException;
import org.carbonio.smtp.dns.DnsResult;
import org.carbonio.smtp.dns.DnsResult.Rcode;
import org.carbonio.smtp.dns.DnsjavaResolver;
import org.carbonio.smtp.dns.MxRecord;
import org.carbonio.smtp.dns.TlsaRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DnsjavaResolverTest {

  private DnsServer dns;
  private DnsjavaResolver resolver;

  @BeforeEach
  void start() throws Exception {
    dns = DnsServer.start();
    resolver =
        DnsjavaResolver.builder()
            .servers(List.of(dns.address()))
            .timeout(Duration.ofSeconds(2))
            .build();
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  @Test
  void mxShouldReturnRecordsWhenPresent() throws Exception {
    dns.mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test");
    DnsResult<MxRecord> r = resolver.mx("example.test");
    assertThat(r.rcode()).isEqualTo(Rcode.NOERROR);
    assertThat(r.records())
        .containsExactlyInAnyOrder(
            new MxRecord(10, "mx1.example.test"), new MxRecord(20, "mx2.example.test"));
    assertThat(r.authenticated()).isFalse();
  }

  @Test
  void mxShouldReturnEmptyHostWhenNullMx() throws Exception {
    dns.nullMx("nomail.test");
    assertThat(resolver.mx("nomail.test.").records()).containsExactly(new MxRecord(0, ""));
    assertThat(resolver.mx("nomail.test").records().get(0).isNull()).isTrue();
  }

  @Test
  void lookupShouldDistinguishNxdomainFromNodataWhenNoRecords() throws Exception {
    dns.a("host.example.test", "192.0.2.1");
    DnsResult<MxRecord> nodata = resolver.mx("host.example.test");
    assertThat(nodata.rcode()).isEqualTo(Rcode.NOERROR);
    assertThat(nodata.isEmpty()).isTrue();
    assertThat(resolver.mx("missing.example.test").rcode()).isEqualTo(Rcode.NXDOMAIN);
    // an empty non-terminal exists (RFC 8020)
    assertThat(resolver.a("example.test").rcode()).isEqualTo(Rcode.NOERROR);
  }

  @Test
  void lookupShouldFollowCnameWhenChained() throws Exception {
    dns.cname("www.example.test", "alias.example.test")
        .cname("alias.example.test", "real.example.test")
        .a("real.example.test", "192.0.2.7");
    assertThat(resolver.a("www.example.test").records())
        .containsExactly((java.net.Inet4Address) InetAddress.getByName("192.0.2.7"));
  }

  @Test
  void lookupShouldReportNxdomainWhenCnameTargetMissing() throws Exception {
    dns.cname("dangling.example.test", "gone.example.test");
    assertThat(resolver.a("dangling.example.test").rcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void lookupShouldReportAuthenticatedWhenServerSetsAd() throws Exception {
    dns.mx("secure.test", 10, "mx.secure.test").secure("secure.test");
    dns.tlsa("_25._tcp.mx.secure.test", 3, 1, 1, "00ff").secure("_25._tcp.mx.secure.test");
    assertThat(resolver.mx("secure.test").authenticated()).isTrue();
    DnsResult<TlsaRecord> tlsa = resolver.tlsa("_25._tcp.mx.secure.test");
    assertThat(tlsa.authenticated()).isTrue();
    assertThat(tlsa.records())
        .containsExactly(new TlsaRecord(3, 1, 1, HexFormat.of().parseHex("00ff")));
  }

  @Test
  void txtShouldJoinCharacterStringsWhenSplit() throws Exception {
    String longValue = "v=DKIM1; p=" + "A".repeat(400);
    dns.txt("sel._domainkey.example.test", longValue).txt("example.test", "v=spf1 ", "-all");
    assertThat(resolver.txt("sel._domainkey.example.test").records()).containsExactly(longValue);
    assertThat(resolver.txt("example.test").records()).containsExactly("v=spf1 -all");
  }

  @Test
  void ptrAndAaaaShouldResolveWhenPresent() throws Exception {
    dns.ptr("192.0.2.5", "mail.example.test").aaaa("v6.example.test", "2001:db8::1");
    assertThat(resolver.ptr(InetAddress.getByName("192.0.2.5")).records())
        .containsExactly("mail.example.test");
    assertThat(resolver.aaaa("v6.example.test").records()).hasSize(1);
  }

  @Test
  void lookupShouldThrowWhenServfail() {
    dns.servfail("broken.test");
    assertThatThrownBy(() -> resolver.txt("broken.test"))
        .isInstanceOf(DnsException.class)
        .hasMessageContaining("SERVFAIL");
  }

  @Test
  void lookupShouldThrowWhenServerDropsQuery() {
    dns.drop("slow.test");
    assertThatThrownBy(() -> resolver.a("slow.test")).isInstanceOf(DnsException.class);
  }

  @Test
  void lookupShouldRetryOverTcpWhenTruncated() throws Exception {
    dns.truncate("big.test").txt("big.test", "x".repeat(1000));
    assertThat(resolver.txt("big.test").records()).containsExactly("x".repeat(1000));
    assertThat(dns.tcpQueries()).isPositive();
  }

  @Test
  void lookupShouldUseNextServerWhenFirstFails() throws Exception {
    try (DnsServer second = DnsServer.start()) {
      dns.servfail("example.test");
      second.a("example.test", "192.0.2.9");
      DnsjavaResolver two =
          DnsjavaResolver.of(List.of(dns.address(), second.address()), Duration.ofSeconds(1));
      assertThat(two.a("example.test").records()).hasSize(1);
    }
  }

  @Test
  void cacheShouldAnswerWithoutQueryWhenFreshAndAskAgainWhenExpired() throws Exception {
    Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
    Clock clock =
        new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    DnsjavaResolver cached =
        DnsjavaResolver.builder()
            .servers(List.of(dns.address()))
            .cacheSize(10)
            .clock(clock)
            .build();
    dns.ttl(60).a("c.test", "192.0.2.1");
    cached.a("c.test");
    cached.a("c.test");
    cached.a("missing.c.test");
    cached.a("missing.c.test");
    assertThat(dns.queries("c.test")).isEqualTo(1);
    assertThat(dns.queries("missing.c.test")).isEqualTo(1);
    now[0] = now[0].plusSeconds(61);
    cached.a("c.test");
    assertThat(dns.queries("c.test")).isEqualTo(2);
  }

  @Test
  void lookupShouldAnswerNxdomainWithoutQueryWhenNameInvalid() throws Exception {
    assertThat(resolver.a("a..b").rcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(resolver.a("x".repeat(64) + ".test").rcode()).isEqualTo(Rcode.NXDOMAIN);
  }
}
