package org.carbonio.store.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.carbonio.store.testkit.ContractSupport.ALICE;
import static org.carbonio.store.testkit.ContractSupport.DATE;
import static org.carbonio.store.testkit.ContractSupport.append;
import static org.carbonio.store.testkit.ContractSupport.msg;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.store.AppendResult;
import org.carbonio.store.CopyResult;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.Flags;
import org.carbonio.store.FolderChanges;
import org.carbonio.store.FolderInfo;
import org.carbonio.store.FolderSnapshot;
import org.carbonio.store.FolderStatus;
import org.carbonio.store.MailStore;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageInfo;
import org.carbonio.store.SpecialUse;
import org.carbonio.store.StoreException;
import org.carbonio.store.Watch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link MailStore} backend shares, as one JUnit 5 suite: a backend's test
 * class implements this interface and {@link #newStore}, and inherits every test (the pattern of
 * Apache James' {@code SubscriptionManagerContract}).
 *
 * {@snippet :
 * class SqliteMailStoreTest implements MailStoreContract {
 *   @TempDir Path dir;
 *
 *   @Override
 *   public MailStore newStore() {
 *     return MailStore.open(dir);
 *   }
 * }
 * }
 *
 * <p>Covers folders (create, delete, rename, INBOX rules, subscriptions, roles), append, flags,
 * expunge and the expunge log, copy and move, snapshots and changes since a mod-sequence, watches,
 * account isolation and deletion, concurrent writers on one folder, and a model-based property
 * (random operation sequences against an in-memory model).
 */
public interface MailStoreContract {

  /**
   * Opens a new, empty store for one test; the test closes it. Called once per test method, on the
   * test's thread.
   */
  MailStore newStore();

  @Test
  default void mailboxShouldCreateSubscribedInboxWhenAccountIsNew() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      assertThat(box.folders()).hasSize(1);
      FolderInfo inbox = box.folders().get(0);
      assertThat(inbox.name()).isEqualTo("INBOX");
      assertThat(inbox.subscribed()).isTrue();
      assertThat(inbox.role()).isEmpty();
      assertThat(inbox.uidValidity()).isPositive().isLessThanOrEqualTo(0xFFFF_FFFFL);
      assertThat(box.accountId()).isEqualTo("alice@example.org");
    }
  }

  @Test
  default void annotationsShouldRoundTripAndReplaceWhenSetTwice() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      box.setAnnotations("INBOX", Map.of("/shared/comment", Optional.of("one")));
      box.setAnnotations("INBOX", Map.of("/shared/comment", Optional.of("two")));
      box.setAnnotations("", Map.of("/private/x", Optional.of("v")));
      assertThat(box.annotations("INBOX")).containsExactly(Map.entry("/shared/comment", "two"));
      assertThat(box.annotations("")).containsExactly(Map.entry("/private/x", "v"));
      box.setAnnotations("INBOX", Map.of("/shared/comment", Optional.empty()));
      assertThat(box.annotations("INBOX")).isEmpty();
      assertThatThrownBy(() -> box.annotations("Nope")).isInstanceOf(StoreException.NotFound.class);
    }
  }

  @Test
  default void mailboxShouldRejectAccountIdWhenEmptyOrControl() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      assertThatThrownBy(() -> store.mailbox("")).isInstanceOf(StoreException.Invalid.class);
      assertThatThrownBy(() -> store.mailbox("a\nb")).isInstanceOf(StoreException.Invalid.class);
    }
  }

  @Test
  default void mailboxShouldReturnSameAccountWhenCalledTwice() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "hello");
      assertThat(store.mailbox("alice@example.org").status("inbox").messages()).isEqualTo(1);
    }
  }

  @Test
  default void appendShouldAssignIncreasingUidsWhenCalledRepeatedly() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      long validity = box.status("INBOX").uidValidity();
      AppendResult a = append(box, "INBOX", "one");
      AppendResult b = append(box, "INBOX", "two");
      assertThat(a).isEqualTo(new AppendResult(validity, 1));
      assertThat(b).isEqualTo(new AppendResult(validity, 2));
      assertThat(box.read("INBOX", 1)).isEqualTo("one".getBytes(UTF_8));
      assertThat(box.read("INBOX", 2)).isEqualTo("two".getBytes(UTF_8));
    }
  }

  @Test
  default void appendShouldNormaliseSystemFlagsAndKeepKeywordsWhenGivenMixedCase() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "x", "\\seen", "\\FLAGGED", "$Forwarded", "$forwarded");
      MessageInfo m = box.snapshot("INBOX").messages().get(0);
      assertThat(m.flags())
          .containsExactlyInAnyOrder(Flags.SEEN, Flags.FLAGGED, "$Forwarded", "$forwarded");
      assertThat(m.internalDate()).isEqualTo(DATE);
      assertThat(m.size()).isEqualTo(1);
    }
  }

  @Test
  default void appendShouldRejectWhenFlagInvalid() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      assertThatThrownBy(() -> append(box, "INBOX", "x", "\\Recent"))
          .isInstanceOf(StoreException.Invalid.class);
      assertThatThrownBy(() -> append(box, "INBOX", "x", "two words"))
          .isInstanceOf(StoreException.Invalid.class);
      assertThat(box.status("INBOX").messages()).isZero();
    }
  }

  @Test
  default void appendShouldThrowNotFoundWhenFolderMissing() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      assertThatThrownBy(() -> append(box, "Nope", "x"))
          .isInstanceOf(StoreException.NotFound.class);
    }
  }

  @Test
  default void appendShouldUseNowWhenInternalDateNull() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      Instant before = Instant.now().minusSeconds(1);
      box.append("INBOX", msg("x"), Set.of(), null);
      assertThat(box.snapshot("INBOX").messages().get(0).internalDate()).isAfter(before);
    }
  }

  @Test
  default void appendShouldStoreEmptyMessageWhenContentEmpty() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "");
      assertThat(box.read("INBOX", 1)).isEmpty();
      assertThat(box.status("INBOX").size()).isZero();
    }
  }

  @Test
  default void openShouldStreamContentWhenMessageExists() throws Exception {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "streamed body");
      try (InputStream in = box.open("INBOX", 1)) {
        assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("streamed body");
      }
    }
  }

  @Test
  default void openShouldThrowNotFoundWhenUidMissing() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      assertThatThrownBy(() -> box.open("INBOX", 7)).isInstanceOf(StoreException.NotFound.class);
      assertThatThrownBy(() -> box.read("INBOX", 7)).isInstanceOf(StoreException.NotFound.class);
    }
  }

  @Test
  default void statusShouldCountMessagesUnseenAndSizeWhenFolderHasMessages() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "12345", Flags.SEEN);
      append(box, "INBOX", "123");
      FolderStatus s = box.status("INBOX");
      assertThat(s.messages()).isEqualTo(2);
      assertThat(s.unseen()).isEqualTo(1);
      assertThat(s.recent()).isZero();
      assertThat(s.uidNext()).isEqualTo(3);
      assertThat(s.size()).isEqualTo(8);
      assertThat(s.highestModSeq()).isEqualTo(3);
    }
  }

  @Test
  default void createFolderShouldCreateParentsWhenMissing() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      FolderInfo c = box.createFolder("a/b/c");
      assertThat(c.name()).isEqualTo("a/b/c");
      assertThat(c.subscribed()).isFalse();
      assertThat(box.folders())
          .extracting(FolderInfo::name)
          .containsExactly("INBOX", "a", "a/b", "a/b/c");
    }
  }

  @Test
  default void createFolderShouldThrowAlreadyExistsWhenPresent() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      box.createFolder("Work");
      assertThatThrownBy(() -> box.createFolder("Work"))
          .isInstanceOf(StoreException.AlreadyExists.class);
      assertThatThrownBy(() -> box.createFolder("inbox"))
          .isInstanceOf(StoreException.AlreadyExists.class);
    }
  }

  @Test
  default void createFolderShouldAcceptUnicodeAndTreatInboxPrefixCaseInsensitively() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      box.createFolder("Entwürfe/日本語");
      box.createFolder("inbox/sub");
      assertThat(box.folders()).extracting(FolderInfo::name).contains("Entwürfe/日本語", "INBOX/sub");
      assertThat(box.status("Inbox/sub").messages()).isZero();
    }
  }

  @Test
  default void createFolderShouldRejectWhenNameInvalid() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      for (String bad : List.of("", "/a", "a/", "a//b", "a\u0001b", "x".repeat(256))) {
        assertThatThrownBy(() -> box.createFolder(bad))
            .as(bad)
            .isInstanceOf(StoreException.Invalid.class);
      }
      box.createFolder("x".repeat(255));
    }
  }

  @Test
  default void createFolderShouldGiveDistinctUidValidityWhenManyCreated() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      for (int i = 0; i < 5; i++) {
        box.createFolder("f" + i);
      }
      assertThat(box.folders().stream().map(FolderInfo::uidValidity).distinct()).hasSize(6);
    }
  }

  @Test
  default void deleteFolderShouldRemoveFolderButKeepChildren() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      box.createFolder("a/b");
      box.deleteFolder("a");
      assertThat(box.folders()).extracting(FolderInfo::name).containsExactly("INBOX", "a/b");
    }
  }

  @Test
  default void deleteFolderShouldRefuseInboxAndMissing() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      assertThatThrownBy(() -> box.deleteFolder("inbox"))
          .isInstanceOf(StoreException.Invalid.class);
      assertThatThrownBy(() -> box.deleteFolder("nope"))
          .isInstanceOf(StoreException.NotFound.class);
    }
  }

  @Test
  default void createFolderShouldGiveNewUidValidityAndNeverReuseUidsWhenRecreated() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      FolderInfo first = box.createFolder("Temp");
      append(box, "Temp", "a");
      append(box, "Temp", "b");
      box.deleteFolder("Temp");
      FolderInfo second = box.createFolder("Temp");
      assertThat(second.uidValidity()).isNotEqualTo(first.uidValidity());
      assertThat(append(box, "Temp", "c").uidValidity()).isEqualTo(second.uidValidity());
    }
  }

  @Test
  default void renameFolderShouldRenameChildrenAndKeepUidValidity() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      FolderInfo a = box.createFolder("a/b");
      append(box, "a/b", "m");
      box.renameFolder("a", "z/y");
      assertThat(box.folders())
          .extracting(FolderInfo::name)
          .containsExactly("INBOX", "z", "z/y", "z/y/b");
      assertThat(box.status("z/y/b").uidValidity()).isEqualTo(a.uidValidity());
      assertThat(box.read("z/y/b", 1)).isEqualTo("m".getBytes(UTF_8));
    }
  }

  @Test
  default void renameFolderShouldRefuseWhenTargetExistsOrInsideSourceOrSourceMissing() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
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
  }

  @Test
  default void renameFolderShouldHandleChildCollisionWithTemporaryNames() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      box.createFolder("a/b/b/c");
      box.createFolder("a/b/c");
      box.deleteFolder("a");
      // "a/b" -> "a": "a/b/b/c" becomes "a/b/c" while the old "a/b/c" becomes "a/c".
      box.renameFolder("a/b", "a");
      assertThat(box.folders())
          .extracting(FolderInfo::name)
          .containsExactly("INBOX", "a", "a/b", "a/b/c", "a/c");
    }
  }

  @Test
  default void renameFolderShouldMoveMessagesAndEmptyInboxWhenSourceIsInbox() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      // RFC 9051 §6.3.6: renaming INBOX moves its messages; INBOX stays, empty; children stay.
      box.createFolder("INBOX/child");
      long inboxValidity = box.status("INBOX").uidValidity();
      append(box, "INBOX", "one", Flags.SEEN);
      append(box, "INBOX", "two");
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
      assertThat(append(box, "INBOX", "three").uid()).isEqualTo(3);
      assertThat(append(box, "Old", "four").uid()).isEqualTo(3);
    }
  }

  @Test
  default void setSubscribedAndSetRoleShouldBeListedWhenChanged() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
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
  }

  @Test
  default void setFlagsShouldApplyOperationsAndBumpModSeqOnlyForChangedMessages() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "1");
      append(box, "INBOX", "2", Flags.SEEN);
      append(box, "INBOX", "3");
      long before = box.status("INBOX").highestModSeq();

      List<MessageInfo> r =
          box.setFlags("INBOX", List.of(1L, 2L, 99L), FlagOperation.ADD, Set.of("\\SEEN"));
      assertThat(r).extracting(MessageInfo::uid).containsExactly(1L, 2L);
      assertThat(r.get(0).modSeq()).isEqualTo(before + 1);
      assertThat(r.get(1).modSeq()).isLessThanOrEqualTo(before); // unchanged
      assertThat(box.status("INBOX").highestModSeq()).isEqualTo(before + 1);

      r = box.setFlags("INBOX", List.of(1L), FlagOperation.REPLACE, Set.of("$Label1", Flags.DRAFT));
      assertThat(r.get(0).flags()).containsExactlyInAnyOrder("$Label1", Flags.DRAFT);
      r =
          box.setFlags(
              "INBOX", List.of(1L, 2L), FlagOperation.REMOVE, Set.of(Flags.SEEN, "$Label1"));
      assertThat(r.get(0).flags()).containsExactly(Flags.DRAFT);
      assertThat(r.get(1).flags()).isEmpty();

      long now = box.status("INBOX").highestModSeq();
      box.setFlags("INBOX", List.of(3L), FlagOperation.REMOVE, Set.of(Flags.SEEN));
      assertThat(box.status("INBOX").highestModSeq()).isEqualTo(now);
    }
  }

  @Test
  default void expungeShouldRemoveOnlyDeletedMessagesAndLogThem() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "1", Flags.DELETED);
      append(box, "INBOX", "2");
      append(box, "INBOX", "3", Flags.DELETED);
      append(box, "INBOX", "4", Flags.DELETED);
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
  }

  @Test
  default void changesSinceShouldReturnChangedMessagesAndExpungedUidsAboveModSeq() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "1");
      append(box, "INBOX", "2");
      append(box, "INBOX", "3");
      long mark = box.status("INBOX").highestModSeq();
      box.setFlags("INBOX", List.of(2L), FlagOperation.ADD, Set.of(Flags.DELETED));
      append(box, "INBOX", "4");
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
  }

  @Test
  default void snapshotShouldListMessagesInUidOrderWithModSeqAndBlob() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "a");
      append(box, "INBOX", "b");
      FolderSnapshot s = box.snapshot("INBOX");
      assertThat(s.uidNext()).isEqualTo(3);
      assertThat(s.messages()).extracting(MessageInfo::uid).containsExactly(1L, 2L);
      assertThat(s.messages().get(1).modSeq()).isEqualTo(s.highestModSeq());
      assertThat(s.messages().get(0).blobId().sha256())
          .isEqualTo(
              "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"); // sha256("a")
    }
  }

  @Test
  default void copyShouldAssignNewUidsAndKeepFlagsAndSource() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      box.createFolder("Archive");
      append(box, "Archive", "pre");
      append(box, "INBOX", "1", Flags.SEEN);
      append(box, "INBOX", "2");
      append(box, "INBOX", "3", "$Work");
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
  }

  @Test
  default void copyShouldThrowNotFoundWhenDestinationMissing() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "1");
      assertThatThrownBy(() -> box.copy("INBOX", List.of(1L), "Nope"))
          .isInstanceOf(StoreException.NotFound.class);
      assertThat(box.copy("INBOX", List.of(5L), "INBOX").sourceUids()).isEmpty();
    }
  }

  @Test
  default void moveShouldRemoveSourceAndLogExpunge() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      box.createFolder("Trash");
      append(box, "INBOX", "1");
      append(box, "INBOX", "2");
      long mark = box.status("INBOX").highestModSeq();
      CopyResult r = box.move("INBOX", List.of(2L), "Trash");
      assertThat(r.destinationUids()).containsExactly(1L);
      assertThat(box.snapshot("INBOX").messages()).extracting(MessageInfo::uid).containsExactly(1L);
      assertThat(box.changesSince("INBOX", mark).expunged()).containsExactly(2L);
      assertThat(box.read("Trash", 1)).isEqualTo("2".getBytes(UTF_8));
    }
  }

  @Test
  default void moveShouldGiveNewUidWhenSourceAndTargetAreSame() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "1");
      CopyResult r = box.move("INBOX", List.of(1L), "INBOX");
      assertThat(r.destinationUids()).containsExactly(2L);
      assertThat(box.snapshot("INBOX").messages()).extracting(MessageInfo::uid).containsExactly(2L);
    }
  }

  @Test
  default void watchShouldFireAfterCommitFromAnotherMailboxInstanceUntilClosed() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
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
      append(box, "INBOX", "z");
      assertThat(calls).hasValue(2);
    }
  }

  @Test
  default void watchShouldFollowRenameAndFireOnDelete() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      box.createFolder("A");
      AtomicInteger calls = new AtomicInteger();
      box.watch("A", calls::incrementAndGet);
      box.renameFolder("A", "B");
      box.append("B", msg("x"), Set.of(), DATE);
      box.deleteFolder("B");
      assertThat(calls).hasValue(3);
      assertThatThrownBy(() -> box.watch("A", () -> {}))
          .isInstanceOf(StoreException.NotFound.class);
    }
  }

  @Test
  default void deleteAccountShouldRemoveEverythingAndRecreateFreshInbox() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      append(box, "INBOX", "1");
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
  }

  @Test
  default void accountsShouldBeIsolatedWhenSameFolderNames() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      Mailbox bob = store.mailbox("bob@example.org");
      append(box, "INBOX", "alice");
      assertThat(bob.status("INBOX").messages()).isZero();
      bob.createFolder("X");
      assertThat(box.folders()).extracting(FolderInfo::name).containsExactly("INBOX");
    }
  }

  @Test
  default void operationsShouldThrowUnavailableWhenStoreClosed() {
    MailStore store = newStore();
    Mailbox box = store.mailbox(ALICE);
    store.close();
    store.close(); // idempotent
    assertThatThrownBy(() -> box.status("INBOX")).isInstanceOf(StoreException.Unavailable.class);
    assertThatThrownBy(() -> store.mailbox("x")).isInstanceOf(StoreException.Unavailable.class);
  }

  @Test
  @Timeout(120)
  default void concurrentAppendsFlagsAndExpungesShouldKeepInvariantsWhenSharingOneFolder()
      throws Exception {
    final int appenders = 4;
    final int perAppender = 40;
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox("busy@example.org");
      ConcurrentLinkedQueue<Long> appended = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Long> expunged = new ConcurrentLinkedQueue<>();
      CountDownLatch start = new CountDownLatch(1);
      CountDownLatch appendsDone = new CountDownLatch(appenders);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < appenders; t++) {
        final int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  long last = 0;
                  try {
                    for (int i = 0; i < perAppender; i++) {
                      // Half the messages share content across threads (dedup under contention).
                      String body = i % 2 == 0 ? "shared " + i : "t" + thread + " m" + i;
                      AppendResult r =
                          store
                              .mailbox("busy@example.org")
                              .append(
                                  "INBOX",
                                  new ByteArrayInputStream(body.getBytes(UTF_8)),
                                  Set.of(),
                                  null);
                      assertThat(r.uid()).isGreaterThan(last); // increasing per thread
                      last = r.uid();
                      appended.add(r.uid());
                    }
                  } finally {
                    appendsDone.countDown();
                  }
                  return null;
                }));
      }
      for (int t = 0; t < 2; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  while (appendsDone.getCount() > 0) {
                    List<MessageInfo> msgs = box.snapshot("INBOX").messages();
                    if (msgs.isEmpty()) {
                      continue;
                    }
                    long uid = msgs.get(ThreadLocalRandom.current().nextInt(msgs.size())).uid();
                    box.setFlags("INBOX", List.of(uid), FlagOperation.ADD, Set.of(Flags.DELETED));
                  }
                  return null;
                }));
      }
      for (int t = 0; t < 2; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  while (appendsDone.getCount() > 0) {
                    expunged.addAll(box.expunge("INBOX", Optional.empty()));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(100, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

      int total = appenders * perAppender;
      assertThat(new HashSet<>(appended)).hasSize(total);
      assertThat(appended).allSatisfy(uid -> assertThat(uid).isBetween(1L, (long) total));
      assertThat(new HashSet<>(expunged)).hasSameSizeAs(expunged);
      assertThat(appended).containsAll(expunged);

      FolderSnapshot s = box.snapshot("INBOX");
      FolderStatus st = box.status("INBOX");
      assertThat(s.uidNext()).isEqualTo(total + 1);
      assertThat(s.messages()).hasSize(total - expunged.size());
      assertThat(st.messages()).isEqualTo(s.messages().size());
      Set<Long> remaining = new HashSet<>(appended);
      remaining.removeAll(expunged);
      assertThat(s.messages())
          .extracting(MessageInfo::uid)
          .containsExactlyInAnyOrderElementsOf(remaining);
      assertThat(s.messages()).extracting(MessageInfo::uid).isSorted();
      assertThat(box.changesSince("INBOX", 0).expunged())
          .containsExactlyInAnyOrderElementsOf(expunged);
      for (MessageInfo m : s.messages()) {
        assertThat(box.read("INBOX", m.uid())).hasSize((int) m.size()); // blob still present
      }
    }
  }

  /** Random operation sequences against a plain in-memory model give the same observable state. */
  @Test
  default void randomOperationsShouldMatchModelWhenAppliedInSequence() {
    AtomicInteger accounts = new AtomicInteger();
    try (MailStore store = newStore()) {
      qt().withExamples(60)
          .withShrinkCycles(200)
          .forAll(lists().of(StoreModel.ops()).ofSizeBetween(1, 30))
          .checkAssert(
              ops -> {
                Mailbox box = store.mailbox("model" + accounts.incrementAndGet() + "@example.org");
                Map<String, StoreModel.Folder> model = new TreeMap<>();
                model.put("INBOX", new StoreModel.Folder());
                Set<Long> used = new HashSet<>();
                StoreModel.compare(box, model, used);
                for (StoreModel.Op op : ops) {
                  List<Long> before =
                      StoreModel.pick(model.get(StoreModel.FOLDERS.get(op.folder())), op.sel());
                  Class<? extends StoreException> expected = StoreModel.apply(model, op);
                  Throwable thrown = null;
                  try {
                    StoreModel.run(box, op, before);
                  } catch (StoreException e) {
                    thrown = e;
                  }
                  if (expected == null) {
                    assertThat(thrown).as("%s", op).isNull();
                  } else {
                    assertThat(thrown).as("%s", op).isInstanceOf(expected);
                  }
                  StoreModel.compare(box, model, used);
                }
              });
    }
  }

  @Test
  default void saveDateShouldBeTimeStoredInFolderWhenAppendedCopiedOrMoved() {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      box.createFolder("Archive");
      Instant before = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
      append(box, "INBOX", "1");
      box.copy("INBOX", List.of(1L), "Archive");
      box.move("INBOX", List.of(1L), "Archive");
      Instant after = Instant.now();
      List<MessageInfo> archived = box.snapshot("Archive").messages();
      assertThat(archived).hasSize(2);
      for (MessageInfo m : archived) {
        // RFC 8514 §3: set when stored in this folder, independent of INTERNALDATE
        assertThat(m.internalDate()).isEqualTo(DATE);
        assertThat(m.saveDate()).hasValueSatisfying(d -> assertThat(d).isBetween(before, after));
      }
      List<org.carbonio.store.MessageSummary> summaries = new ArrayList<>();
      box.messages("Archive", 1, Long.MAX_VALUE, summaries::add);
      assertThat(summaries)
          .containsExactlyElementsOf(
              archived.stream().map(org.carbonio.store.MessageSummary::of).toList());
    }
  }

  @Test
  @Timeout(120)
  default void setFlagsIfUnchangedShouldNeverLetBothWinWhenRacingUnconditionalChange()
      throws Exception {
    try (MailStore store = newStore()) {
      Mailbox box = store.mailbox(ALICE);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int round = 1; round <= 20; round++) {
          long uid = append(box, "INBOX", "m" + round).uid();
          long seen = box.status("INBOX").highestModSeq();
          CountDownLatch go = new CountDownLatch(1);
          Future<org.carbonio.store.ConditionalFlags> conditional =
              pool.submit(
                  () -> {
                    go.await();
                    return box.setFlagsIfUnchanged(
                        "INBOX", List.of(uid), FlagOperation.ADD, Set.of(Flags.FLAGGED), seen);
                  });
          Future<List<MessageInfo>> other =
              pool.submit(
                  () -> {
                    go.await();
                    return box.setFlags("INBOX", List.of(uid), FlagOperation.ADD, Set.of("$o"));
                  });
          go.countDown();
          org.carbonio.store.ConditionalFlags c = conditional.get(60, TimeUnit.SECONDS);
          long otherModSeq = other.get(60, TimeUnit.SECONDS).getFirst().modSeq();
          // RFC 7162 §3.1.3: either the conditional change came first, or it saw the other one
          if (c.modified().isEmpty()) {
            assertThat(c.updated()).hasSize(1);
            assertThat(otherModSeq).isGreaterThan(c.updated().getFirst().modSeq());
          } else {
            assertThat(c.modified()).containsExactly(uid);
            assertThat(c.updated()).isEmpty();
            assertThat(box.snapshot("INBOX").messages().getLast().flags())
                .doesNotContain(Flags.FLAGGED);
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
