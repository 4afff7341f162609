package org.carbonio.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.smtp.dns.DnsResolver;
import org.carbonio.smtp.dns.DnsResult;
import org.carbonio.smtp.dns.MxRecord;
import org.carbonio.smtp.dns.TlsaRecord;
import org.junit.jupiter.api.Test;

/** Malformed MTA-STS responses, case in policy patterns, the reply text cap. */
class OutboundReviewFixesTest {

  private static ByteArrayInputStream response(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void readResponseShouldThrowIoExceptionWhenChunkSizeMalformed() {
    String r =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    assertThatThrownBy(() -> MtaSts.readResponse(response(r), "h")).isInstanceOf(IOException.class);
    String huge =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "fffffffffffffffffff\r\n";
    assertThatThrownBy(() -> MtaSts.readResponse(response(huge), "h"))
        .isInstanceOf(IOException.class);
    String negative =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n";
    assertThatThrownBy(() -> MtaSts.readResponse(response(negative), "h"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void readResponseShouldThrowIoExceptionWhenContentLengthMalformed() {
    for (String len : List.of("1x", "", "-1", "99999999999999999999")) {
      String r =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + len + "\r\n\r\n";
      assertThatThrownBy(() -> MtaSts.readResponse(response(r), "h"))
          .as(len)
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void readResponseShouldReadBodyWhenChunked() throws IOException {
    String r =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3;ext=1\r\nabc\r\n0\r\n\r\n";
    assertThat(MtaSts.readResponse(response(r), "h")).isEqualTo("abc");
  }

  /** A resolver whose TXT lookup for the policy id throws what a buggy resolver might. */
  private static final class StsDns implements DnsResolver {
    final Map<String, List<String>> txt = new ConcurrentHashMap<>();
    final AtomicInteger aLookups = new AtomicInteger();

    @Override
    public DnsResult<MxRecord> mx(String domain) {
      return DnsResult.nxdomain(false);
    }

    @Override
    public DnsResult<java.net.Inet4Address> a(String host) {
      aLookups.incrementAndGet();
      throw new IllegalArgumentException("resolver bug");
    }

    @Override
    public DnsResult<java.net.Inet6Address> aaaa(String host) {
      return DnsResult.nxdomain(false);
    }

    @Override
    public DnsResult<String> txt(String name) {
      return DnsResult.of(txt.getOrDefault(name, List.of()), false);
    }

    @Override
    public DnsResult<TlsaRecord> tlsa(String name) {
      return DnsResult.nxdomain(false);
    }

    @Override
    public DnsResult<String> ptr(java.net.InetAddress address) {
      return DnsResult.nxdomain(false);
    }
  }

  @Test
  void policyShouldBeEmptyWhenFetchThrowsRuntimeException() throws Exception {
    StsDns dns = new StsDns();
    dns.txt.put("_mta-sts.example.test", List.of("v=STSv1; id=1"));
    MtaSts sts =
        new MtaSts(
            dns,
            javax.net.ssl.SSLContext.getDefault(),
            443,
            Duration.ofSeconds(1),
            Clock.systemUTC());
    assertThat(sts.policy("example.test")).isEmpty();
    assertThat(dns.aLookups.get()).isEqualTo(1);
  }

  @Test
  void matchesShouldIgnoreCaseWhenPatternHasUpperCase() {
    MtaStsPolicy p =
        MtaStsPolicy.parse(
                "version: STSv1\r\nmode: enforce\r\nmx: MX1.Example.COM\r\nmx: *.Mail.Example.NET.\r\n"
                    + "max_age: 86400\r\n")
            .orElseThrow();
    assertThat(p.matches("mx1.example.com")).isTrue();
    assertThat(p.matches("MX1.EXAMPLE.COM.")).isTrue();
    assertThat(p.matches("a.mail.example.net")).isTrue();
    assertThat(p.matches("mx2.example.com")).isFalse();
  }

  @Test
  void capShouldLimitTextWhenReplyIsLong() {
    assertThat(OutboundDelivery.cap("short")).isEqualTo("short");
    String capped = OutboundDelivery.cap("x".repeat(100_000));
    assertThat(capped).hasSize(OutboundDelivery.MAX_TEXT).endsWith("...");
  }
}
