package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SMTP to local accounts: several recipients in one transaction, postmaster, case. */
class LocalDeliveryTest {

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension()
          .account("kim@localhost", "kim-Secret-1")
          .account("lee@localhost", "lee-Secret-1");

  private CarbonioServer server;

  @BeforeEach
  void start() throws Exception {
    server = carbonio.server();
  }

  @Test
  void everyRecipientShouldGetTheMessageWhenOneTransactionNamesSeveral() throws Exception {
    int smtp = server.port(Listener.Kind.SMTP);
    try (RawSmtp client = new RawSmtp(smtp)) {
      client.send(
          "sender@example.org",
          List.of("kim@localhost", "LEE@LOCALHOST", "postmaster", "Postmaster@localhost"),
          E2E.crlf("Subject: to many\n\nhello all\n"));
    }
    assertThat(carbonio.inboxSize("kim@localhost")).isEqualTo(1);
    assertThat(carbonio.inboxSize("lee@localhost")).isEqualTo(1);
    assertThat(carbonio.inboxSize(server.adminAddress())).as("postmaster, once").isEqualTo(1);
  }
}
