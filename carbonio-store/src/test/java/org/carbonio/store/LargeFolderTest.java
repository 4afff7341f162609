package org.carbonio.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Mailbox#uids}, {@link Mailbox#messages} and {@link Mailbox#importMessages}. */
class LargeFolderTest {
  @TempDir Path dir;
  MailStore store;
  Mailbox box;

  @BeforeEach
  void open() {
    store = MailStore.open(dir);
    box = store.mailbox("alice@example.org");
  }

  @AfterEach
  void close() {
    store.close();
  }

  static ImportMessage message(int i) {
    byte[] body =
        ("Subject: m" + (i % 7) + "\r\n\r\nbody " + (i % 7) + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    Set<String> flags = new TreeSet<>();
    if (i % 3 == 0) flags.add(Flags.SEEN);
    if (i % 5 == 0) flags.add(Flags.FLAGGED);
    if (i % 11 == 0) flags.add("$label" + (i % 2));
    return new ImportMessage(
        new ByteArrayInputStream(body), flags, Instant.ofEpochMilli(1_700_000_000_000L + i));
  }

  static Iterator<ImportMessage> messages(int n) {
    return IntStream.range(0, n).mapToObj(LargeFolderTest::message).iterator();
  }

  @Test
  void importMessagesShouldMatchAppendsWhenBlobsRepeat() {
    int n = Mailbox.IMPORT_BATCH + 321;
    assertThat(box.importMessages("INBOX", messages(n))).isEqualTo(n);
    FolderSnapshot snap = box.snapshot("INBOX");
    assertThat(snap.messages()).hasSize(n);
    for (int i : new int[] {0, 1, 11, n - 1}) {
      MessageInfo m = snap.messages().get(i);
      ImportMessage expected = message(i);
      assertThat(m.uid()).isEqualTo(i + 1);
      assertThat(m.flags()).isEqualTo(expected.flags());
      assertThat(m.internalDate()).isEqualTo(expected.internalDate());
      assertThat(new String(box.read("INBOX", m.uid()), StandardCharsets.US_ASCII))
          .isEqualTo("Subject: m" + (i % 7) + "\r\n\r\nbody " + (i % 7) + "\r\n");
    }
    // Blob references are counted: expunging every copy but one keeps the content readable.
    List<Long> all = snap.messages().stream().map(MessageInfo::uid).toList();
    box.setFlags("INBOX", all.subList(0, n - 1), FlagOperation.ADD, Set.of(Flags.DELETED));
    box.expunge("INBOX", Optional.empty());
    assertThat(box.read("INBOX", n)).isNotEmpty();
    assertThat(box.status("INBOX").messages()).isEqualTo(1);
  }

  @Test
  void importMessagesShouldFailWhenFolderMissing() {
    assertThatThrownBy(() -> box.importMessages("Nope", messages(3)))
        .isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void uidsShouldEqualSnapshotAndStatus() {
    box.importMessages("INBOX", messages(500));
    box.setFlags("INBOX", List.of(2L, 3L, 4L), FlagOperation.ADD, Set.of(Flags.DELETED));
    box.expunge("INBOX", Optional.empty());
    FolderUids view = box.uids("INBOX");
    FolderSnapshot snap = box.snapshot("INBOX");
    FolderStatus status = box.status("INBOX");
    assertThat(view.messages()).isEqualTo(snap.messages().size()).isEqualTo(497);
    for (int i = 0; i < view.messages(); i++) {
      assertThat(view.uids().get(i)).isEqualTo(snap.messages().get(i).uid());
      assertThat(view.uids().indexOf(snap.messages().get(i).uid())).isEqualTo(i);
    }
    assertThat(view.uids().indexOf(2)).isEqualTo(-1);
    assertThat(view.unseen()).isEqualTo(status.unseen());
    assertThat(view.uidNext()).isEqualTo(status.uidNext());
    assertThat(view.uidValidity()).isEqualTo(status.uidValidity());
    assertThat(view.highestModSeq()).isEqualTo(status.highestModSeq());
    long firstUnseen =
        snap.messages().stream()
            .filter(m -> !m.flags().contains(Flags.SEEN))
            .findFirst()
            .orElseThrow()
            .uid();
    assertThat(view.firstUnseenUid()).isEqualTo(firstUnseen);
    assertThat(view.keywords()).containsExactlyInAnyOrder("$label0", "$label1");
  }

  @Test
  void uidsShouldBeEmptyWhenFolderEmpty() {
    FolderUids view = box.uids("INBOX");
    assertThat(view.messages()).isZero();
    assertThat(view.firstUnseenUid()).isZero();
    assertThat(view.keywords()).isEmpty();
  }

  @Test
  void messagesShouldEqualSnapshotSliceForAnyRange() {
    int n = Mailbox.MESSAGES_CHUNK * 2 + 17;
    box.importMessages("INBOX", messages(n));
    List<Long> odd = new ArrayList<>();
    for (long u = 1; u <= n; u += 2) odd.add(u);
    box.setFlags("INBOX", odd, FlagOperation.ADD, Set.of(Flags.DELETED));
    box.expunge("INBOX", Optional.empty()); // gaps in the UID sequence
    List<MessageInfo> all = box.snapshot("INBOX").messages();
    qt().withExamples(40)
        .forAll(integers().between(0, n + 5), integers().between(0, n + 5))
        .checkAssert(
            (a, b) -> {
              List<MessageSummary> got = new ArrayList<>();
              box.messages("INBOX", a, b, got::add);
              List<MessageSummary> want =
                  all.stream()
                      .filter(m -> m.uid() >= a && m.uid() <= b)
                      .map(MessageSummary::of)
                      .toList();
              assertThat(got).isEqualTo(want);
            });
    List<MessageSummary> whole = new ArrayList<>();
    box.messages("INBOX", 1, 0xFFFF_FFFFL, whole::add);
    assertThat(whole).isEqualTo(all.stream().map(MessageSummary::of).toList());
  }

  @Test
  void uidListShouldRejectUnorderedUids() {
    assertThatThrownBy(() -> UidList.of(3, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UidList.of(0)).isInstanceOf(IllegalArgumentException.class);
    UidList l = UidList.of(1, 5, 0xFFFF_FFFFL);
    assertThat(l.get(2)).isEqualTo(0xFFFF_FFFFL);
    assertThat(l.indexOf(0xFFFF_FFFFL)).isEqualTo(2);
    assertThat(l.indexOf(4)).isEqualTo(-1);
  }
}
