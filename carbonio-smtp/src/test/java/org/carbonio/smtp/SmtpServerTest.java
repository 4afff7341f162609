package org.carbonio.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.carbonio.smtp.spi.RecipientDecision;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SmtpServerTest {

  record Received(Delivery delivery, String content) {}

  private final Queue<Received> received = new ConcurrentLinkedQueue<>();
  private final DeliveryHandler store =
      d ->
          received.add(
              new Received(d, new String(d.content().readAllBytes(), StandardCharsets.ISO_8859_1)));
  private final List<SmtpServer> servers = new ArrayList<>();

  private SmtpServer start(SmtpServer.Builder b) throws IOException {
    SmtpServer s = b.build();
    servers.add(s);
    return s.start();
  }

  private SmtpServer.Builder builder() {
    return SmtpServer.builder()
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .hostname("mx.example.test")
        .shutdownTimeout(Duration.ofSeconds(2))
        .recipientPolicy(
            c ->
                c.recipient().startsWith("unknown@")
                    ? RecipientDecision.reject(550, "5.1.1", "No such user")
                    : RecipientDecision.accept())
        .deliveryHandler(store);
  }

  @AfterEach
  void closeServers() {
    servers.forEach(SmtpServer::close);
  }

  private static void ehlo(RawClient c) throws IOException {
    assertThat(c.reply()).startsWith("220 mx.example.test");
    c.send("EHLO client.test\r\n");
    assertThat(c.reply()).startsWith("250-mx.example.test").contains("250-PIPELINING");
  }

  @Test
  void serverShouldDeliverWhenClientPipelines() throws Exception {
    SmtpServer smtp = start(builder());
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
      c.send(
          "MAIL FROM:<a@example.org> BODY=8BITMIME\r\nRCPT TO:<b@example.test>\r\n"
              + "RCPT TO:<unknown@example.test>\r\nDATA\r\n");
      assertThat(c.reply()).isEqualTo("250 2.1.0 Sender OK");
      assertThat(c.reply()).isEqualTo("250 2.1.5 Recipient OK");
      assertThat(c.reply()).isEqualTo("550 5.1.1 No such user");
      assertThat(c.reply()).startsWith("354 ");
      c.send("Subject: t\r\n\r\n..x\r\n.\r\nQUIT\r\n");
      assertThat(c.reply()).startsWith("250 2.0.0 OK: queued as ");
      assertThat(c.reply()).startsWith("221 2.0.0");
      assertThat(c.closedByServer()).isTrue();
    }
    Received r = received.remove();
    assertThat(r.delivery().recipients()).containsExactly("b@example.test");
    assertThat(r.content())
        .startsWith(
            "Received: from client.test (127.0.0.1 [127.0.0.1])\r\n\tby mx.example.test with ESMTP id ")
        .endsWith("\r\nSubject: t\r\n\r\n.x\r\n");
    assertThat(r.delivery().session().tls()).isFalse();
  }

  @Test
  void angusMailShouldSendWhenStartTlsIsRequired() throws Exception {
    SmtpServer smtp = start(builder().tls(TestTls.server()));
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", String.valueOf(smtp.localAddress().getPort()));
    props.put("mail.smtp.starttls.enable", "true");
    props.put("mail.smtp.starttls.required", "true");
    props.put("mail.smtp.ssl.socketFactory", TestTls.client().getSocketFactory());
    props.put("mail.smtp.localhost", "angus.client.test");
    props.put("mail.smtp.timeout", "10000");
    Session session = Session.getInstance(props);
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("alice@example.org"));
    m.setRecipients(Message.RecipientType.TO, "bob@example.test, carol@example.test");
    m.setSubject("Hello over TLS");
    m.setText("Body line\n.leading dot\n");
    Transport.send(m);

    Received r = received.remove();
    assertThat(r.delivery().sender()).isEqualTo("alice@example.org");
    assertThat(r.delivery().recipients()).containsExactly("bob@example.test", "carol@example.test");
    assertThat(r.delivery().session().tls()).isTrue();
    assertThat(r.delivery().session().heloName()).isEqualTo("angus.client.test");
    assertThat(r.content()).contains("with ESMTPS id").contains("Subject: Hello over TLS");
    assertThat(r.content()).contains("Body line\r\n.leading dot\r\n");
    assertThat(r.delivery().size()).isEqualTo(r.content().length());
  }

  @Test
  void serverShouldOfferEhloAgainWithoutStartTlsWhenTlsActive() throws Exception {
    SmtpServer smtp = start(builder().tls(TestTls.server()));
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
      c.send("STARTTLS\r\n");
      assertThat(c.reply()).isEqualTo("220 2.0.0 Ready to start TLS");
    }
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
      c.send("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n");
      assertThat(c.reply()).startsWith("554 5.5.1");
      assertThat(c.closedByServer()).isTrue();
    }
    try (java.net.Socket plain = new java.net.Socket()) {
      plain.connect(smtp.localAddress(), 5000);
      plain.setSoTimeout(10_000);
      var in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
      var out = plain.getOutputStream();
      assertThat(in.readLine()).startsWith("220 ");
      out.write("EHLO c\r\n".getBytes(StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()).startsWith("250-")) {}
      assertThat(line).isEqualTo("250 STARTTLS");
      out.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("220 2.0.0");
      SSLSocket tls =
          (SSLSocket)
              TestTls.client()
                  .getSocketFactory()
                  .createSocket(plain, "localhost", plain.getPort(), true);
      tls.startHandshake();
      var tin =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII));
      tls.getOutputStream().write("EHLO c\r\n".getBytes(StandardCharsets.US_ASCII));
      List<String> lines = new ArrayList<>();
      while ((line = tin.readLine()).startsWith("250-")) {
        lines.add(line);
      }
      lines.add(line);
      assertThat(lines)
          .doesNotContain("250-STARTTLS", "250 STARTTLS")
          .contains("250-ENHANCEDSTATUSCODES", "250 REQUIRETLS");
    }
  }

  @Test
  void serverShouldGreetOverTlsWhenImplicitTls() throws Exception {
    SmtpServer smtp = start(builder().tls(TestTls.server()).implicitTls(true));
    try (SSLSocket s =
        (SSLSocket)
            TestTls.client()
                .getSocketFactory()
                .createSocket("localhost", smtp.localAddress().getPort())) {
      s.setSoTimeout(10_000);
      var in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("220 mx.example.test");
      s.getOutputStream().write("EHLO c\r\n".getBytes(StandardCharsets.US_ASCII));
      String line;
      List<String> lines = new ArrayList<>();
      while ((line = in.readLine()).startsWith("250-")) {
        lines.add(line);
      }
      assertThat(line).isEqualTo("250 REQUIRETLS"); // RFC 8689 §4: only on TLS sessions
    }
  }

  @Test
  void serverShouldReply552AndStayUsableWhenMessageExceedsLimit() throws Exception {
    SmtpServer smtp = start(builder().limits(SmtpLimits.DEFAULTS.withMaxMessageBytes(100)));
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
      c.send("MAIL FROM:<a@example.org> SIZE=1000\r\n");
      assertThat(c.reply()).startsWith("552 5.3.4");
      c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n");
      assertThat(c.reply()).startsWith("250");
      assertThat(c.reply()).startsWith("250");
      assertThat(c.reply()).startsWith("354");
      c.send(("y".repeat(98) + "\r\n").repeat(50) + ".\r\n");
      assertThat(c.reply()).startsWith("552 5.3.4");
      c.send("NOOP\r\n");
      assertThat(c.reply()).isEqualTo("250 2.0.0 OK");
    }
    assertThat(received).isEmpty();
  }

  @Test
  void serverShouldReplyLineTooLongAndUnknownAndStayUsable() throws Exception {
    SmtpServer smtp = start(builder());
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
      c.send("NOOP " + "z".repeat(5000) + "\r\n");
      assertThat(c.reply()).isEqualTo("500 5.5.2 Line too long");
      c.send("XYZZY\r\n");
      assertThat(c.reply()).startsWith("500 5.5.1");
      c.send("NOOP\r\n");
      assertThat(c.reply()).isEqualTo("250 2.0.0 OK");
    }
  }

  @Test
  void serverShouldCloseWhenTenBadCommands() throws Exception {
    SmtpServer smtp = start(builder());
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
      c.send("BAD\r\n".repeat(10));
      for (int i = 0; i < 9; i++) {
        assertThat(c.reply()).startsWith("500 5.5.1");
      }
      assertThat(c.reply()).startsWith("421 4.7.0");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void serverShouldSurviveWhenClientSendsRandomBytes() throws Exception {
    SmtpServer smtp = start(builder());
    Random random = new Random(42);
    for (int round = 0; round < 5; round++) {
      byte[] junk = new byte[64 * 1024];
      random.nextBytes(junk);
      try (RawClient c = new RawClient(smtp.localAddress())) {
        assertThat(c.reply()).startsWith("220");
        try {
          c.sendBytes(junk);
        } catch (IOException e) {
          // the server may have closed already after too many errors
        }
      }
    }
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
    }
  }

  @Test
  void serverShouldCloseWhenClientStalls() throws Exception {
    SmtpServer smtp =
        start(builder().limits(SmtpLimits.DEFAULTS.withIdleTimeout(Duration.ofMillis(300))));
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
      c.send("MAIL FROM:<a@example.org>\r\n");
      assertThat(c.reply()).startsWith("250");
      assertThat(c.reply()).startsWith("421 4.4.2");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void serverShouldReply451WhenDeliveryExceedsDeliveryTimeout() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    SmtpServer smtp =
        start(
            builder()
                .limits(
                    SmtpLimits.DEFAULTS
                        .withRecipientCheckTimeout(Duration.ofMinutes(10))
                        .withDeliveryTimeout(Duration.ofMillis(200)))
                .deliveryHandler(
                    d -> {
                      try {
                        never.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted");
                      }
                    }));
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
      c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n");
      c.reply();
      c.reply();
      assertThat(c.reply()).startsWith("354");
      c.send("x\r\n.\r\n");
      assertThat(c.reply()).startsWith("451 4.3.0");
    }
  }

  @Test
  void serverShouldReply451WhenRecipientCheckExceedsRecipientCheckTimeout() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    SmtpServer smtp =
        start(
            builder()
                .limits(
                    SmtpLimits.DEFAULTS
                        .withRecipientCheckTimeout(Duration.ofMillis(200))
                        .withDeliveryTimeout(Duration.ofMinutes(10)))
                .recipientPolicy(
                    check -> {
                      try {
                        never.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return RecipientDecision.accept();
                    }));
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
      c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\n");
      assertThat(c.reply()).startsWith("250");
      assertThat(c.reply()).startsWith("451 4.3.0");
    }
  }

  @Test
  void serverShouldStayUsableWhenRecipientCheckTimedOut() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    SmtpServer smtp =
        start(
            builder()
                .limits(SmtpLimits.DEFAULTS.withRecipientCheckTimeout(Duration.ofMillis(200)))
                .recipientPolicy(
                    check -> {
                      threads.add(Thread.currentThread().getName());
                      if (calls.incrementAndGet() == 1) {
                        try {
                          never.await();
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt(); // the guard must clear it
                        }
                      }
                      return RecipientDecision.accept();
                    }));
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
      c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\n");
      assertThat(c.reply()).startsWith("250");
      assertThat(c.reply()).startsWith("451 4.3.0");
      // the interrupt that ended the first check must not end the connection's next read
      c.send("RCPT TO:<c@example.test>\r\n");
      assertThat(c.reply()).startsWith("250");
      c.send("NOOP\r\n");
      assertThat(c.reply()).startsWith("250");
    }
    // both checks ran on the connection's own thread, not on one thread each
    assertThat(threads).hasSize(1);
  }

  @Test
  void serverShouldCloseWhenClientPipelinesAndNeverReads() throws Exception {
    SmtpServer smtp =
        start(builder().limits(SmtpLimits.DEFAULTS.withWriteTimeout(Duration.ofMillis(300))));
    assertClosedWhenClientNeverReads(smtp, false);
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c); // the listener still serves others
    }
  }

  @Test
  void serverShouldCloseWhenTlsClientPipelinesAndNeverReads() throws Exception {
    SmtpServer smtp =
        start(
            builder()
                .tls(TestTls.server())
                .implicitTls(true)
                .limits(SmtpLimits.DEFAULTS.withWriteTimeout(Duration.ofMillis(300))));
    assertClosedWhenClientNeverReads(smtp, true);
  }

  /** A client that pipelines thousands of commands and never reads a reply gets closed. */
  private void assertClosedWhenClientNeverReads(SmtpServer smtp, boolean tls) throws Exception {
    byte[] commands = "NOOP\r\nRSET\r\n".repeat(4096).getBytes(StandardCharsets.US_ASCII);
    try (ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor()) {
      Socket plain = new Socket();
      Future<Long> sent;
      try {
        plain.setReceiveBufferSize(4096); // before connect, so the window stays small
        plain.connect(smtp.localAddress(), 5000);
        Socket client = plain;
        if (tls) {
          SSLSocket s =
              (SSLSocket)
                  TestTls.client()
                      .getSocketFactory()
                      .createSocket(plain, "localhost", smtp.localAddress().getPort(), true);
          s.startHandshake();
          client = s;
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> smtp.activeConnections() == 1);
        OutputStream out = client.getOutputStream();
        sent =
            writer.submit(
                () -> {
                  long total = 0;
                  try {
                    // bounded: 256 MiB of commands, far more than any socket buffers hold
                    for (int i = 0; i < (256 << 20) / commands.length; i++) {
                      out.write(commands);
                      total += commands.length;
                    }
                  } catch (IOException e) {
                    // the server closed the connection: expected
                  }
                  return total;
                });
        // RFC 5321 §4.5.3.2 has no write timeout; writeTimeout + watchdog period bounds this
        await().atMost(Duration.ofSeconds(20)).until(() -> smtp.activeConnections() == 0);
      } finally {
        plain.close(); // the TCP socket: also unblocks the writer if it is still blocked
      }
      assertThat(sent.get()).isPositive();
    }
  }

  @Test
  void serverShouldDeliverAllWhenClientsAreConcurrent() throws Exception {
    SmtpServer smtp = start(builder());
    int clients = 25;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        int n = i;
        results.add(
            pool.submit(
                () -> {
                  try (RawClient c = new RawClient(smtp.localAddress())) {
                    ehlo(c);
                    c.send(
                        "MAIL FROM:<a"
                            + n
                            + "@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n");
                    c.reply();
                    c.reply();
                    c.reply();
                    c.send(
                        "Subject: "
                            + n
                            + "\r\n\r\n"
                            + "body\r\n".repeat(n * 100)
                            + ".\r\nQUIT\r\n");
                    return c.reply();
                  }
                }));
      }
      for (Future<String> f : results) {
        assertThat(f.get()).startsWith("250 2.0.0");
      }
    }
    assertThat(received).hasSize(clients);
    assertThat(received.stream().map(r -> r.delivery().sender()).distinct()).hasSize(clients);
  }

  @Test
  void serverShouldRefuseConnectionsWhenMaxConnectionsReached() throws Exception {
    SmtpServer smtp = start(builder().limits(SmtpLimits.DEFAULTS.withMaxConnections(1)));
    try (RawClient first = new RawClient(smtp.localAddress())) {
      assertThat(first.reply()).startsWith("220");
      try (RawClient second = new RawClient(smtp.localAddress())) {
        assertThat(second.reply()).startsWith("421 4.3.2");
        assertThat(second.closedByServer()).isTrue();
      }
      first.send("QUIT\r\n");
      assertThat(first.reply()).startsWith("221");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> smtp.activeConnections() == 0);
    try (RawClient third = new RawClient(smtp.localAddress())) {
      assertThat(third.reply()).startsWith("220");
    }
  }

  @Test
  void closeShouldSay421AndBeIdempotentWhenClientsAreIdle() throws Exception {
    SmtpServer smtp = start(builder());
    try (RawClient c = new RawClient(smtp.localAddress())) {
      ehlo(c);
      await().atMost(Duration.ofSeconds(5)).until(() -> smtp.activeConnections() == 1);
      smtp.close();
      smtp.close();
      assertThat(c.reply()).startsWith("421 4.3.2");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(smtp.activeConnections()).isZero();
    assertThatThrownBy(smtp::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void buildShouldNameMissingSettingsWhenIncomplete() {
    assertThatThrownBy(() -> SmtpServer.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bind, hostname, deliveryHandler");
    assertThatThrownBy(() -> builder().implicitTls(true).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tls");
    assertThatThrownBy(() -> builder().hostname("not a host").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().build().localAddress())
        .isInstanceOf(IllegalStateException.class);
  }
}
