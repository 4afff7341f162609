package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.carbonio.smtp.testkit.PostfixServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A private Postfix relays mail into the server's MX listener; swaks sends to Postfix. */
class PostfixInboundTest {

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension().account("alice@localhost", "alice-Secret-1");

  @TempDir Path tmp;

  @Test
  void mailSentToPostfixShouldLandInInboxWhenPostfixRelaysToServer() throws Exception {
    byte[] message =
        E2E.crlf(
            "From: Sender <sender@example.org>\nTo: alice@localhost\n"
                + "Subject: through Postfix\nMessage-ID: <via-postfix@example.org>\n\n"
                + "Relayed by Postfix.\n");
    Path data = Files.write(tmp.resolve("m.eml"), Arrays.copyOf(message, message.length - 2));
    try (PostfixServer postfix =
        PostfixServer.builder()
            .relayTo(carbonio.server().listener(Listener.Kind.SMTP).orElseThrow().address())
            .start()) {
      ExternalTool.run(
              List.of(
                  "swaks",
                  "--server",
                  "127.0.0.1",
                  "--port",
                  Integer.toString(postfix.port()),
                  "--from",
                  "sender@example.org",
                  "--to",
                  "alice@localhost",
                  "--data",
                  "@" + data))
          .assertSuccess();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> carbonio.inboxSize("alice@localhost") == 1);
      postfix.awaitQueueEmpty(Duration.ofSeconds(10));
      assertThat(postfix.maillogText()).contains("status=sent");
    }
    String stored =
        MtaClient.text(
            MtaClient.messages(carbonio.server(), "alice@localhost", "INBOX").getFirst());
    // Two trace fields, newest first (RFC 5321 §4.4): ours, then Postfix's
    int ours = stored.indexOf("Received: from postfix.test");
    int postfixTrace = stored.indexOf("by postfix.test (Postfix)");
    assertThat(ours).as(stored).isZero();
    assertThat(postfixTrace).isGreaterThan(ours);
    assertThat(stored).contains("Subject: through Postfix").contains("Relayed by Postfix.");
  }
}
