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
 * SPF and DMARC on the MX listener, end to end: the client connects from 127.0.0.2 (127.0.0.1 is
 * exempt, like policyd-spf's skip_addresses), and the domains' policies are in a private DNS
 * server.
 */
class DmarcEndToEndTest {

  private static DnsServer dns;

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension()
          .account("alice@localhost", "alice-Secret-1")
          .mta(() -> MtaClient.mta(List.of(), dns, 25));

  @BeforeAll
  static void dns() throws IOException {
    dns = DnsServer.start();
    dns.txt("reject.example", "v=spf1 -all").txt("_dmarc.reject.example", "v=DMARC1; p=reject");
    dns.txt("quarantine.example", "v=spf1 -all")
        .txt("_dmarc.quarantine.example", "v=DMARC1; p=quarantine");
    dns.txt("pass.example", "v=spf1 ip4:127.0.0.2 -all")
        .txt("_dmarc.pass.example", "v=DMARC1; p=reject");
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  /** Sends from 127.0.0.2 as {@code from} (envelope and header) to alice; the DATA reply. */
  private MtaClient.Reply send(String from, String subject) throws Exception {
    try (MtaClient c =
        MtaClient.connect(
            carbonio.dataDir(), "127.0.0.2", carbonio.port(Listener.Kind.SMTP), false)) {
      assertThat(c.command("EHLO client.example.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<" + from + ">").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<alice@localhost>").code()).isEqualTo(250);
      return c.data(
          E2E.crlf(
              "From: <"
                  + from
                  + ">\nTo: alice@localhost\nSubject: "
                  + subject
                  + "\nMessage-ID: <"
                  + subject
                  + "@example>\n\nbody\n"));
    }
  }

  @Test
  void messageShouldBeRefusedWhenDmarcPolicyIsRejectAndSpfFails() throws Exception {
    MtaClient.Reply reply = send("ceo@reject.example", "forged");
    // RFC 7489 §6.7: the domain owner asked for rejection
    assertThat(reply.code()).as(reply.toString()).isEqualTo(550);
    assertThat(reply.last()).startsWith("5.7.1");
    assertThat(carbonio.inboxSize("alice@localhost")).isZero();
    assertThat(MtaClient.messages(carbonio.server(), "alice@localhost", "Junk")).isEmpty();
    assertThat(carbonio.server().queue().list()).isEmpty();
  }

  @Test
  void messageShouldLandInJunkWhenDmarcPolicyIsQuarantineAndSpfFails() throws Exception {
    MtaClient.Reply reply = send("ceo@quarantine.example", "suspicious");
    assertThat(reply.code()).as(reply.toString()).isEqualTo(250);
    assertThat(carbonio.inboxSize("alice@localhost")).isZero();
    List<byte[]> junk = MtaClient.messages(carbonio.server(), "alice@localhost", "Junk");
    assertThat(junk).hasSize(1);
    assertThat(MtaClient.text(junk.getFirst()))
        .contains("Subject: suspicious")
        .containsPattern("Authentication-Results: localhost;[\\s\\S]*spf=fail")
        .containsPattern("dmarc=fail");
  }

  @Test
  void messageShouldLandInInboxWithAuthenticationResultsWhenSpfAndDmarcPass() throws Exception {
    MtaClient.Reply reply = send("news@pass.example", "genuine");
    assertThat(reply.code()).as(reply.toString()).isEqualTo(250);
    List<byte[]> inbox = MtaClient.messages(carbonio.server(), "alice@localhost", "INBOX");
    assertThat(inbox).hasSize(1);
    String stored = MtaClient.text(inbox.getFirst());
    // RFC 8601 §2.2: authserv-id first, then one resinfo per method
    assertThat(stored)
        .containsPattern("Authentication-Results: localhost;[\\s\\S]*spf=pass")
        .containsPattern("smtp.mailfrom=\"?news@pass.example")
        .containsPattern("dmarc=pass[^;]*header.from=pass.example")
        .contains("Subject: genuine");
    assertThat(stored.indexOf("Authentication-Results:"))
        .isLessThan(stored.indexOf("Subject: genuine"));
    assertThat(MtaClient.messages(carbonio.server(), "alice@localhost", "Junk")).isEmpty();
  }
}
