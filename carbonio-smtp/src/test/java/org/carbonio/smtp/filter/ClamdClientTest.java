package org.carbonio.smtp.filter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClamdClientTest {

  /** Reads one zINSTREAM request, records the chunk sizes and data, answers {@code reply}. */
  private static FakeDaemon clamd(String reply, List<Integer> chunks, ByteArrayOutputStream data)
      throws IOException {
    return new FakeDaemon(
        s -> {
          DataInputStream in = new DataInputStream(s.getInputStream());
          byte[] command = in.readNBytes(10);
          if (!new String(command, US_ASCII).equals("zINSTREAM\0")) {
            s.getOutputStream().write("UNKNOWN COMMAND\0".getBytes(US_ASCII));
            return;
          }
          while (true) {
            int n = in.readInt(); // 4-byte big-endian length
            synchronized (chunks) {
              chunks.add(n);
            }
            if (n == 0) {
              break;
            }
            byte[] chunk = in.readNBytes(n);
            synchronized (data) {
              data.write(chunk);
            }
          }
          s.getOutputStream().write(reply.getBytes(US_ASCII));
        });
  }

  @Test
  void scanShouldSendLengthPrefixedChunksWhenMessageIsLarge() throws Exception {
    List<Integer> chunks = new ArrayList<>();
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    int size = 150_000;
    try (FakeDaemon d = clamd("stream: OK\0", chunks, data)) {
      VirusScanResult r = ClamdClient.builder(d.address()).build().scan(Messages.ofSize(size));
      assertThat(r).isEqualTo(new VirusScanResult.Clean());
    }
    assertThat(chunks).containsExactly(65536, 65536, size - 2 * 65536, 0);
    assertThat(data.size()).isEqualTo(size);
  }

  @Test
  void scanShouldReturnInfectedWhenClamdAnswersFound() throws Exception {
    try (FakeDaemon d =
        clamd(
            "stream: Eicar-Test-Signature.UNOFFICIAL FOUND\0",
            new ArrayList<>(),
            new ByteArrayOutputStream())) {
      VirusScanResult r = ClamdClient.builder(d.address()).build().scan(Messages.of("x"));
      assertThat(r).isInstanceOf(VirusScanResult.Infected.class);
      assertThat(((VirusScanResult.Infected) r).name())
          .isEqualTo("Eicar-Test-Signature.UNOFFICIAL");
    }
  }

  @Test
  void scanShouldThrowScannerExceptionWhenClamdAnswersError() throws Exception {
    try (FakeDaemon d =
        clamd("Can't allocate memory ERROR\0", new ArrayList<>(), new ByteArrayOutputStream())) {
      assertThatThrownBy(() -> ClamdClient.builder(d.address()).build().scan(Messages.of("x")))
          .isInstanceOf(ScannerException.class)
          .hasMessageContaining("Can't allocate memory ERROR");
    }
  }

  @Test
  void scanShouldReturnTooLargeWhenClamdRefusesTheStream() throws Exception {
    // clamd with a small StreamMaxLength answers as soon as the limit is passed and closes.
    try (FakeDaemon d =
        new FakeDaemon(
            s -> {
              s.getInputStream().readNBytes(1000);
              s.getOutputStream().write("INSTREAM size limit exceeded. ERROR\0".getBytes(US_ASCII));
              s.shutdownOutput();
              s.getInputStream().readNBytes(1000);
            })) {
      VirusScanResult r = ClamdClient.builder(d.address()).build().scan(Messages.ofSize(5_000_000));
      assertThat(r).isInstanceOf(VirusScanResult.TooLarge.class);
      assertThat(((VirusScanResult.TooLarge) r).limit()).isZero();
    }
  }

  @Test
  void scanShouldNotConnectWhenMessageExceedsMaxScanBytes() throws Exception {
    ClamdClient c = ClamdClient.builder(FakeDaemon.closedPort()).maxScanBytes(1000).build();
    assertThat(c.scan(Messages.ofSize(1001))).isEqualTo(new VirusScanResult.TooLarge(1001, 1000));
  }

  @Test
  void scanShouldThrowConnectExceptionWhenNobodyListens() throws Exception {
    ClamdClient c = ClamdClient.builder(FakeDaemon.closedPort()).build();
    assertThatThrownBy(() -> c.scan(Messages.of("x"))).isInstanceOf(ConnectException.class);
  }

  @Test
  void scanShouldTimeOutWhenClamdAcceptsAndNeverAnswers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (FakeDaemon d =
        new FakeDaemon(
            s -> {
              s.getInputStream().readAllBytes(); // reads everything, never answers
              release.await(30, TimeUnit.SECONDS);
            })) {
      ClamdClient c = ClamdClient.builder(d.address()).timeout(Duration.ofMillis(300)).build();
      long start = System.nanoTime();
      assertThatThrownBy(() -> c.scan(Messages.of("x")))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("clamd");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      release.countDown();
    }
  }

  @Test
  void scanShouldTimeOutWhenClamdStopsReading() throws Exception {
    // A write to a peer that does not read blocks once the socket buffers are full: only the
    // watchdog ends it.
    CountDownLatch release = new CountDownLatch(1);
    try (FakeDaemon d = new FakeDaemon(s -> release.await(30, TimeUnit.SECONDS))) {
      ClamdClient c = ClamdClient.builder(d.address()).timeout(Duration.ofMillis(500)).build();
      long start = System.nanoTime();
      assertThatThrownBy(() -> c.scan(Messages.ofSize(20_000_000)))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("did not finish");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      release.countDown();
    }
  }

  @Test
  void pingShouldReturnTrueWhenClamdAnswersPong() throws Exception {
    try (FakeDaemon d =
        new FakeDaemon(
            s -> {
              byte[] cmd = s.getInputStream().readNBytes(6);
              s.getOutputStream()
                  .write(
                      (new String(cmd, US_ASCII).equals("zPING\0") ? "PONG\0" : "?\0")
                          .getBytes(US_ASCII));
            })) {
      assertThat(ClamdClient.builder(d.address()).build().ping()).isTrue();
    }
  }

  @Test
  void parseScanReplyShouldCollectEveryNameWhenAllMatchScanReportsSeveral() throws Exception {
    VirusScanResult r =
        ClamdClient.parseScanReply("stream: A FOUND\0stream: B FOUND\0stream: OK\0", 10);
    assertThat(r).isEqualTo(new VirusScanResult.Infected(List.of("A", "B")));
  }

  @Test
  void parseScanReplyShouldThrowWhenAnswerIsEmpty() {
    assertThatThrownBy(() -> ClamdClient.parseScanReply("", 10))
        .isInstanceOf(ScannerException.class);
    assertThatThrownBy(() -> ClamdClient.parseScanReply("hello\0", 10))
        .isInstanceOf(ScannerException.class)
        .hasMessageContaining("unexpected");
  }

  @Test
  void builderShouldRefuseNonPositiveValues() {
    var b = ClamdClient.builder(new java.net.InetSocketAddress("127.0.0.1", 1));
    assertThatThrownBy(() -> b.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maxScanBytes(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(b.build().toBuilder().build().maxScanBytes())
        .isEqualTo(ClamdClient.DEFAULT_MAX_SCAN_BYTES);
  }
}
