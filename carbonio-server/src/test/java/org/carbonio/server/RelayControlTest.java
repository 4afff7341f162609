package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.carbonio.smtp.testkit.DnsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No open relay (RFC 5321 §3.6.2, RFC 2505): who may send to a remote domain through which
 * listener. Clients bind other loopback addresses (Linux routes 127.0.0.0/8 to lo).
 */
class RelayControlTest {

  private static final String PASSWORD = "alice-Secret-1";
  private static DnsServer dns;

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension()
          .account("alice@localhost", PASSWORD)
          .account("bob@localhost", "bob-Secret-1")
          .mta(() -> MtaClient.mta(List.of(), dns, 25));

  @BeforeAll
  static void dns() throws IOException {
    dns = DnsServer.start();
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  /** RCPT to {@code recipient} from a client bound to {@code from} on the MX listener. */
  private MtaClient.Reply rcptOnMx(String from, String recipient) throws Exception {
    try (MtaClient c =
        MtaClient.connect(carbonio.dataDir(), from, carbonio.port(Listener.Kind.SMTP), false)) {
      assertThat(c.command("EHLO client.example.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<someone@example.org>").code()).isEqualTo(250);
      return c.command("RCPT TO:<" + recipient + ">");
    }
  }

  private static void assertRelayDenied(MtaClient.Reply reply) {
    assertThat(reply.code()).as(reply.toString()).isEqualTo(550);
    assertThat(reply.last()).startsWith("5.7.1");
  }

  @Test
  void mxShouldDenyRelayWhenClientUnauthenticatedFromAnyLoopbackAddress() throws Exception {
    for (String from : new String[] {"127.0.0.1", "127.0.0.2"}) {
      assertRelayDenied(rcptOnMx(from, "victim@example.net"));
      assertRelayDenied(rcptOnMx(from, "VICTIM@Example.NET"));
      // RFC 5321 §4.1.1.3 source route: the route is ignored, the mailbox is remote
      try (MtaClient c =
          MtaClient.connect(carbonio.dataDir(), from, carbonio.port(Listener.Kind.SMTP), false)) {
        c.command("EHLO client.example.test");
        c.command("MAIL FROM:<someone@example.org>");
        MtaClient.Reply routed = c.command("RCPT TO:<@localhost:victim@example.net>");
        assertThat(routed.code()).as(routed.toString()).isBetween(500, 599);
        // the %-hack is a local part here, not a route: an unknown local user
        MtaClient.Reply percent = c.command("RCPT TO:<victim%example.net@localhost>");
        assertThat(percent.code()).as(percent.toString()).isBetween(500, 599);
      }
      // a local recipient is still welcome
      assertThat(rcptOnMx(from, "alice@localhost").code()).isEqualTo(250);
    }
  }

  @Test
  void relayNetworksShouldLetOnlyListedClientsRelayWhenConfigured() throws Exception {
    carbonio.restart(MtaClient.mta(List.of("127.0.0.2/32"), dns, 25));
    assertThat(rcptOnMx("127.0.0.2", "victim@example.net").code()).isEqualTo(250);
    assertRelayDenied(rcptOnMx("127.0.0.3", "victim@example.net"));
    assertRelayDenied(rcptOnMx("127.0.0.1", "victim@example.net"));
  }

  @Test
  void submissionShouldRelayOnlyWhenAuthenticatedAsTheSender() throws Exception {
    try (MtaClient c =
        MtaClient.connect(
            carbonio.dataDir(), "127.0.0.2", carbonio.port(Listener.Kind.SUBMISSION), false)) {
      c.command("EHLO client.example.test");
      c.startTls("client.example.test");
      assertThat(c.authPlain("alice@localhost", PASSWORD).code()).isEqualTo(235);
      assertThat(c.command("MAIL FROM:<alice@localhost>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<victim@example.net>").code()).isEqualTo(250);
      assertThat(c.command("RSET").code()).isEqualTo(250);
      // Postfix reject_sender_login_mismatch: bob's address is not alice's to use
      assertThat(c.command("MAIL FROM:<bob@localhost>").code()).isEqualTo(250);
      MtaClient.Reply mismatch = c.command("RCPT TO:<victim@example.net>");
      assertThat(mismatch.code()).as(mismatch.toString()).isEqualTo(553);
      assertThat(c.command("RSET").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<forged@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<alice@localhost>").code()).isEqualTo(553);
    }
  }

  @Test
  void lmtpShouldRefuseRemoteRecipients() throws Exception {
    try (MtaClient c =
        MtaClient.connect(carbonio.dataDir(), null, carbonio.port(Listener.Kind.LMTP), false)) {
      assertThat(c.command("LHLO client.example.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<someone@example.org>").code()).isEqualTo(250);
      assertRelayDenied(c.command("RCPT TO:<victim@example.net>"));
      assertThat(c.command("RCPT TO:<alice@localhost>").code()).isEqualTo(250);
    }
  }
}
