package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SMTP to local accounts: several recipients in one transaction, postmaster, case. */
class LocalDeliveryTest {

  @TempDir Path tmp;
  private CarbonioServer server;

  @BeforeEach
  void start() throws Exception {
    server = CarbonioServer.start(ServerConfig.defaults(tmp.resolve("data")).withEphemeralPorts());
    server.directory().createAccount("kim@localhost", "kim-Secret-1");
    server.directory().createAccount("lee@localhost", "lee-Secret-1");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private int inboxSize(String address) {
    String id = server.directory().findAccount(address).orElseThrow().id();
    return server.store().mailbox(id).snapshot("INBOX").messages().size();
  }

  @Test
  void everyRecipientShouldGetTheMessageWhenOneTransactionNamesSeveral() throws Exception {
    int smtp = server.listener(Listener.Kind.SMTP).orElseThrow().address().getPort();
    try (RawSmtp client = new RawSmtp(smtp)) {
      client.send(
          "sender@example.org",
          List.of("kim@localhost", "LEE@LOCALHOST", "postmaster", "Postmaster@localhost"),
          E2E.crlf("Subject: to many\n\nhello all\n"));
    }
    assertThat(inboxSize("kim@localhost")).isEqualTo(1);
    assertThat(inboxSize("lee@localhost")).isEqualTo(1);
    assertThat(inboxSize(server.adminAddress())).as("postmaster, once").isEqualTo(1);
  }
}
