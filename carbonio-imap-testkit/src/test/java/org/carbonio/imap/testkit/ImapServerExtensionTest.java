package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ImapServerExtensionTest {
  @RegisterExtension
  static ImapServerExtension imap = ImapServerExtension.builder().user("alice", "secret").build();

  @Test
  void extensionShouldServeDeliveredMessageWhenLoggedIn() throws IOException {
    assertThat(imap.port()).isPositive();
    imap.deliver("alice", "Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
    try (SocketPeer c = new SocketPeer(imap.host(), imap.port())) {
      assertThat(c.readLine()).contains("AUTH=PLAIN");
      c.send("a LOGIN alice secret\r\nb SELECT INBOX\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(c.readLine()).startsWith("a OK");
      assertThat(c.readLine()).startsWith("* FLAGS");
      assertThat(c.readLine()).isEqualTo("* 1 EXISTS");
    }
  }

  @Test
  void extensionShouldStartFreshBackendWhenNextTest() {
    assertThat(imap.backend().messages("alice", "INBOX")).isEmpty();
  }
}
