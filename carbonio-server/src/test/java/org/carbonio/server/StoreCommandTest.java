package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.carbonio.server.cli.Main;
import org.carbonio.server.internal.AdminApi;
import org.carbonio.store.BlobId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code carbonio store check} on the store of a stopped server, damaged on purpose. */
class StoreCommandTest {

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension()
          .account("kim@localhost", "kim-Secret-1")
          .account("lee@localhost", "lee-Secret-1");

  @TempDir Path tmp;
  private Path data;
  private Path store;
  private BlobId shared;
  private BlobId kimOnly;

  record Outcome(int exitCode, String out, String err) {}

  private Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("store", "--data", data.toString(), "check"));
    all.addAll(List.of(args));
    int code =
        Main.commandLine()
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(all.toArray(String[]::new));
    return new Outcome(code, out.toString(), err.toString());
  }

  /** Lines that take a test message above the store's inline limit (32 KiB). */
  private static final int BLOB_FILE_LINES = 12_000;

  /** Two messages over SMTP (one to both accounts), then the server stops. */
  @BeforeEach
  void deliverThenStop() throws Exception {
    CarbonioServer server = carbonio.server();
    data = carbonio.dataDir();
    store = data.resolve("store");
    try (RawSmtp smtp = new RawSmtp(server.port(Listener.Kind.SMTP))) {
      smtp.send(
          "a@example.org",
          List.of("kim@localhost", "lee@localhost"),
          E2E.crlf("Subject: both\n\n" + "hi\n".repeat(BLOB_FILE_LINES)));
      // Larger than the store's inline limit, so that each message is a blob file to damage.
      smtp.send(
          "a@example.org",
          "kim@localhost",
          E2E.crlf("Subject: kim\n\n" + "hi kim\n".repeat(BLOB_FILE_LINES)));
    }
    String kim = server.directory().findAccount("kim@localhost").orElseThrow().id();
    String lee = server.directory().findAccount("lee@localhost").orElseThrow().id();
    shared = server.store().mailbox(lee).snapshot("INBOX").messages().getFirst().blobId();
    kimOnly = server.store().mailbox(kim).snapshot("INBOX").messages().get(1).blobId();
    server.close();
  }

  private Path blobFile(BlobId id) {
    String h = id.sha256();
    Path raw =
        store.resolve("blobs").resolve(h.substring(0, 2)).resolve(h.substring(2, 4)).resolve(h);
    // Compressible content above 16 KiB is stored zstd-compressed, under the .zst name.
    return Files.exists(raw) ? raw : raw.resolveSibling(h + ".zst");
  }

  private void sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.resolve("metadata.db"));
        Statement s = c.createStatement()) {
      s.executeUpdate(statement);
    }
  }

  private BlobId dropOrphan() throws Exception {
    byte[] content = "Subject: orphan\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    BlobId id =
        new BlobId(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    Files.createDirectories(blobFile(id).getParent());
    Files.write(blobFile(id), content);
    return id;
  }

  @Test
  void checkShouldExitZeroWhenStoreIsConsistent() {
    Outcome clean = run("--verify-content");
    assertThat(clean.exitCode()).isZero();
    assertThat(clean.out()).contains("no problem found").contains("2 blob(s)");
    assertThat(run("kim@localhost").exitCode()).isZero();
  }

  @Test
  void checkShouldReportEveryProblemAndRepairTheSafeOnesWhenStoreIsDamaged() throws Exception {
    Files.delete(blobFile(kimOnly));
    sql("UPDATE blobs SET refcount = 9 WHERE id = '" + shared + "'");
    BlobId orphan = dropOrphan();

    Outcome found = run();
    assertThat(found.exitCode()).isEqualTo(4);
    assertThat(found.out())
        .contains("missing-blob: blob " + kimOnly)
        .contains("wrong-refcount: blob " + shared + " has refcount 9 but 2 message(s) use it")
        .contains("orphan-blob: blob " + orphan)
        .contains("3 problem(s), 0 repaired, 3 remaining");
    assertThat(blobFile(orphan)).exists();

    JsonNode json = AdminApi.json().readTree(run("--json").out());
    assertThat(json.path("clean").asBoolean()).isFalse();
    assertThat(json.path("findings")).hasSize(3);
    assertThat(json.path("findings").findValuesAsText("kind"))
        .containsExactlyInAnyOrder("missing-blob", "wrong-refcount", "orphan-blob");
    JsonNode missing = null;
    for (JsonNode f : json.path("findings")) {
      if (f.path("kind").asText().equals("missing-blob")) {
        missing = f;
      }
    }
    assertThat(missing).isNotNull();
    assertThat(missing.path("blob").asText()).isEqualTo(kimOnly.sha256());
    assertThat(missing.path("repairable").asBoolean()).isFalse();
    assertThat(missing.path("messages").get(0).path("uid").asLong()).isEqualTo(2);

    Outcome repaired = run("--repair");
    assertThat(repaired.exitCode()).as("the missing blob remains").isEqualTo(4);
    assertThat(repaired.out()).contains("2 repaired, 1 remaining").contains("[not repairable]");
    assertThat(blobFile(orphan)).doesNotExist();

    Outcome after = run();
    assertThat(after.exitCode()).isEqualTo(4);
    assertThat(after.out()).contains("missing-blob").doesNotContain("wrong-refcount");
    assertThat(run("lee@localhost").exitCode()).as("lee's messages are intact").isZero();
  }

  @Test
  void checkShouldExitOneWhenEveryProblemWasRepaired() throws Exception {
    sql("UPDATE blobs SET refcount = 1 WHERE id = '" + shared + "'");
    sql("UPDATE folders SET uidnext = 2");
    dropOrphan();
    Outcome repaired = run("--repair", "--verify-content");
    assertThat(repaired.exitCode()).isEqualTo(1);
    assertThat(repaired.out())
        .contains("uidnext-too-low")
        .contains("[repaired]")
        .contains("0 remaining");
    assertThat(run().exitCode()).isZero();
  }

  @Test
  void checkShouldRefuseWhenServerUsesTheStore() throws Exception {
    try (CarbonioServer server =
        CarbonioServer.start(ServerConfig.defaults(data).withEphemeralPorts())) {
      assertThat(server.store()).isNotNull(); // the running server holds the store
      Outcome busy = run();
      assertThat(busy.exitCode()).isEqualTo(8);
      assertThat(busy.err()).contains("in use").contains("stop the server");
    }
  }

  @Test
  void checkShouldFailClearlyWhenThereIsNoStoreOrNoAccount() {
    Outcome none =
        new Outcome(
            Main.commandLine()
                .setErr(new PrintWriter(new StringWriter()))
                .execute("store", "--data", tmp.resolve("nothing").toString(), "check"),
            "",
            "");
    assertThat(none.exitCode()).isEqualTo(8);
    assertThat(tmp.resolve("nothing")).doesNotExist();
    Outcome ghost = run("ghost@localhost");
    assertThat(ghost.exitCode()).isEqualTo(8);
    assertThat(ghost.err()).contains("no account ghost@localhost");
    assertThat(run("--no-such-option").exitCode()).isEqualTo(2);
  }
}
