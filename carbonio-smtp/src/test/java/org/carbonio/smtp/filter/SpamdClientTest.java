package org.carbonio.smtp.filter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SpamdClientTest {

  /** Reads one request (head and Content-length bytes), records it, answers {@code reply}. */
  private static FakeDaemon spamd(String reply, AtomicReference<String> request)
      throws IOException {
    return new FakeDaemon(
        s -> {
          BufferedReader in =
              new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII));
          StringBuilder head = new StringBuilder();
          int length = 0;
          String line;
          while ((line = in.readLine()) != null && !line.isEmpty()) {
            head.append(line).append('\n');
            if (line.toLowerCase().startsWith("content-length:")) {
              length = Integer.parseInt(line.substring(15).strip());
            }
          }
          char[] body = new char[length];
          int read = 0;
          while (read < length) {
            int n = in.read(body, read, length - read);
            if (n < 0) {
              break;
            }
            read += n;
          }
          request.set(head + "\n" + new String(body, 0, read));
          s.getOutputStream().write(reply.getBytes(US_ASCII));
        });
  }

  @Test
  void checkShouldSendSymbolsRequestWithContentLengthWhenScanning() throws Exception {
    AtomicReference<String> request = new AtomicReference<>();
    String reply =
        "SPAMD/1.1 0 EX_OK\r\nContent-length: 17\r\nSpam: True ; 1003.3 / 5.0\r\n\r\nGTUBE,NO_RECEIVED";
    try (FakeDaemon d = spamd(reply, request)) {
      SpamScanResult r =
          SpamdClient.builder(d.address()).build().check(Messages.of("Subject: x\r\n\r\nhi\r\n"));
      assertThat(r)
          .isEqualTo(new SpamScanResult.Scored(true, 1003.3, 5.0, List.of("GTUBE", "NO_RECEIVED")));
    }
    assertThat(request.get())
        .isEqualTo("SYMBOLS SPAMC/1.5\nContent-length: 18\n\nSubject: x\r\n\r\nhi\r\n");
  }

  @Test
  void parseShouldReadHamWhenSpamIsFalse() throws Exception {
    SpamScanResult.Scored r =
        SpamdClient.parseSymbolsReply(
            "SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\nSpam: False ; -0.1 / 5.0\r\n\r\n");
    assertThat(r).isEqualTo(new SpamScanResult.Scored(false, -0.1, 5.0, List.of()));
  }

  @Test
  void parseShouldThrowWhenSpamdAnswersAnError() {
    assertThatThrownBy(
            () -> SpamdClient.parseSymbolsReply("SPAMD/1.0 76 Bad header line: (EOF)\r\n"))
        .isInstanceOf(ScannerException.class)
        .hasMessageContaining("76 Bad header line");
    assertThatThrownBy(() -> SpamdClient.parseSymbolsReply("SPAMD/1.1 0 EX_OK\r\n\r\nX"))
        .isInstanceOf(ScannerException.class)
        .hasMessageContaining("without a Spam header");
    assertThatThrownBy(() -> SpamdClient.parseSymbolsReply("HTTP/1.1 200 OK\r\n\r\n"))
        .isInstanceOf(ScannerException.class);
  }

  @Test
  void checkShouldSkipWhenMessageExceedsMaxScanBytes() throws Exception {
    SpamdClient c = SpamdClient.builder(FakeDaemon.closedPort()).build();
    long size = SpamdClient.DEFAULT_MAX_SCAN_BYTES + 1;
    assertThat(c.check(Messages.ofSize(size)))
        .isEqualTo(new SpamScanResult.TooLarge(size, 512_000));
  }

  @Test
  void checkShouldThrowConnectExceptionWhenNobodyListens() throws Exception {
    SpamdClient c = SpamdClient.builder(FakeDaemon.closedPort()).build();
    assertThatThrownBy(() -> c.check(Messages.of("x"))).isInstanceOf(ConnectException.class);
  }

  @Test
  void checkShouldTimeOutWhenSpamdAcceptsAndNeverAnswers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (FakeDaemon d = new FakeDaemon(s -> release.await(30, TimeUnit.SECONDS))) {
      SpamdClient c = SpamdClient.builder(d.address()).timeout(Duration.ofMillis(300)).build();
      long start = System.nanoTime();
      assertThatThrownBy(() -> c.check(Messages.of("Subject: x\r\n\r\nhi\r\n")))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("spamd");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      release.countDown();
    }
  }

  @Test
  void pingShouldReturnTrueWhenSpamdAnswersPong() throws Exception {
    try (FakeDaemon d =
        new FakeDaemon(
            s -> {
              s.getInputStream().readNBytes("PING SPAMC/1.5\r\n\r\n".length());
              s.getOutputStream().write("SPAMD/1.5 0 PONG\r\n".getBytes(US_ASCII));
            })) {
      assertThat(SpamdClient.builder(d.address()).build().ping()).isTrue();
    }
  }
}
