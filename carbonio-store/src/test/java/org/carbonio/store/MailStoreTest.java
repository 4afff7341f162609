package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailStoreTest {
  @TempDir Path dir;
  MailStore store;
  Mailbox box;

  static final Instant DATE = Instant.parse("2024-05-01T10:00:00Z");

  @BeforeEach
  void open() {
    store = MailStore.open(dir);
    box = store.mailbox("alice@example.org");
  }

  @AfterEach
  void close() {
    store.close();
  }

  static InputStream msg(String text) {
    return new ByteArrayInputStream(text.getBytes(UTF_8));
  }

  AppendResult append(String folder, String text, String... flags) {
    return box.append(folder, msg(text), Set.of(flags), DATE);
  }

  @Test
  void mailboxShouldCreateSubscribedInboxWhenAccountIsNew() {
    assertThat(box.folders()).hasSize(1);
    FolderInfo inbox = box.folders().get(0);
    assertThat(inbox.name()).isEqualTo("INBOX");
    assertThat(inbox.subscribed()).isTrue();
    assertThat(inbox.role()).isEmpty();
    assertThat(inbox.uidValidity()).isPositive().isLessThanOrEqualTo(0xFFFF_FFFFL);
    assertThat(box.accountId()).isEqualTo("alice@example.org");
  }

  @Test
  void mailboxShouldRejectAccountIdWhenEmptyOrControl() {
    assertThatThrownBy(() -> store.mailbox("")).isInstanceOf(StoreException.Invalid.class);
    assertThatThrownBy(() -> store.mailbox("a\nb")).isInstanceOf(StoreException.Invalid.class);
  }

  @Test
  void mailboxShouldReturnSameAccountWhenCalledTwice() {
    append("INBOX", "hello");
    assertThat(store.mailbox("alice@example.org").status("inbox").messages()).isEqualTo(1);
  }

  @Test
  void appendShouldAssignIncreasingUidsWhenCalledRepeatedly() {
    long validity = box.status("INBOX").uidValidity();
    AppendResult a = append("INBOX", "one");
    AppendResult b = append("INBOX", "two");
    assertThat(a).isEqualTo(new AppendResult(validity, 1));
    assertThat(b).isEqualTo(new AppendResult(validity, 2));
    assertThat(box.read("INBOX", 1)).isEqualTo("one".getBytes(UTF_8));
    assertThat(box.read("INBOX", 2)).isEqualTo("two".getBytes(UTF_8));
  }

  @Test
  void appendShouldNormaliseSystemFlagsAndKeepKeywordsWhenGivenMixedCase() {
    append("INBOX", "x", "\\seen", "\\FLAGGED", "$Forwarded", "$forwarded");
    MessageInfo m = box.snapshot("INBOX").messages().get(0);
    assertThat(m.flags())
        .containsExactlyInAnyOrder(Flags.SEEN, Flags.FLAGGED, "$Forwarded", "$forwarded");
    assertThat(m.internalDate()).isEqualTo(DATE);
    assertThat(m.size()).isEqualTo(1);
  }

  @Test
  void appendShouldRejectWhenFlagInvalid() {
    assertThatThrownBy(() -> append("INBOX", "x", "\\Recent"))
        .isInstanceOf(StoreException.Invalid.class);
    assertThatThrownBy(() -> append("INBOX", "x", "two words"))
        .isInstanceOf(StoreException.Invalid.class);
    assertThat(box.status("INBOX").messages()).isZero();
  }

  @Test
  void appendShouldThrowNotFoundWhenFolderMissing() {
    assertThatThrownBy(() -> append("Nope", "x")).isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void appendShouldUseNowWhenInternalDateNull() {
    Instant before = Instant.now().minusSeconds(1);
    box.append("INBOX", msg("x"), Set.of(), null);
    assertThat(box.snapshot("INBOX").messages().get(0).internalDate()).isAfter(before);
  }

  @Test
  void appendShouldStoreEmptyMessageWhenContentEmpty() {
    append("INBOX", "");
    assertThat(box.read("INBOX", 1)).isEmpty();
    assertThat(box.status("INBOX").size()).isZero();
  }

  @Test
  void openShouldStreamContentWhenMessageExists() throws Exception {
    append("INBOX", "streamed body");
    try (InputStream in = box.open("INBOX", 1)) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("streamed body");
    }
  }

  @Test
  void openShouldThrowNotFoundWhenUidMissing() {
    assertThatThrownBy(() -> box.open("INBOX", 7)).isInstanceOf(StoreException.NotFound.class);
    assertThatThrownBy(() -> box.read("INBOX", 7)).isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void statusShouldCountMessagesUnseenAndSizeWhenFolderHasMessages() {
    append("INBOX", "12345", Flags.SEEN);
    append("INBOX", "123");
    FolderStatus s = box.status("INBOX");
    assertThat(s.messages()).isEqualTo(2);
    assertThat(s.unseen()).isEqualTo(1);
    assertThat(s.recent()).isZero();
    assertThat(s.uidNext()).isEqualTo(3);
    assertThat(s.size()).isEqualTo(8);
    assertThat(s.highestModSeq()).isEqualTo(3);
  }

  @Test
  void createFolderShouldCreateParentsWhenMissing() {
    FolderInfo c = box.createFolder("a/b/c");
    assertThat(c.name()).isEqualTo("a/b/c");
    assertThat(c.subscribed()).isFalse();
    assertThat(box.folders())
        .extracting(FolderInfo::name)
        .containsExactly("INBOX", "a", "a/b", "a/b/c");
  }

  @Test
  void createFolderShouldThrowAlreadyExistsWhenPresent() {
    box.createFolder("Work");
    assertThatThrownBy(() -> box.createFolder("Work"))
        .isInstanceOf(StoreException.AlreadyExists.class);
    assertThatThrownBy(() -> box.createFolder("inbox"))
        .isInstanceOf(StoreException.AlreadyExists.class);
  }

  @Test
  void createFolderShouldAcceptUnicodeAndTreatInboxPrefixCaseInsensitively() {
    box.createFolder("Entwürfe/日本語");
    box.createFolder("inbox/sub");
    assertThat(box.folders()).extracting(FolderInfo::name).contains("Entwürfe/日本語", "INBOX/sub");
    assertThat(box.status("Inbox/sub").messages()).isZero();
  }

  @Test
  void createFolderShouldRejectWhenNameInvalid() {
    for (String bad : List.of("", "/a", "a/", "a//b", "a\u0001b", "x".repeat(256))) {
      assertThatThrownBy(() -> box.createFolder(bad))
          .as(bad)
          .isInstanceOf(StoreException.Invalid.class);
    }
    box.createFolder("x".repeat(255));
  }

  @Test
  void createFolderShouldGiveDistinctUidValidityWhenManyCreated() {
    for (int i = 0; i < 5; i++) {
      box.createFolder("f" + i);
    }
    assertThat(box.folders().stream().map(FolderInfo::uidValidity).distinct()).hasSize(6);
  }

  @Test
  void deleteFolderShouldRemoveFolderButKeepChildren() {
    box.createFolder("a/b");
    box.deleteFolder("a");
    assertThat(box.folders()).extracting(FolderInfo::name).containsExactly("INBOX", "a/b");
  }

  @Test
  void deleteFolderShouldRefuseInboxAndMissing() {
    assertThatThrownBy(() -> box.deleteFolder("inbox")).isInstanceOf(StoreException.Invalid.class);
    assertThatThrownBy(() -> box.deleteFolder("nope")).isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void createFolderShouldGiveNewUidValidityAndNeverReuseUidsWhenRecreated() {
    FolderInfo first = box.createFolder("Temp");
    append("Temp", "a");
    append("Temp", "b");
    box.deleteFolder("Temp");
    FolderInfo second = box.createFolder("Temp");
    assertThat(second.uidValidity()).isNotEqualTo(first.uidValidity());
    assertThat(append("Temp", "c").uidValidity()).isEqualTo(second.uidValidity());
  }

  @Test
  void renameFolderShouldRenameChildrenAndKeepUidValidity() {
    FolderInfo a = box.createFolder("a/b");
    append("a/b", "m");
    box.renameFolder("a", "z/y");
    assertThat(box.folders())
        .extracting(FolderInfo::name)
        .containsExactly("INBOX", "z", "z/y", "z/y/b");
    assertThat(box.status("z/y/b").uidValidity()).isEqualTo(a.uidValidity());
    assertThat(box.read("z/y/b", 1)).isEqualTo("m".getBytes(UTF_8));
  }

  @Test
  void renameFolderShouldRefuseWhenTargetExistsOrInsideSourceOrSourceMissing() {
    box.createFolder("a");
    box.createFolder("b");
    assertThatThrownBy(() -> box.renameFolder("a", "b"))
        .isInstanceOf(StoreException.AlreadyExists.class);
    assertThatThrownBy(() -> box.renameFolder("a", "a/c"))
        .isInstanceOf(StoreException.Invalid.class);
    assertThatThrownBy(() -> box.renameFolder("nope", "c"))
        .isInstanceOf(StoreException.NotFound.class);
    assertThatThrownBy(() -> box.renameFolder("a", "INBOX"))
        .isInstanceOf(StoreException.AlreadyExists.class);
  }

  @Test
  void renameFolderShouldHandleChildCollisionWithTemporaryNames() {
    box.createFolder("a/b/b/c");
    box.createFolder("a/b/c");
    box.deleteFolder("a");
    // "a/b" -> "a": "a/b/b/c" becomes "a/b/c" while the old "a/b/c" becomes "a/c".
    box.renameFolder("a/b", "a");
    assertThat(box.folders())
        .extracting(FolderInfo::name)
        .containsExactly("INBOX", "a", "a/b", "a/b/c", "a/c");
  }

  @Test
  void renameFolderShouldMoveMessagesAndEmptyInboxWhenSourceIsInbox() {
    // RFC 9051 §6.3.6: renaming INBOX moves its messages; INBOX stays, empty; children stay.
    box.createFolder("INBOX/child");
    long inboxValidity = box.status("INBOX").uidValidity();
    append("INBOX", "one", Flags.SEEN);
    append("INBOX", "two");
    long modSeq = box.status("INBOX").highestModSeq();
    box.renameFolder("INBOX", "Old");
    FolderStatus inbox = box.status("INBOX");
    assertThat(inbox.messages()).isZero();
    assertThat(inbox.uidValidity()).isEqualTo(inboxValidity);
    assertThat(inbox.uidNext()).isEqualTo(3);
    assertThat(box.changesSince("INBOX", modSeq).expunged()).containsExactly(1L, 2L);
    FolderSnapshot old = box.snapshot("Old");
    assertThat(old.uidValidity()).isNotEqualTo(inboxValidity);
    assertThat(old.messages()).extracting(MessageInfo::uid).containsExactly(1L, 2L);
    assertThat(old.messages().get(0).flags()).containsExactly(Flags.SEEN);
    assertThat(box.read("Old", 2)).isEqualTo("two".getBytes(UTF_8));
    assertThat(box.folders())
        .extracting(FolderInfo::name)
        .containsExactly("INBOX", "INBOX/child", "Old");
    assertThat(append("INBOX", "three").uid()).isEqualTo(3);
    assertThat(append("Old", "four").uid()).isEqualTo(3);
  }

  @Test
  void setSubscribedAndSetRoleShouldBeListedWhenChanged() {
    box.createFolder("Sent");
    box.setSubscribed("Sent", true);
    box.setRole("Sent", Optional.of(SpecialUse.SENT));
    FolderInfo sent = box.folders().get(1);
    assertThat(sent.subscribed()).isTrue();
    assertThat(sent.role()).contains(SpecialUse.SENT);
    box.setSubscribed("INBOX", false);
    box.setRole("Sent", Optional.empty());
    assertThat(box.folders())
        .allSatisfy(f -> assertThat(f.subscribed()).isEqualTo(f.name().equals("Sent")));
    assertThat(box.folders().get(1).role()).isEmpty();
    assertThatThrownBy(() -> box.setSubscribed("nope", true))
        .isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void setFlagsShouldApplyOperationsAndBumpModSeqOnlyForChangedMessages() {
    append("INBOX", "1");
    append("INBOX", "2", Flags.SEEN);
    append("INBOX", "3");
    long before = box.status("INBOX").highestModSeq();

    List<MessageInfo> r =
        box.setFlags("INBOX", List.of(1L, 2L, 99L), FlagOperation.ADD, Set.of("\\SEEN"));
    assertThat(r).extracting(MessageInfo::uid).containsExactly(1L, 2L);
    assertThat(r.get(0).modSeq()).isEqualTo(before + 1);
    assertThat(r.get(1).modSeq()).isLessThanOrEqualTo(before); // unchanged
    assertThat(box.status("INBOX").highestModSeq()).isEqualTo(before + 1);

    r = box.setFlags("INBOX", List.of(1L), FlagOperation.REPLACE, Set.of("$Label1", Flags.DRAFT));
    assertThat(r.get(0).flags()).containsExactlyInAnyOrder("$Label1", Flags.DRAFT);
    r = box.setFlags("INBOX", List.of(1L, 2L), FlagOperation.REMOVE, Set.of(Flags.SEEN, "$Label1"));
    assertThat(r.get(0).flags()).containsExactly(Flags.DRAFT);
    assertThat(r.get(1).flags()).isEmpty();

    long now = box.status("INBOX").highestModSeq();
    box.setFlags("INBOX", List.of(3L), FlagOperation.REMOVE, Set.of(Flags.SEEN));
    assertThat(box.status("INBOX").highestModSeq()).isEqualTo(now);
  }

  @Test
  void expungeShouldRemoveOnlyDeletedMessagesAndLogThem() {
    append("INBOX", "1", Flags.DELETED);
    append("INBOX", "2");
    append("INBOX", "3", Flags.DELETED);
    append("INBOX", "4", Flags.DELETED);
    long modSeq = box.status("INBOX").highestModSeq();
    assertThat(box.expunge("INBOX", Optional.of(List.of(3L, 2L)))).containsExactly(3L);
    assertThat(box.expunge("INBOX", Optional.empty())).containsExactly(1L, 4L);
    assertThat(box.snapshot("INBOX").messages()).extracting(MessageInfo::uid).containsExactly(2L);
    FolderChanges ch = box.changesSince("INBOX", modSeq);
    assertThat(ch.expunged()).containsExactly(1L, 3L, 4L);
    assertThat(ch.changed()).isEmpty();
    assertThat(ch.highestModSeq()).isEqualTo(modSeq + 2);
    assertThat(box.expunge("INBOX", Optional.empty())).isEmpty();
    assertThat(box.status("INBOX").highestModSeq()).isEqualTo(modSeq + 2);
  }

  @Test
  void changesSinceShouldReturnChangedMessagesAndExpungedUidsAboveModSeq() {
    append("INBOX", "1");
    append("INBOX", "2");
    append("INBOX", "3");
    long mark = box.status("INBOX").highestModSeq();
    box.setFlags("INBOX", List.of(2L), FlagOperation.ADD, Set.of(Flags.DELETED));
    append("INBOX", "4");
    box.expunge("INBOX", Optional.empty());
    FolderChanges ch = box.changesSince("INBOX", mark);
    assertThat(ch.changed()).extracting(MessageInfo::uid).containsExactly(4L);
    assertThat(ch.expunged()).containsExactly(2L);
    assertThat(ch.uidValidity()).isEqualTo(box.status("INBOX").uidValidity());
    assertThat(box.changesSince("INBOX", 0).changed())
        .extracting(MessageInfo::uid)
        .containsExactly(1L, 3L, 4L);
    assertThat(box.changesSince("INBOX", ch.highestModSeq()).changed()).isEmpty();
  }

  @Test
  void snapshotShouldListMessagesInUidOrderWithModSeqAndBlob() {
    append("INBOX", "a");
    append("INBOX", "b");
    FolderSnapshot s = box.snapshot("INBOX");
    assertThat(s.uidNext()).isEqualTo(3);
    assertThat(s.messages()).extracting(MessageInfo::uid).containsExactly(1L, 2L);
    assertThat(s.messages().get(1).modSeq()).isEqualTo(s.highestModSeq());
    assertThat(s.messages().get(0).blobId().sha256())
        .isEqualTo(
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"); // sha256("a")
  }

  @Test
  void copyShouldAssignNewUidsAndKeepFlagsAndSource() {
    box.createFolder("Archive");
    append("Archive", "pre");
    append("INBOX", "1", Flags.SEEN);
    append("INBOX", "2");
    append("INBOX", "3", "$Work");
    CopyResult r = box.copy("INBOX", List.of(3L, 1L, 42L), "Archive");
    assertThat(r.uidValidity()).isEqualTo(box.status("Archive").uidValidity());
    assertThat(r.sourceUids()).containsExactly(1L, 3L);
    assertThat(r.destinationUids()).containsExactly(2L, 3L);
    assertThat(box.status("INBOX").messages()).isEqualTo(3);
    List<MessageInfo> copied = box.snapshot("Archive").messages();
    assertThat(copied.get(1).flags()).containsExactly(Flags.SEEN);
    assertThat(copied.get(2).flags()).containsExactly("$Work");
    assertThat(box.read("Archive", 3)).isEqualTo("3".getBytes(UTF_8));
  }

  @Test
  void copyShouldThrowNotFoundWhenDestinationMissing() {
    append("INBOX", "1");
    assertThatThrownBy(() -> box.copy("INBOX", List.of(1L), "Nope"))
        .isInstanceOf(StoreException.NotFound.class);
    assertThat(box.copy("INBOX", List.of(5L), "INBOX").sourceUids()).isEmpty();
  }

  @Test
  void moveShouldRemoveSourceAndLogExpunge() {
    box.createFolder("Trash");
    append("INBOX", "1");
    append("INBOX", "2");
    long mark = box.status("INBOX").highestModSeq();
    CopyResult r = box.move("INBOX", List.of(2L), "Trash");
    assertThat(r.destinationUids()).containsExactly(1L);
    assertThat(box.snapshot("INBOX").messages()).extracting(MessageInfo::uid).containsExactly(1L);
    assertThat(box.changesSince("INBOX", mark).expunged()).containsExactly(2L);
    assertThat(box.read("Trash", 1)).isEqualTo("2".getBytes(UTF_8));
  }

  @Test
  void moveShouldGiveNewUidWhenSourceAndTargetAreSame() {
    append("INBOX", "1");
    CopyResult r = box.move("INBOX", List.of(1L), "INBOX");
    assertThat(r.destinationUids()).containsExactly(2L);
    assertThat(box.snapshot("INBOX").messages()).extracting(MessageInfo::uid).containsExactly(2L);
  }

  @Test
  void watchShouldFireAfterCommitFromAnotherMailboxInstanceUntilClosed() {
    AtomicInteger calls = new AtomicInteger();
    Watch w =
        box.watch(
            "INBOX",
            () -> {
              // Fired after commit: the change is visible.
              assertThat(box.status("INBOX").messages()).isPositive();
              calls.incrementAndGet();
            });
    store.mailbox("alice@example.org").append("INBOX", msg("x"), Set.of(), DATE);
    box.setFlags("INBOX", List.of(1L), FlagOperation.ADD, Set.of(Flags.SEEN));
    box.setFlags("INBOX", List.of(1L), FlagOperation.ADD, Set.of(Flags.SEEN)); // no change
    assertThat(calls).hasValue(2);
    box.createFolder("Other");
    box.append("Other", msg("y"), Set.of(), DATE);
    assertThat(calls).hasValue(2);
    w.close();
    w.close();
    append("INBOX", "z");
    assertThat(calls).hasValue(2);
  }

  @Test
  void watchShouldFollowRenameAndFireOnDelete() {
    box.createFolder("A");
    AtomicInteger calls = new AtomicInteger();
    box.watch("A", calls::incrementAndGet);
    box.renameFolder("A", "B");
    box.append("B", msg("x"), Set.of(), DATE);
    box.deleteFolder("B");
    assertThat(calls).hasValue(3);
    assertThatThrownBy(() -> box.watch("A", () -> {})).isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void deleteAccountShouldRemoveEverythingAndRecreateFreshInbox() {
    append("INBOX", "1");
    long oldValidity = box.status("INBOX").uidValidity();
    store.deleteAccount("alice@example.org");
    assertThatThrownBy(() -> box.status("INBOX")).isInstanceOf(StoreException.NotFound.class);
    assertThatThrownBy(() -> box.folders()).isInstanceOf(StoreException.NotFound.class);
    assertThatThrownBy(() -> store.deleteAccount("alice@example.org"))
        .isInstanceOf(StoreException.NotFound.class);
    Mailbox again = store.mailbox("alice@example.org");
    assertThat(again.status("INBOX").messages()).isZero();
    assertThat(again.status("INBOX").uidValidity()).isNotEqualTo(oldValidity);
  }

  @Test
  void accountsShouldBeIsolatedWhenSameFolderNames() {
    Mailbox bob = store.mailbox("bob@example.org");
    append("INBOX", "alice");
    assertThat(bob.status("INBOX").messages()).isZero();
    bob.createFolder("X");
    assertThat(box.folders()).extracting(FolderInfo::name).containsExactly("INBOX");
  }

  @Test
  void openShouldFailWhenDirectoryAlreadyInUse() {
    assertThatThrownBy(() -> MailStore.open(dir)).isInstanceOf(StoreException.Unavailable.class);
  }

  @Test
  void operationsShouldThrowUnavailableWhenStoreClosed() {
    store.close();
    store.close();
    assertThatThrownBy(() -> box.status("INBOX")).isInstanceOf(StoreException.Unavailable.class);
    assertThatThrownBy(() -> store.mailbox("x")).isInstanceOf(StoreException.Unavailable.class);
  }
}
