package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.carbonio.smtp.testkit.DnsServer;
import org.carbonio.smtp.testkit.SmtpSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server delivers outbound mail to Postfix's smtp-sink, found through an MX record. */
class SmtpSinkOutboundTest {

  private static final String PASSWORD = "alice-Secret-1";
  private static DnsServer dns;
  private static SmtpSink sink;

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension()
          .account("alice@localhost", PASSWORD)
          .mta(() -> MtaClient.mta(List.of(), dns, sink.port()));

  @BeforeAll
  static void peers() throws IOException {
    dns = DnsServer.start();
    dns.mx("sink.example", 10, "mx.sink.example").a("mx.sink.example", "127.0.0.1");
    sink = SmtpSink.start(true);
  }

  @AfterAll
  static void stopPeers() throws IOException {
    try {
      if (sink != null) {
        sink.close();
      }
    } finally {
      if (dns != null) {
        dns.close();
      }
    }
  }

  @Test
  void messagesShouldReachSmtpSinkWhenItIsTheRemoteMx() throws Exception {
    for (int i = 0; i < 3; i++) {
      MtaClient.Reply reply =
          MtaClient.submit(
              carbonio.dataDir(),
              carbonio.port(Listener.Kind.SUBMISSION),
              "alice@localhost",
              PASSWORD,
              "<alice@localhost>",
              List.of("<any" + i + "@sink.example>"),
              E2E.crlf("From: alice@localhost\nSubject: sink " + i + "\n\nto the sink\n"));
      assertThat(reply.code()).as(reply.toString()).isEqualTo(250);
    }
    sink.awaitReceived(3, Duration.ofSeconds(30));
    // smtp-sink writes each dump file while it reads, and may leave an empty one for a connection
    // without a transaction: wait until the three transactions are complete
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(dumps().stream().filter(d -> !d.isBlank()).toList())
                    .hasSize(3)
                    .allSatisfy(d -> assertThat(d).contains("X-Mail-Args: <alice@localhost>"))
                    .anySatisfy(d -> assertThat(d).contains("Subject: sink 0"))
                    .anySatisfy(d -> assertThat(d).contains("Subject: sink 1"))
                    .anySatisfy(d -> assertThat(d).contains("Subject: sink 2")));
    await().atMost(Duration.ofSeconds(10)).until(() -> carbonio.server().queue().list().isEmpty());
  }

  private static List<String> dumps() throws IOException {
    return sink.receivedFiles().stream()
        .map(
            p -> {
              try {
                return Files.readString(p, StandardCharsets.ISO_8859_1);
              } catch (IOException e) {
                throw new AssertionError(e);
              }
            })
        .toList();
  }
}
