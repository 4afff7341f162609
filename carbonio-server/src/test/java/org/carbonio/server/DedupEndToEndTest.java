package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.carbonio.directory.EmbeddedDirectory;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.store.BlobId;
import org.carbonio.store.MessageInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One SMTP transaction to 100 local recipients stores the content once. */
class DedupEndToEndTest {

  private static final int RECIPIENTS = 100;

  @TempDir Path tmp;

  @Test
  void messageToHundredRecipientsShouldStoreOneBlobWhenDeliveredInOneTransaction()
      throws Exception {
    // RFC 5321 §4.5.3.1.8: a server must accept at least 100 recipients per transaction.
    assertThat(SmtpLimits.DEFAULTS.maxRecipients()).isGreaterThanOrEqualTo(RECIPIENTS);
    Path data = tmp.resolve("data");
    List<String> addresses = new ArrayList<>();
    // Cheap password hashes: 100 accounts at the default work factor would take many seconds.
    try (EmbeddedDirectory directory = E2E.cheapDirectory(data)) {
      directory.createDomain(ServerConfig.DEFAULT_DOMAIN);
      for (int i = 0; i < RECIPIENTS; i++) {
        String address = "user" + i + "@" + ServerConfig.DEFAULT_DOMAIN;
        directory.createAccount(address, "Secret-" + i);
        addresses.add(address);
      }
    }
    byte[] message = E2E.crlf("Subject: to a hundred\nMessage-ID: <hundred@test>\n\nsame bytes\n");
    try (CarbonioServer server =
        CarbonioServer.start(ServerConfig.defaults(data).withEphemeralPorts())) {
      try (RawSmtp smtp = new RawSmtp(server.port(Listener.Kind.SMTP))) {
        smtp.command("MAIL FROM:<sender@example.org>", "250");
        for (String to : addresses) {
          smtp.command("RCPT TO:<" + to + ">", "250");
        }
        smtp.command("RCPT TO:<postmaster>", "452"); // RFC 5321 §4.5.3.1.10: one too many
        smtp.command("DATA", "354");
        smtp.command(
            new String(message, java.nio.charset.StandardCharsets.ISO_8859_1) + ".", "250");
      }

      // Stored once: one blob, referenced 100 times (small, so kept inline, not as a file).
      assertThat(blobRows(data.resolve("store").resolve("metadata.db"))).containsExactly(100L);
      Set<BlobId> blobs = new HashSet<>();
      for (String address : addresses) {
        String id = server.directory().findAccount(address).orElseThrow().id();
        List<MessageInfo> inbox = server.store().mailbox(id).snapshot("INBOX").messages();
        assertThat(inbox).as(address).hasSize(1);
        blobs.add(inbox.getFirst().blobId());
        E2E.assertStoredAsSent(server.store().mailbox(id).read("INBOX", 1), message);
      }
      assertThat(blobs).hasSize(1);
      String admin = server.directory().findAccount(server.adminAddress()).orElseThrow().id();
      assertThat(server.store().mailbox(admin).snapshot("INBOX").messages()).isEmpty();
      assertThat(server.store().check(Optional.empty(), false).findings()).isEmpty();
    }
  }

  /** The reference count of every blob row. */
  private static List<Long> blobRows(Path db) throws Exception {
    List<Long> counts = new java.util.ArrayList<>();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT refcount FROM blobs")) {
      while (rs.next()) {
        counts.add(rs.getLong(1));
      }
    }
    return counts;
  }
}
