package org.carbonio.smtp.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.carbonio.smtp.filter.ClamdClient;
import org.carbonio.smtp.filter.ContentFilter;
import org.carbonio.smtp.filter.FilterAction;
import org.carbonio.smtp.filter.FilterHeader;
import org.carbonio.smtp.filter.FilterPolicy;
import org.carbonio.smtp.filter.FilterReply;
import org.carbonio.smtp.filter.FilterVerdict;
import org.carbonio.smtp.filter.RecipientVerdict;
import org.carbonio.smtp.filter.SpamAction;
import org.carbonio.smtp.filter.SpamScanResult;
import org.carbonio.smtp.filter.SpamdClient;
import org.carbonio.smtp.filter.VirusScanResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link SpamdClient} against a real spamd, and {@link ContentFilter} against real spamd and clamd
 * together (one of each for the class: spamd takes seconds to start).
 */
class SpamdServerTest {

  @RegisterExtension static SpamdExtension spamd = new SpamdExtension();
  @RegisterExtension static ClamdExtension clamd = new ClamdExtension();

  private static SpamdClient client() {
    return SpamdClient.builder(spamd.address()).build();
  }

  private static String header(RecipientVerdict r, String name) {
    return r.headers().stream()
        .filter(h -> h.name().equals(name))
        .map(FilterHeader::value)
        .findFirst()
        .orElse(null);
  }

  @Test
  void pingShouldAnswerPongWhenSpamdRuns() throws Exception {
    assertThat(client().ping()).isTrue();
  }

  @Test
  void checkShouldScoreGtubeAsSpamWhenScanned() throws Exception {
    SpamScanResult r = client().check(TestMessages.of(TestMessages.gtube()));
    assertThat(r).isInstanceOf(SpamScanResult.Scored.class);
    SpamScanResult.Scored s = (SpamScanResult.Scored) r;
    assertThat(s.spam()).isTrue();
    assertThat(s.score()).isGreaterThanOrEqualTo(1000.0);
    assertThat(s.threshold()).isEqualTo(5.0);
    assertThat(s.symbols()).contains("GTUBE");
  }

  @Test
  void checkShouldScoreHamAsNotSpamWhenScanned() throws Exception {
    SpamScanResult.Scored s =
        (SpamScanResult.Scored) client().check(TestMessages.of(TestMessages.ham()));
    assertThat(s.spam()).isFalse();
    assertThat(s.score()).isLessThan(5.0);
  }

  @Test
  void checkShouldSkipWhenMessageIsLargerThanTheLimit() throws Exception {
    String big = TestMessages.gtube() + "x".repeat(600_000) + "\r\n";
    SpamScanResult r = client().check(TestMessages.of(big));
    assertThat(r).isEqualTo(new SpamScanResult.TooLarge(big.length(), 512_000));
  }

  @Test
  void inspectShouldFileGtubeAsJunkWhenDomainPolicyIsJunk() {
    ContentFilter f =
        ContentFilter.builder()
            .spamScanner(client())
            .domainPolicy("example.org", FilterPolicy.DEFAULTS.withSpamAction(SpamAction.JUNK))
            .build();
    FilterVerdict v =
        f.inspect(
            TestMessages.of(TestMessages.gtube()), List.of("bob@example.org", "carol@other.test"));
    RecipientVerdict bob = v.recipients().get(0);
    RecipientVerdict carol = v.recipients().get(1);
    assertThat(bob.action()).isEqualTo(FilterAction.JUNK);
    assertThat(carol.action()).isEqualTo(FilterAction.DELIVER); // default: tag only
    for (RecipientVerdict r : v.recipients()) {
      assertThat(header(r, "X-Spam-Flag")).isEqualTo("YES");
      assertThat(header(r, "X-Spam-Status")).startsWith("Yes, score=100").contains("GTUBE");
    }
  }

  @Test
  void inspectShouldDeliverHamUntaggedWhenNotSpam() {
    FilterVerdict v =
        ContentFilter.builder()
            .spamScanner(client())
            .build()
            .inspect(TestMessages.of(TestMessages.ham()), List.of("bob@example.org"));
    RecipientVerdict r = v.recipients().get(0);
    assertThat(r.action()).isEqualTo(FilterAction.DELIVER);
    assertThat(header(r, "X-Spam-Flag")).isNull();
    assertThat(header(r, "X-Spam-Status")).startsWith("No, score=");
  }

  private static ContentFilter.Builder bothDaemons() {
    return ContentFilter.builder()
        .virusScanner(ClamdClient.builder(clamd.address()).build())
        .spamScanner(client());
  }

  @Test
  void inspectShouldRejectAndSkipSpamdWhenMessageHasVirusAndGtube() {
    String both = TestMessages.eicarAttachment().replace("See attachment.", SpamdServer.GTUBE);
    FilterVerdict v =
        bothDaemons().build().inspect(TestMessages.of(both), List.of("bob@example.org"));
    assertThat(v.forSmtp().messageReply())
        .hasValue(new FilterReply(550, "5.7.1", "Virus found: Eicar-Test-Signature.UNOFFICIAL"));
    assertThat(v.spam()).isEqualTo(new SpamScanResult.NotScanned());
  }

  @Test
  void inspectShouldTagCleanHamWithBothScannersHeadersWhenDelivered() throws Exception {
    FilterVerdict v =
        bothDaemons()
            .build()
            .inspect(TestMessages.of(TestMessages.ham()), List.of("bob@example.org"));
    RecipientVerdict r = v.recipients().get(0);
    assertThat(r.action()).isEqualTo(FilterAction.DELIVER);
    assertThat(r.headers())
        .extracting(FilterHeader::name)
        .containsExactly(
            "X-Virus-Scanned", "X-Virus-Status", "X-Spam-Score", "X-Spam-Level", "X-Spam-Status");
    // The headers go in front of the message the server stores.
    try (var in = FilterHeader.prepend(r.headers(), TestMessages.of(TestMessages.ham())).open()) {
      assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII))
          .startsWith("X-Virus-Scanned: ClamAV\r\nX-Virus-Status: Clean\r\n")
          .endsWith(TestMessages.ham());
    }
  }

  @Test
  void inspectShouldDeliverUnscannedWhenSpamdIsDownAndTempfailWhenClamdHangs() throws Exception {
    InetSocketAddress closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
    // spamd unreachable: fail open by default.
    FilterVerdict open =
        bothDaemons()
            .spamScanner(SpamdClient.builder(closed).build())
            .build()
            .inspect(TestMessages.of(TestMessages.gtube()), List.of("bob@example.org"));
    assertThat(open.recipients().get(0).action()).isEqualTo(FilterAction.DELIVER);
    assertThat(header(open.recipients().get(0), "X-Spam-Status"))
        .isEqualTo("Unscanned (scanner failed)");

    // A "clamd" that accepts and never answers: fail closed by default, within the timeout.
    try (ServerSocket hung = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ClamdClient slow =
          ClamdClient.builder(
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), hung.getLocalPort()))
              .timeout(Duration.ofMillis(500))
              .build();
      long start = System.nanoTime();
      FilterVerdict closedVerdict =
          bothDaemons()
              .virusScanner(slow)
              .build()
              .inspect(TestMessages.of(TestMessages.ham()), List.of("bob@example.org"));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(closedVerdict.virus()).isInstanceOf(VirusScanResult.Failed.class);
      assertThat(closedVerdict.messageReply().orElseThrow().toString())
          .isEqualTo("451 4.7.1 Virus scan unavailable, try again later");
    }
  }
}
