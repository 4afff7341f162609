package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.carbonio.store.internal.blob.S3Fixture;
import org.carbonio.store.testkit.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server on the multi-node backends: metadata in a private PostgreSQL, blobs in S3 (S3Proxy on
 * 127.0.0.1), selected by configuration. Mail goes in over SMTP and comes out over IMAP; the rows
 * and the object are where the configuration says, and nothing lands in the embedded store.
 */
class ExternalStoreTest {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  @TempDir static Path s3Data;
  private static S3Fixture s3;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Fixture.start(s3Data);
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void serverShouldKeepMailInPostgresAndS3WhenConfiguredSo(@TempDir Path root) throws Exception {
    Path pgPassword = Files.writeString(root.resolve("pg-password"), PG.password() + "\n");
    Path s3Secret = Files.writeString(root.resolve("s3-secret"), S3Fixture.CREDENTIAL);
    String prefix = s3.newPrefix();
    StoreBackends backends =
        StoreBackends.EMBEDDED
            .withPostgres(new StoreBackends.Postgres(PG.jdbcUrl(), PG.user(), pgPassword))
            .withS3(
                new StoreBackends.S3(
                    s3.endpoint(),
                    "us-east-1",
                    S3Fixture.BUCKET,
                    prefix,
                    S3Fixture.IDENTITY,
                    s3Secret));
    Path data = root.resolve("data");
    ServerConfig config = ServerConfig.defaults(data).withEphemeralPorts().withStore(backends);
    try (CarbonioServer server = CarbonioServer.start(config)) {
      server.directory().createAccount("kim@localhost", "kim-Secret-1");
      RawSmtp.deliver(
          server.port(Listener.Kind.SMTP),
          "kim@localhost",
          // Above the inline limit (32 KiB), so that the content is an S3 object.
          E2E.crlf(
              "Subject: external\n\nkept in PostgreSQL and S3\n"
                  + "filler line for a message above the inline limit\n".repeat(1000)));
      try (RawImap imap = new RawImap(E2E.trusting(data), server.port(Listener.Kind.IMAPS))) {
        assertThat(imap.command("LOGIN kim@localhost kim-Secret-1").getLast()).contains("OK");
        assertThat(imap.command("SELECT INBOX")).contains("* 1 EXISTS");
        assertThat(String.join("\n", imap.command("FETCH 1 BODY[TEXT]")))
            .contains("kept in PostgreSQL and S3");
      }
    }
    try (Connection c = DriverManager.getConnection(PG.jdbcUrl(), PG.user(), PG.password());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM messages")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(1);
    }
    assertThat(s3.objectCount(prefix)).isEqualTo(1);
    assertThat(data.resolve("store/metadata.db")).doesNotExist();
    assertThat(data.resolve("store/blobs")).doesNotExist();
  }
}
