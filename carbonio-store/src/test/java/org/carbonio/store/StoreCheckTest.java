package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.carbonio.store.internal.check.CrashRecovery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MailStore#check}: what it finds in a store damaged on purpose, and what it repairs. */
class StoreCheckTest {
  private static final String ALICE = "alice@example.org";
  private static final String BOB = "bob@example.org";

  @TempDir Path dir;

  static ByteArrayInputStream bytes(String text) {
    return new ByteArrayInputStream(text.getBytes(UTF_8));
  }

  static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  Path blobFile(BlobId id) {
    String h = id.sha256();
    return dir.resolve("blobs").resolve(h.substring(0, 2)).resolve(h.substring(2, 4)).resolve(h);
  }

  /** Runs SQL on the closed store's database, with foreign keys off (as a careless tool would). */
  void sql(String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.executeUpdate(statement);
      }
    }
  }

  /** Two accounts, a shared blob, a copy, an expunge: a store with some history. */
  BlobId populate() {
    try (MailStore store = openWithBlobFiles(dir)) {
      store.deliver(List.of(ALICE, BOB), "INBOX", bytes("Subject: both\r\n\r\nshared\r\n"), null);
      Mailbox alice = store.mailbox(ALICE);
      alice.createFolder("Archive");
      AppendResult r = alice.append("INBOX", bytes("Subject: one\r\n\r\nmine\r\n"), Set.of(), null);
      alice.copy("INBOX", List.of(r.uid()), "Archive");
      alice.append(
          "INBOX", bytes("Subject: gone\r\n\r\nexpunged\r\n"), Set.of(Flags.DELETED), null);
      alice.expunge("INBOX", Optional.empty());
      return alice.snapshot("INBOX").messages().getFirst().blobId();
    }
  }

  @Test
  void checkShouldReportNothingWhenStoreIsConsistent() {
    populate();
    try (MailStore store = openWithBlobFiles(dir)) {
      CheckReport report = store.check(CheckOptions.DEFAULTS.withVerifyContent(true));
      assertThat(report.findings()).isEmpty();
      assertThat(report.clean()).isTrue();
      assertThat(report.blobs()).isEqualTo(2);
      assertThat(report.messages()).isEqualTo(4);
      assertThat(report.folders()).isEqualTo(3);
      assertThat(report.blobFiles()).isEqualTo(2);
      assertThat(store.check(Optional.of(BOB), false).findings()).isEmpty();
    }
  }

  @Test
  void checkShouldListAffectedMessagesAndKeepThemWhenBlobFileIsMissing() throws Exception {
    BlobId shared = populate();
    Files.delete(blobFile(shared));
    try (MailStore store = openWithBlobFiles(dir)) {
      CheckReport report = store.check(Optional.empty(), true);
      assertThat(report.findings()).hasSize(1);
      CheckFinding.MissingBlob missing = (CheckFinding.MissingBlob) report.findings().getFirst();
      assertThat(missing.blob()).isEqualTo(shared);
      assertThat(missing.messages())
          .containsExactly(
              new CheckFinding.MessageRef(ALICE, "INBOX", 1),
              new CheckFinding.MessageRef(BOB, "INBOX", 1));
      assertThat(missing.message()).contains(shared.sha256()).contains("2 message(s) lost");
      assertThat(report.repaired()).isEmpty();
      assertThat(report.remaining()).containsExactly(missing);
      assertThat(store.mailbox(BOB).snapshot("INBOX").messages()).hasSize(1); // never deleted
      assertThat(store.check(Optional.of(BOB), false).findings()).containsExactly(missing);
    }
  }

  @Test
  void checkShouldReportCorruptBlobWhenContentNoLongerMatchesItsAddress() throws Exception {
    BlobId shared = populate();
    Files.writeString(blobFile(shared), "tampered");
    try (MailStore store = openWithBlobFiles(dir)) {
      assertThat(store.check(CheckOptions.DEFAULTS).findings()).isEmpty();
      CheckReport report = store.check(CheckOptions.DEFAULTS.withVerifyContent(true));
      assertThat(report.findings())
          .singleElement()
          .isInstanceOfSatisfying(
              CheckFinding.CorruptBlob.class,
              c -> {
                assertThat(c.blob()).isEqualTo(shared);
                assertThat(c.messages()).hasSize(2);
                assertThat(c.repairable()).isFalse();
              });
    }
  }

  @Test
  void repairShouldRecomputeRefcountsWhenTheyAreWrong() throws Exception {
    BlobId shared = populate();
    // An unreferenced row (with its file) that the count says is used, and a miscounted one.
    byte[] stray = "stray\r\n".getBytes(UTF_8);
    BlobId strayId = new BlobId(sha256(stray));
    Files.createDirectories(blobFile(strayId).getParent());
    Files.write(blobFile(strayId), stray);
    sql(
        "UPDATE blobs SET refcount = 7 WHERE id = '" + shared + "'",
        "INSERT INTO blobs (id, size, refcount) VALUES ('" + strayId + "', 7, 1)");
    try (MailStore store = openWithBlobFiles(dir)) {
      CheckReport report = store.check(Optional.empty(), true);
      assertThat(report.findings())
          .containsExactlyInAnyOrder(
              new CheckFinding.WrongRefCount(shared, 7, 2),
              new CheckFinding.WrongRefCount(strayId, 1, 0));
      assertThat(report.repaired()).containsExactlyInAnyOrderElementsOf(report.findings());
      assertThat(report.remaining()).isEmpty();
      assertThat(blobFile(strayId)).doesNotExist();
      assertThat(store.check(Optional.empty(), false).findings()).isEmpty();
      // The repaired count is right: dropping both references deletes the blob.
      for (String account : List.of(ALICE, BOB)) {
        Mailbox box = store.mailbox(account);
        box.setFlags("INBOX", List.of(1L), FlagOperation.ADD, Set.of(Flags.DELETED));
        box.expunge("INBOX", Optional.empty());
      }
      assertThat(blobFile(shared)).doesNotExist();
      assertThat(store.check(Optional.empty(), false).findings()).isEmpty();
    }
  }

  @Test
  void repairShouldRecreateBlobRowWhenMessagesReferenceAMissingRow() throws Exception {
    BlobId shared = populate();
    sql("DELETE FROM blobs WHERE id = '" + shared + "'");
    try (MailStore store = openWithBlobFiles(dir)) {
      CheckReport report = store.check(Optional.of(ALICE), true);
      assertThat(report.findings()).containsExactly(new CheckFinding.MissingBlobRow(shared, 2));
      assertThat(report.repaired()).isEqualTo(report.findings());
      assertThat(store.check(Optional.empty(), false).findings()).isEmpty();
    }
  }

  @Test
  void repairShouldRaiseFolderCountersWhenBelowWhatTheFolderHolds() throws Exception {
    populate();
    sql("UPDATE folders SET uidnext = 1, highest_modseq = 1 WHERE name = 'INBOX'");
    try (MailStore store = openWithBlobFiles(dir)) {
      CheckReport report = store.check(Optional.of(ALICE), false);
      assertThat(report.findings())
          .containsExactlyInAnyOrder(
              new CheckFinding.UidNextTooLow(ALICE, "INBOX", 1, 3),
              new CheckFinding.ModSeqTooLow(ALICE, "INBOX", 1, 5));
      CheckReport repaired = store.check(Optional.empty(), true);
      assertThat(repaired.findings()).hasSize(4); // both accounts' INBOX
      assertThat(repaired.remaining()).isEmpty();
      assertThat(store.check(Optional.empty(), false).findings()).isEmpty();
      AppendResult next = store.mailbox(ALICE).append("INBOX", bytes("x\r\n"), Set.of(), null);
      assertThat(next.uid()).isEqualTo(4); // RFC 9051 §2.3.1.1: never reuses expunged UID 3
    }
  }

  @Test
  void repairShouldDeleteOrphanBlobFileWhenNothingReferencesIt() throws Exception {
    populate();
    byte[] orphan = "Subject: never acknowledged\r\n\r\n".getBytes(UTF_8);
    BlobId id = new BlobId(sha256(orphan));
    Files.createDirectories(blobFile(id).getParent());
    Files.write(blobFile(id), orphan);
    Files.setLastModifiedTime(blobFile(id), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    Files.writeString(dir.resolve("blobs").resolve("README"), "not a blob");
    try (MailStore store = openWithBlobFiles(dir)) {
      assertThat(store.check(Optional.of(ALICE), true).findings()).isEmpty(); // whole store only
      CheckReport report = store.check(Optional.empty(), true);
      assertThat(report.findings())
          .containsExactly(
              new CheckFinding.OrphanBlob(
                  id, orphan.length, Instant.parse("2020-01-01T00:00:00Z")));
      assertThat(report.repaired()).isEqualTo(report.findings());
      assertThat(blobFile(id)).doesNotExist();
      assertThat(store.check(Optional.empty(), false).findings()).isEmpty();
    }
  }

  @Test
  void openShouldSweepOrphansWrittenSinceLastStartWhenPreviousRunDidNotClose() throws Exception {
    BlobId shared = populate();
    byte[] orphan = "Subject: in flight at the crash\r\n\r\n".getBytes(UTF_8);
    BlobId id = new BlobId(sha256(orphan));
    byte[] old = "Subject: orphan from long ago\r\n\r\n".getBytes(UTF_8);
    BlobId oldId = new BlobId(sha256(old));
    for (var e : List.of(java.util.Map.entry(id, orphan), java.util.Map.entry(oldId, old))) {
      Files.createDirectories(blobFile(e.getKey()).getParent());
      Files.write(blobFile(e.getKey()), e.getValue());
    }
    Files.setLastModifiedTime(blobFile(oldId), FileTime.from(Instant.now().minusSeconds(3600)));
    // What a killed run leaves: its marker, written when it started.
    Files.writeString(dir.resolve(CrashRecovery.MARKER), "pid 1\n");
    Files.setLastModifiedTime(
        dir.resolve(CrashRecovery.MARKER), FileTime.from(Instant.now().minusSeconds(60)));
    try (MailStore store = openWithBlobFiles(dir)) {
      assertThat(blobFile(id)).doesNotExist();
      assertThat(blobFile(shared)).exists();
      assertThat(blobFile(oldId)).as("older than the crashed run: left to check").exists();
      assertThat(dir.resolve(CrashRecovery.MARKER)).exists();
      assertThat(store.check(Optional.empty(), false).findings())
          .singleElement()
          .isInstanceOf(CheckFinding.OrphanBlob.class);
      assertThat(store.mailbox(BOB).read("INBOX", 1)).isNotEmpty();
    }
    assertThat(dir.resolve(CrashRecovery.MARKER)).as("removed by a clean close").doesNotExist();
  }

  @Test
  void openShouldNotSweepWhenPreviousRunClosedCleanly() throws Exception {
    populate();
    byte[] orphan = "Subject: dropped in by hand\r\n\r\n".getBytes(UTF_8);
    BlobId id = new BlobId(sha256(orphan));
    Files.createDirectories(blobFile(id).getParent());
    Files.write(blobFile(id), orphan);
    try (MailStore store = openWithBlobFiles(dir)) {
      assertThat(blobFile(id)).exists();
      assertThat(store.check(Optional.empty(), false).findings())
          .containsExactly(new CheckFinding.OrphanBlob(id, orphan.length, modified(blobFile(id))));
    }
  }

  static Instant modified(Path file) throws IOException {
    return Files.getLastModifiedTime(file).toInstant();
  }

  @Test
  void checkShouldReportNothingWhenRunningConcurrentlyWithWrites() throws Exception {
    try (MailStore store = openWithBlobFiles(dir);
        ExecutorService pool = Executors.newFixedThreadPool(3)) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        String account = "w" + t + "@example.org";
        writers.add(
            pool.submit(
                () -> {
                  Mailbox box = store.mailbox(account);
                  for (int i = 0; !stop.get() || i < 20; i++) {
                    AppendResult r =
                        box.append(
                            "INBOX", bytes("Subject: " + account + i + "\r\n\r\n"), Set.of(), null);
                    store.deliver(
                        List.of("w0@example.org", "w1@example.org"),
                        "INBOX",
                        bytes("Subject: both " + account + i + "\r\n\r\n"),
                        null);
                    if (i % 2 == 0) {
                      box.setFlags(
                          "INBOX", List.of(r.uid()), FlagOperation.ADD, Set.of(Flags.DELETED));
                      box.expunge("INBOX", Optional.empty());
                    }
                  }
                  return null;
                }));
      }
      for (int round = 0; round < 15; round++) {
        assertThat(store.check(CheckOptions.DEFAULTS.withVerifyContent(true)).findings()).isEmpty();
      }
      stop.set(true);
      for (Future<?> f : writers) {
        f.get();
      }
      assertThat(store.check(CheckOptions.DEFAULTS).findings()).isEmpty();
    }
  }

  @Test
  void checkShouldRejectAccountIdWhenInvalid() {
    try (MailStore store = openWithBlobFiles(dir)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.check(Optional.of(""), false))
          .isInstanceOf(StoreException.Invalid.class);
    }
  }

  /** These tests are about blob files: every message goes to the blob store, none inline. */
  private static MailStore openWithBlobFiles(java.nio.file.Path dir) {
    return MailStore.open(StoreConfig.embedded(dir).withInlineLimit(0));
  }
}
