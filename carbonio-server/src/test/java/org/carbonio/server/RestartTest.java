package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server acknowledged survives SIGKILL: same UID, same flags, same bytes. */
class RestartTest {

  @TempDir Path tmp;

  @Test
  void acknowledgedMessageShouldSurviveWhenServerKilledWithSigkill() throws Exception {
    Path data = tmp.resolve("data");
    byte[] message = E2E.crlf("Subject: durable\nMessage-ID: <durable@test>\n\nkeep me\n");
    String fetchedBefore;
    try (ServerProcess server = ServerProcess.start(data, "--domain", "example.test")) {
      String password = java.nio.file.Files.readString(data.resolve("admin-password")).strip();
      assertThat(server.banner()).contains("ready");
      assertThat(server.banner())
          .anyMatch(
              l -> l.startsWith("smtp ") || l.startsWith("smtp\t") || l.matches("^smtp\\s+.*"));
      RawSmtp.deliver(server.port("smtp"), "admin@example.test", message);
      SSLContext trust = E2E.trusting(data);
      try (RawImap imap = new RawImap(trust, server.port("imaps"))) {
        assertThat(imap.command("LOGIN admin@example.test " + password).getLast()).contains("OK");
        assertThat(imap.command("SELECT INBOX").getLast()).contains("OK");
        assertThat(imap.command("UID STORE 1:* +FLAGS (\\Flagged $Important)").getLast())
            .contains("OK");
        List<String> fetch = imap.command("UID FETCH 1:* (UID FLAGS RFC822.SIZE)");
        fetchedBefore = fetch.getFirst();
      }
      server.kill();
    }
    assertThat(data.resolve("server.json")).exists();

    try (ServerProcess server = ServerProcess.start(data, "--domain", "example.test")) {
      String password = java.nio.file.Files.readString(data.resolve("admin-password")).strip();
      List<E2E.Fetched> inbox =
          E2E.imaplibFetch(
              data, server.port("imaps"), "ssl", "admin@example.test", password, "INBOX");
      assertThat(inbox).hasSize(1);
      E2E.assertStoredAsSent(inbox.getFirst().body(), message);
      assertThat(inbox.getFirst().flags()).contains("\\Flagged").contains("$Important");
      try (RawImap imap = new RawImap(E2E.trusting(data), server.port("imaps"))) {
        imap.command("LOGIN admin@example.test " + password);
        imap.command("EXAMINE INBOX");
        assertThat(imap.command("UID FETCH 1:* (UID FLAGS RFC822.SIZE)").getFirst())
            .isEqualTo(fetchedBefore);
      }
    }
  }
}
