package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.carbonio.directory.AccountStatus;
import org.carbonio.directory.ClassOfService;
import org.carbonio.directory.Directory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SMTP delivery through the directory's model: aliases, alias domains, nested distribution lists,
 * account statuses and quotas from classes of service.
 */
class DirectoryDeliveryTest {

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension()
          .account("kim@localhost", "kim-Secret-1")
          .account("lee@localhost", "lee-Secret-1");

  private Directory directory;
  private int smtp;

  @BeforeEach
  void start() {
    directory = carbonio.server().directory();
    smtp = carbonio.port(Listener.Kind.SMTP);
  }

  private static byte[] message(String subject) {
    return E2E.crlf("Subject: " + subject + "\n\nhello\n");
  }

  @Test
  void aliasesAliasDomainsAndNestedListsShouldReachEachAccountOnce() throws Exception {
    directory.addAlias("kim@localhost", "k@localhost");
    directory.createAliasDomain("alias.test", "localhost");
    directory.createList("team@localhost", "Team");
    directory.createList("all@localhost", "");
    directory.addListMember("team@localhost", "kim@localhost");
    directory.addListMember("all@localhost", "team@localhost");
    directory.addListMember("all@localhost", "lee@localhost");
    try (RawSmtp client = new RawSmtp(smtp)) {
      client.send("s@example.org", "k@localhost", message("alias"));
      client.send("s@example.org", "LEE@alias.test", message("alias domain"));
      // kim is reached through the list and directly: one copy
      client.send("s@example.org", List.of("all@localhost", "kim@alias.test"), message("list"));
    }
    assertThat(carbonio.inboxSize("kim@localhost")).isEqualTo(2);
    assertThat(carbonio.inboxSize("lee@localhost")).isEqualTo(2);
  }

  @Test
  void statusShouldDeferMaintenanceRejectClosedAndDeliverLocked() throws Exception {
    directory.setStatus("kim@localhost", AccountStatus.MAINTENANCE);
    directory.setStatus("lee@localhost", AccountStatus.CLOSED);
    try (RawSmtp client = new RawSmtp(smtp)) {
      client.command("MAIL FROM:<s@example.org>", "250");
      assertThat(client.command("RCPT TO:<kim@localhost>", "450")).contains("4.2.1");
      assertThat(client.command("RCPT TO:<lee@localhost>", "550")).contains("5.2.1");
      client.command("RSET", "250");
    }
    directory.setStatus("kim@localhost", AccountStatus.LOCKED);
    RawSmtp.deliver(smtp, "kim@localhost", message("locked still receives"));
    assertThat(carbonio.inboxSize("kim@localhost")).isEqualTo(1);
  }

  @Test
  void quotaOfTheClassOfServiceShouldRefuseMailThatDoesNotFit() throws Exception {
    directory.createClassOfService(new ClassOfService("tiny", OptionalLong.of(200), Map.of(), 1));
    directory.setClassOfService("kim@localhost", "tiny");
    try (RawSmtp client = new RawSmtp(smtp)) {
      client.command("MAIL FROM:<s@example.org>", "250");
      client.command("RCPT TO:<kim@localhost>", "250");
      client.command("DATA", "354");
      client.write(E2E.crlf("Subject: big\n\n" + "x".repeat(500) + "\n.\n"));
      assertThat(client.expect("552")).contains("5.2.2");
    }
    assertThat(carbonio.inboxSize("kim@localhost")).isZero();
    directory.setQuota("kim@localhost", OptionalLong.of(1_000_000)); // the account's own wins
    RawSmtp.deliver(smtp, "kim@localhost", message("fits now"));
    assertThat(carbonio.inboxSize("kim@localhost")).isEqualTo(1);
  }
}
