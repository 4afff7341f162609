package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.carbonio.imap.ImapLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IdleTimeoutTest {
  @RegisterExtension
  static ImapServerExtension imap =
      ImapServerExtension.builder()
          .user("alice", "secret")
          .configure(b -> b.limits(ImapLimits.DEFAULTS.withIdleTimeout(Duration.ofMillis(300))))
          .build();

  @Test
  void serverShouldSayByeWhenClientIdleTooLong() throws IOException {
    try (SocketPeer c = new SocketPeer(imap.host(), imap.port())) {
      assertThat(c.readLine()).startsWith("* OK");
      // RFC 3501 §5.4: the server may close an idle connection after its autologout timer
      assertThat(c.readLine()).isEqualTo("* BYE Autologout; idle too long");
      assertThat(c.readLine()).isNull();
    }
  }
}
