package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Journal replay after a crash, torn records, snapshot rotation. */
class JournalTest {
  static final Path SNAPSHOT = Path.of("directory.ldif");
  static final Path JOURNAL = Path.of("journal.ldif");

  @TempDir Path dir;
  EmbeddedDirectory directory;

  @AfterEach
  void close() {
    if (directory != null) {
      directory.close();
    }
  }

  EmbeddedDirectory open(Path where, int snapshotEvery) throws IOException {
    return EmbeddedDirectory.builder()
        .dataDir(where)
        .limits(Fixtures.FAST)
        .snapshotEvery(snapshotEvery, 1L << 30)
        .build();
  }

  /** The data files as a crash would leave them now: every acknowledged change was fsynced. */
  Path crashCopy(String name) throws IOException {
    Path copy = Files.createDirectory(dir.resolve(name));
    for (Path f : List.of(SNAPSHOT, JOURNAL)) {
      Files.copy(dir.resolve(f), copy.resolve(f));
    }
    return copy;
  }

  @Test
  void changesShouldSurviveWhenDirectoryWasNotClosed() throws Exception {
    directory = open(dir, 1_000);
    directory.createDomain("example.com");
    directory.createDomain("gone.org");
    Account alice = directory.createAccount("alice@example.com", "pw1");
    directory.createAccount("bob@example.com", "pw2");
    directory.setAdmin("bob@example.com", true);
    directory.setStatus("alice@example.com", AccountStatus.LOCKED);
    directory.setPassword("bob@example.com", "pw3");
    directory.createAccount("carol@example.com", "pw4");
    directory.deleteAccount("carol@example.com");
    directory.deleteDomain("gone.org");
    directory.createDomain("late.org");
    List<Account> before = directory.accounts(Optional.empty());
    assertThat(Files.size(dir.resolve(JOURNAL))).isPositive();

    try (EmbeddedDirectory d = open(crashCopy("crash"), 1_000)) {
      assertThat(d.accounts(Optional.empty())).isEqualTo(before);
      assertThat(d.domains()).containsExactly(new Domain("example.com"), new Domain("late.org"));
      assertThat(d.findAccount("alice@example.com").orElseThrow().id()).isEqualTo(alice.id());
      assertThat(d.authenticate("bob@example.com", "pw3", Fixtures.CLIENT)).isPresent();
      assertThat(d.authenticate("bob@example.com", "pw2", Fixtures.CLIENT)).isEmpty();
    }
  }

  @Test
  void tornLastRecordShouldBeCutOffWhenCrashInterruptedItsWrite() throws Exception {
    directory = open(dir, 1_000);
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "pw");
    long beforeLast = Files.size(dir.resolve(JOURNAL));
    directory.createAccount("bob@example.com", "pw");
    Path copy = crashCopy("crash");
    byte[] journal = Files.readAllBytes(copy.resolve(JOURNAL));
    int cut = (int) beforeLast + (journal.length - (int) beforeLast) / 2;
    Files.write(copy.resolve(JOURNAL), Arrays.copyOf(journal, cut)); // half of bob's block

    try (EmbeddedDirectory d = open(copy, 1_000)) {
      assertThat(d.findAccount("alice@example.com")).isPresent();
      assertThat(d.findAccount("bob@example.com")).isEmpty();
      assertThat(Files.size(copy.resolve(JOURNAL))).isEqualTo(beforeLast);
      d.createAccount("carol@example.com", "pw"); // appends after the cut
    }
    try (EmbeddedDirectory d = open(copy, 1_000)) {
      assertThat(d.accounts(Optional.empty()))
          .extracting(Account::address)
          .containsExactly("alice@example.com", "carol@example.com");
    }
  }

  @Test
  void garbageTailShouldBeCutOffWhenBlockWasNeverWritten() throws Exception {
    directory = open(dir, 1_000);
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "pw");
    Path copy = crashCopy("zeros");
    long size = Files.size(copy.resolve(JOURNAL));
    Files.write(copy.resolve(JOURNAL), new byte[4096], java.nio.file.StandardOpenOption.APPEND);
    try (EmbeddedDirectory d = open(copy, 1_000)) {
      assertThat(d.findAccount("alice@example.com")).isPresent();
      assertThat(Files.size(copy.resolve(JOURNAL))).isEqualTo(size);
    }
  }

  @Test
  void snapshotShouldReplaceOldJournalWhenChangeCountIsReached() throws Exception {
    directory = open(dir, 5);
    directory.createDomain("example.com");
    for (int i = 0; i < 11; i++) {
      directory.createAccount("user" + i + "@example.com", "pw" + i);
    }
    // 12 changes (the domain's two entries are one block): snapshots after the 5th and 10th,
    // blocks 11 (user9) and 12 (user10) in the journal
    assertThat(Files.readAllLines(dir.resolve(SNAPSHOT)).get(0))
        .isEqualTo("# journal sequence: 10");
    String journal = Files.readString(dir.resolve(JOURNAL), StandardCharsets.UTF_8);
    assertThat(journal).startsWith("# journal sequence=11 ").contains("# journal sequence=12 ");
    assertThat(journal)
        .doesNotContain("sequence=10 ")
        .contains("uid=user9,")
        .contains("uid=user10,")
        .doesNotContain("uid=user8,");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("directory.ldif", "journal.ldif", "directory.lock");
    }
    try (EmbeddedDirectory d = open(crashCopy("crash"), 5)) {
      assertThat(d.accounts(Optional.of("example.com"))).hasSize(11);
      assertThat(d.authenticate("user10@example.com", "pw10", Fixtures.CLIENT)).isPresent();
    }
    directory.close();
    assertThat(Files.size(dir.resolve(JOURNAL))).isZero(); // the final snapshot holds all
  }

  @Test
  void replayShouldSkipBlocksWhenSnapshotAlreadyHoldsThem() throws Exception {
    directory = open(dir, 1_000);
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "pw");
    byte[] oldJournal = Files.readAllBytes(dir.resolve(JOURNAL));
    directory.close(); // snapshot with sequence 2, journal emptied
    directory = null;
    // A crash between writing the snapshot and emptying the journal leaves both.
    Files.write(dir.resolve(JOURNAL), oldJournal);
    try (EmbeddedDirectory d = open(dir, 1_000)) {
      assertThat(d.findAccount("alice@example.com")).isPresent();
      d.createAccount("bob@example.com", "pw");
    }
    try (EmbeddedDirectory d = open(dir, 1_000)) {
      assertThat(d.accounts(Optional.empty())).hasSize(2);
    }
  }

  @Test
  void openShouldFailWhenAJournalBlockIsMissing() throws Exception {
    directory = open(dir, 1_000);
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "pw");
    directory.createAccount("bob@example.com", "pw");
    Path copy = crashCopy("gap");
    String journal = Files.readString(copy.resolve(JOURNAL), StandardCharsets.UTF_8);
    int second = journal.indexOf("# journal sequence=2 ");
    int third = journal.indexOf("# journal sequence=3 ");
    Files.writeString(
        copy.resolve(JOURNAL), journal.substring(0, second) + journal.substring(third));
    assertThatThrownBy(() -> open(copy, 1_000))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("lost");
  }
}
