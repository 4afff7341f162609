package org.carbonio.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large bodies are spooled in {@code spoolDirectory} only, and deleted on every path. */
class SpoolDirectoryTest {

  private static final int THRESHOLD = 1024;
  private static final String BIG_BODY = ("x".repeat(70) + "\r\n").repeat(100); // 7200 > THRESHOLD

  @TempDir Path spool;

  private final List<SmtpServer> servers = new ArrayList<>();
  private final List<List<Path>> seenDuringDelivery = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeServers() {
    servers.forEach(SmtpServer::close);
  }

  private SmtpServer start(SmtpLimits limits, DeliveryHandler handler) throws IOException {
    SmtpServer s =
        SmtpServer.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .hostname("mx.example.test")
            .shutdownTimeout(Duration.ofSeconds(2))
            .limits(limits.withSpoolThreshold(THRESHOLD))
            .spoolDirectory(spool)
            .deliveryHandler(
                d -> {
                  seenDuringDelivery.add(list(spool));
                  handler.deliver(d);
                })
            .build();
    servers.add(s);
    return s.start();
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }

  /** Sends one message; returns the reply after the final dot. */
  private static String send(RawClient c, String body) throws IOException {
    assertThat(c.reply()).startsWith("220");
    c.send("EHLO c.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n");
    assertThat(c.reply()).startsWith("250");
    assertThat(c.reply()).startsWith("250");
    assertThat(c.reply()).startsWith("250");
    assertThat(c.reply()).startsWith("354");
    c.send(body + ".\r\n");
    return c.reply();
  }

  private void assertSpooledHereAndDeleted() throws IOException {
    assertThat(seenDuringDelivery).hasSize(1);
    assertThat(seenDuringDelivery.getFirst())
        .singleElement()
        .satisfies(p -> assertThat(p.getFileName().toString()).startsWith("smtp-"));
    assertThat(list(spool)).isEmpty();
  }

  @Test
  void spoolShouldBeInSpoolDirectoryAndDeletedWhenDelivered() throws Exception {
    SmtpServer smtp = start(SmtpLimits.DEFAULTS, d -> d.content().readAllBytes());
    try (RawClient c = new RawClient(smtp.localAddress())) {
      assertThat(send(c, BIG_BODY)).startsWith("250 2.0.0");
    }
    assertSpooledHereAndDeleted();
  }

  @Test
  void spoolShouldBeDeletedWhenHandlerThrows() throws Exception {
    SmtpServer smtp =
        start(
            SmtpLimits.DEFAULTS,
            d -> {
              throw new IllegalStateException("database down");
            });
    try (RawClient c = new RawClient(smtp.localAddress())) {
      assertThat(send(c, BIG_BODY)).startsWith("451 4.3.0");
    }
    assertSpooledHereAndDeleted();
  }

  @Test
  void spoolShouldBeDeletedWhenHandlerTimesOut() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    SmtpServer smtp =
        start(
            SmtpLimits.DEFAULTS
                .withRecipientCheckTimeout(Duration.ofMinutes(10))
                .withDeliveryTimeout(Duration.ofMillis(200)),
            d -> {
              try (var in = d.content()) {
                in.readNBytes(10); // keeps the file open while blocked
                never.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
              }
            });
    try (RawClient c = new RawClient(smtp.localAddress())) {
      assertThat(send(c, BIG_BODY)).startsWith("451 4.3.0");
    }
    assertSpooledHereAndDeleted();
  }

  @Test
  void spoolShouldBeDeletedWhenClientDisconnectsDuringData() throws Exception {
    SmtpServer smtp = start(SmtpLimits.DEFAULTS, d -> {});
    try (RawClient c = new RawClient(smtp.localAddress())) {
      assertThat(c.reply()).startsWith("220");
      c.send("HELO c.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n");
      c.reply();
      c.reply();
      c.reply();
      assertThat(c.reply()).startsWith("354");
      c.send(BIG_BODY); // no final dot
      await().atMost(Duration.ofSeconds(5)).until(() -> !list(spool).isEmpty());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> smtp.activeConnections() == 0);
    assertThat(list(spool)).isEmpty();
  }

  @Test
  void spoolShouldBeDeletedWhenMessageExceedsLimitAfterSpooling() throws Exception {
    SmtpServer smtp = start(SmtpLimits.DEFAULTS.withMaxMessageBytes(4000), d -> {});
    try (RawClient c = new RawClient(smtp.localAddress())) {
      assertThat(send(c, BIG_BODY)).startsWith("552 5.3.4");
    }
    assertThat(seenDuringDelivery).isEmpty();
    assertThat(list(spool)).isEmpty();
  }

  @Test
  void startShouldFailWhenSpoolDirectoryIsMissing() {
    SmtpServer s =
        SmtpServer.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .hostname("mx.example.test")
            .spoolDirectory(spool.resolve("missing"))
            .deliveryHandler(d -> {})
            .build();
    servers.add(s);
    assertThatThrownBy(s::start)
        .isInstanceOf(NotDirectoryException.class)
        .hasMessageContaining("missing");
  }
}
