package org.carbonio.smtp.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.carbonio.smtp.filter.ClamdClient;
import org.carbonio.smtp.filter.ContentFilter;
import org.carbonio.smtp.filter.FilterAction;
import org.carbonio.smtp.filter.FilterPolicy;
import org.carbonio.smtp.filter.FilterReply;
import org.carbonio.smtp.filter.FilterVerdict;
import org.carbonio.smtp.filter.VirusAction;
import org.carbonio.smtp.filter.VirusScanResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ClamdClient} and {@link ContentFilter} against a real clamd. */
class ClamdServerTest {

  @RegisterExtension static ClamdExtension clamd = new ClamdExtension();

  private static ClamdClient client() {
    return ClamdClient.builder(clamd.address()).build();
  }

  @Test
  void pingShouldAnswerPongWhenClamdRuns() throws Exception {
    assertThat(client().ping()).isTrue();
    assertThat(client().version()).startsWith("ClamAV ");
  }

  @Test
  void scanShouldFindEicarWhenSentAsIs() throws Exception {
    VirusScanResult r = client().scan(TestMessages.of(ClamdServer.EICAR));
    assertThat(r).isEqualTo(new VirusScanResult.Infected(List.of(ClamdServer.EICAR_SIGNATURE)));
  }

  @Test
  void scanShouldFindEicarWhenInABase64MimeAttachment() throws Exception {
    VirusScanResult r = client().scan(TestMessages.of(TestMessages.eicarAttachment()));
    assertThat(r).isInstanceOf(VirusScanResult.Infected.class);
    assertThat(((VirusScanResult.Infected) r).name()).isEqualTo("Eicar-Test-Signature.UNOFFICIAL");
  }

  @Test
  void scanShouldReturnCleanWhenMessageIsHarmless() throws Exception {
    assertThat(client().scan(TestMessages.of(TestMessages.ham())))
        .isEqualTo(new VirusScanResult.Clean());
  }

  @Test
  void scanShouldHandleSeveralChunksWhenMessageIsLarge() throws Exception {
    // 3 MB of text around the attachment: many 64 KiB chunks, still found.
    String filler = ("x".repeat(998) + "\r\n").repeat(3000);
    String m = TestMessages.eicarAttachment().replace("See attachment.", filler);
    assertThat(client().scan(TestMessages.of(m))).isInstanceOf(VirusScanResult.Infected.class);
  }

  @Test
  void inspectShouldReject550WithTheVirusNameWhenEicarIsAttached() {
    ContentFilter f = ContentFilter.builder().virusScanner(client()).build();
    FilterVerdict v =
        f.inspect(TestMessages.of(TestMessages.eicarAttachment()), List.of("bob@example.org"));
    assertThat(v.forSmtp().messageReply())
        .hasValue(new FilterReply(550, "5.7.1", "Virus found: Eicar-Test-Signature.UNOFFICIAL"));
  }

  @Test
  void inspectShouldQuarantineWhenDomainPolicySaysSo() {
    ContentFilter f =
        ContentFilter.builder()
            .virusScanner(client())
            .domainPolicy(
                "example.org", FilterPolicy.DEFAULTS.withVirusAction(VirusAction.QUARANTINE))
            .build();
    FilterVerdict v =
        f.inspect(TestMessages.of(TestMessages.eicarAttachment()), List.of("bob@example.org"));
    assertThat(v.recipients().get(0).action()).isEqualTo(FilterAction.QUARANTINE);
    assertThat(v.recipients().get(0).reason()).isEqualTo("virus Eicar-Test-Signature.UNOFFICIAL");
  }

  @Test
  void scanShouldReportTooLargeWhenClamdStreamMaxLengthIsSmaller() throws Exception {
    try (ClamdServer small = ClamdServer.builder().streamMaxLength(4096).start()) {
      ClamdClient c = ClamdClient.builder(small.address()).build(); // client limit 25 MiB
      VirusScanResult r = c.scan(TestMessages.of("x".repeat(200_000)));
      assertThat(r).isInstanceOf(VirusScanResult.TooLarge.class);
      assertThat(((VirusScanResult.TooLarge) r).limit()).isZero();
      // Below the daemon's limit the same server scans.
      assertThat(c.scan(TestMessages.of(ClamdServer.EICAR)))
          .isInstanceOf(VirusScanResult.Infected.class);
    }
  }

  @Test
  void inspectShouldFailClosedOrOpenWhenClamdIsDown() {
    Path dir;
    ClamdClient c;
    try (ClamdServer down = ClamdServer.start()) {
      dir = down.directory();
      c = ClamdClient.builder(down.address()).build();
      down.stop();
      assertThat(down.isRunning()).isFalse();
      assertThatThrownBy(() -> c.ping()).isInstanceOf(ConnectException.class);

      FilterVerdict closed =
          ContentFilter.builder()
              .virusScanner(c)
              .build()
              .inspect(TestMessages.of(TestMessages.ham()), List.of("bob@example.org"));
      assertThat(closed.messageReply())
          .hasValue(new FilterReply(451, "4.7.1", "Virus scan unavailable, try again later"));

      FilterVerdict open =
          ContentFilter.builder()
              .virusScanner(c)
              .defaultPolicy(
                  FilterPolicy.DEFAULTS.withVirusFailMode(
                      org.carbonio.smtp.filter.FailMode.FAIL_OPEN))
              .build()
              .inspect(TestMessages.of(TestMessages.ham()), List.of("bob@example.org"));
      assertThat(open.recipients().get(0).action()).isEqualTo(FilterAction.DELIVER);
      assertThat(open.recipients().get(0).headers().get(0).value())
          .isEqualTo("Unscanned (scanner failed)");
    }
    assertThat(Files.exists(dir)).isFalse(); // close() removed the directory
  }
}
