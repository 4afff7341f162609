package org.carbonio.smtp.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.carbonio.smtp.abuse.Sessions.ip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.smtp.SmtpMode;
import org.carbonio.smtp.SmtpServer;
import org.carbonio.smtp.spi.RecipientDecision;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The abuse controls over real sockets: clients connect from 127.0.0.2, 127.0.0.3, ... (Linux
 * routes all of 127/8 to the loopback interface), so each is a different client.
 */
class SmtpServerAbuseTest {

  @TempDir Path spool;
  private final TestClock clock = new TestClock();
  private final AtomicInteger delivered = new AtomicInteger();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private SmtpServer start(SmtpServer.Builder b) throws IOException {
    SmtpServer s =
        b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .hostname("mx.example.test")
            .spoolDirectory(spool)
            .deliveryHandler(d -> delivered.incrementAndGet())
            .build()
            .start();
    open.add(s);
    return s;
  }

  private Client connect(SmtpServer s, String from) throws IOException {
    Client c = new Client(s.localAddress(), ip(from));
    open.add(c);
    return c;
  }

  private static ClientLimits limits() {
    return ClientLimits.DEFAULTS.withExempt(List.of());
  }

  @Test
  void connectShouldGet421WhenTheClientHasTooManyConnections() throws IOException {
    ClientLimiter limiter = ClientLimiter.create(limits().withMaxConcurrentConnections(2), clock);
    SmtpServer s = start(SmtpServer.builder().clientLimiter(limiter));
    Client a = connect(s, "127.0.0.2");
    Client b = connect(s, "127.0.0.2");
    assertThat(a.reply()).startsWith("220 ");
    assertThat(b.reply()).startsWith("220 ");
    Client c = connect(s, "127.0.0.2");
    assertThat(c.reply())
        .isEqualTo("421 4.7.0 mx.example.test Too many connections from your address");
    assertThat(c.closedByServer()).isTrue();
    Client other = connect(s, "127.0.0.3");
    assertThat(other.reply()).startsWith("220 ");
    a.send("QUIT\r\n");
    assertThat(a.reply()).startsWith("221 ");
    assertThat(a.closedByServer()).isTrue();
    // the slot comes back once the server has ended a's connection
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> s.activeConnections() == 2);
    Client d = connect(s, "127.0.0.2");
    assertThat(d.reply()).startsWith("220 ");
  }

  @Test
  void connectShouldGet421WhenTheConnectionRateIsExceeded() throws IOException {
    ClientLimiter limiter = ClientLimiter.create(limits().withMaxConnectionsPerWindow(3), clock);
    SmtpServer s = start(SmtpServer.builder().clientLimiter(limiter));
    for (int i = 0; i < 3; i++) {
      Client c = connect(s, "127.0.0.4");
      assertThat(c.reply()).startsWith("220 ");
      c.send("QUIT\r\n");
    }
    Client refused = connect(s, "127.0.0.4");
    assertThat(refused.reply())
        .isEqualTo("421 4.7.0 mx.example.test Too many connections from your address, slow down");
    clock.advance(Duration.ofMinutes(2));
    assertThat(connect(s, "127.0.0.4").reply()).startsWith("220 ");
  }

  @Test
  void mailShouldGet450WhenTheMessageRateIsExceeded() throws IOException {
    ClientLimiter limiter = ClientLimiter.create(limits().withMaxMessagesPerWindow(2), clock);
    SmtpServer s = start(SmtpServer.builder().clientLimiter(limiter));
    Client c = connect(s, "127.0.0.5");
    c.reply();
    c.send("EHLO client.example\r\n").reply();
    for (int i = 0; i < 2; i++) {
      assertThat(c.send("MAIL FROM:<a@example.net>\r\n").reply()).startsWith("250 ");
      assertThat(c.send("RCPT TO:<b@example.com>\r\n").reply()).startsWith("250 ");
      assertThat(c.send("DATA\r\n").reply()).startsWith("354");
      assertThat(c.send("Subject: hi\r\n\r\nhello\r\n.\r\n").reply()).startsWith("250 ");
    }
    assertThat(c.send("MAIL FROM:<a@example.net>\r\n").reply()).startsWith("250 ");
    assertThat(c.send("RCPT TO:<b@example.com>\r\n").reply())
        .isEqualTo("450 4.7.1 Too many messages from your address, slow down");
    assertThat(delivered).hasValue(2);
    Client other = connect(s, "127.0.0.6");
    other.reply();
    other.send("HELO client.example\r\n").reply();
    other.send("MAIL FROM:<a@example.net>\r\n").reply();
    assertThat(other.send("RCPT TO:<b@example.com>\r\n").reply()).startsWith("250 ");
  }

  @Test
  void rcptShouldGet450WhenTheRecipientRateIsExceeded() throws IOException {
    ClientLimiter limiter = ClientLimiter.create(limits().withMaxRecipientsPerWindow(3), clock);
    SmtpServer s = start(SmtpServer.builder().clientLimiter(limiter));
    Client c = connect(s, "127.0.0.7");
    c.reply();
    c.send("HELO client.example\r\n").reply();
    c.send("MAIL FROM:<a@example.net>\r\n").reply();
    for (int i = 0; i < 3; i++) {
      assertThat(c.send("RCPT TO:<b" + i + "@example.com>\r\n").reply()).startsWith("250 ");
    }
    assertThat(c.send("RCPT TO:<b9@example.com>\r\n").reply())
        .isEqualTo("450 4.7.1 Too many recipients from your address, slow down");
  }

  @Test
  void connectShouldNotBeLimitedWhenLoopbackAndDefaults() throws IOException {
    SmtpServer s = start(SmtpServer.builder()); // ClientLimits.DEFAULTS: loopback exempt
    List<Client> many = new ArrayList<>();
    for (int i = 0; i < ClientLimits.DEFAULT_MAX_CONCURRENT + 5; i++) {
      many.add(connect(s, "127.0.0.1"));
    }
    for (Client c : many) {
      assertThat(c.reply()).startsWith("220 ");
    }
  }

  @Test
  void lmtpShouldNotBeLimitedByDefault() throws IOException {
    SmtpServer s = start(SmtpServer.builder().mode(SmtpMode.LMTP));
    assertThat(s.toBuilder()).isNotNull();
    for (int i = 0; i < ClientLimits.DEFAULT_MAX_CONCURRENT + 5; i++) {
      assertThat(connect(s, "127.0.0.8").reply()).startsWith("220 ");
    }
  }

  @Test
  void rcptShouldBeGreylistedThenAcceptedWhenTheClientRetries() throws IOException {
    Greylist greylist =
        Greylist.builder(
                c ->
                    c.recipient().endsWith("@example.com")
                        ? RecipientDecision.accept()
                        : RecipientDecision.reject(550, "5.7.1", "Relaying denied"))
            .exemptNetworks(List.of())
            .clock(clock)
            .build();
    open.add(greylist);
    SmtpServer s = start(SmtpServer.builder().recipientPolicy(greylist));
    Client c = connect(s, "127.0.0.9");
    c.reply();
    c.send("HELO client.example\r\n").reply();
    c.send("MAIL FROM:<a@example.net>\r\n").reply();
    assertThat(c.send("RCPT TO:<b@example.com>\r\n").reply())
        .isEqualTo("451 4.7.1 Greylisted, try again in 300 seconds");
    assertThat(c.send("RCPT TO:<b@elsewhere.example>\r\n").reply())
        .isEqualTo("550 5.7.1 Relaying denied");
    clock.advance(Duration.ofMinutes(5));
    assertThat(c.send("RCPT TO:<b@example.com>\r\n").reply()).startsWith("250 ");
  }

  /** A line client whose socket is bound to a chosen loopback address. */
  static final class Client implements AutoCloseable {
    private final Socket socket = new Socket();
    private final BufferedReader in;
    private final OutputStream out;

    Client(InetSocketAddress server, InetAddress from) throws IOException {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(server, 5000);
      socket.setSoTimeout(10_000);
      in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      out = socket.getOutputStream();
    }

    Client send(String s) throws IOException {
      out.write(s.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return this;
    }

    String reply() throws IOException {
      StringBuilder sb = new StringBuilder();
      while (true) {
        String line = in.readLine();
        if (line == null) {
          return sb.isEmpty() ? null : sb.toString();
        }
        sb.append(sb.isEmpty() ? "" : "\n").append(line);
        if (line.length() < 4 || line.charAt(3) != '-') {
          return sb.toString();
        }
      }
    }

    boolean closedByServer() throws IOException {
      try {
        return in.read() < 0;
      } catch (java.net.SocketException e) {
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
