package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TagTest {
  @TempDir Path dir;
  MailStore store;
  Mailbox box;

  @BeforeEach
  void open() {
    store = MailStore.open(dir);
    box = store.mailbox("alice@example.org");
    box.createFolder("Work");
  }

  @AfterEach
  void close() {
    store.close();
  }

  long append(String folder, String... flags) {
    return box.append(
            folder,
            new ByteArrayInputStream("Subject: x\r\n\r\nbody\r\n".getBytes(UTF_8)),
            Set.of(flags),
            null)
        .uid();
  }

  MessageInfo message(String folder, long uid) {
    return box.snapshot(folder).messages().stream().filter(m -> m.uid() == uid).findFirst().get();
  }

  @Test
  void createTagShouldListTagsSortedWhenCreated() {
    assertThat(box.tags()).isEmpty();
    assertThat(box.createTag("urgent", 0xFF0000)).isEqualTo(new Tag("urgent", 0xFF0000));
    box.createTag("$Project", 0x00FF00);
    assertThat(box.tags())
        .containsExactly(new Tag("$Project", 0x00FF00), new Tag("urgent", 0xFF0000));
    assertThatThrownBy(() -> box.createTag("urgent", 1))
        .isInstanceOf(StoreException.AlreadyExists.class);
    assertThat(store.mailbox("bob@example.org").tags()).isEmpty();
  }

  @Test
  void createTagShouldRejectWhenNameIsNotKeywordOrColorOutOfRange() {
    for (String bad : List.of("", "\\Seen", "two words", "a(b", "x]", "a".repeat(256))) {
      assertThatThrownBy(() -> box.createTag(bad, 0))
          .as(bad)
          .isInstanceOf(StoreException.Invalid.class);
    }
    assertThatThrownBy(() -> box.createTag("ok", -1)).isInstanceOf(StoreException.Invalid.class);
    assertThatThrownBy(() -> box.createTag("ok", 0x1000000))
        .isInstanceOf(StoreException.Invalid.class);
    assertThat(box.tags()).isEmpty();
  }

  @Test
  void setFlagsShouldTagMessageWhenKeywordIsTagName() {
    box.createTag("urgent", 1);
    long uid = append("INBOX");
    box.setFlags("INBOX", List.of(uid), FlagOperation.ADD, Set.of("urgent"));
    assertThat(message("INBOX", uid).flags()).containsExactly("urgent");
  }

  @Test
  void renameTagShouldRenameKeywordWithNewModSeqWhenMessagesCarryIt() {
    box.createTag("work_x", 1);
    long a = append("INBOX", "work_x", Flags.SEEN);
    long b = append("INBOX", "homework_xy", "workAx"); // LIKE would match "work_x" in both
    long c = append("Work", "work_x");
    long inboxModSeq = box.status("INBOX").highestModSeq();
    long workModSeq = box.status("Work").highestModSeq();
    long untouched = message("INBOX", b).modSeq();
    AtomicInteger notified = new AtomicInteger();
    box.watch("Work", notified::incrementAndGet);

    box.renameTag("work_x", "job");

    assertThat(box.tags()).containsExactly(new Tag("job", 1));
    assertThat(message("INBOX", a).flags()).containsExactlyInAnyOrder(Flags.SEEN, "job");
    assertThat(message("INBOX", b).flags()).containsExactlyInAnyOrder("homework_xy", "workAx");
    assertThat(message("Work", c).flags()).containsExactly("job");
    // RFC 7162 §3.1.3: changed messages get a new mod-sequence, the others keep theirs
    assertThat(message("INBOX", a).modSeq()).isGreaterThan(inboxModSeq);
    assertThat(message("INBOX", b).modSeq()).isEqualTo(untouched);
    assertThat(message("Work", c).modSeq()).isGreaterThan(workModSeq);
    assertThat(box.changesSince("INBOX", inboxModSeq).changed())
        .extracting(MessageInfo::uid)
        .containsExactly(a);
    assertThat(notified).hasValue(1);
  }

  @Test
  void renameTagShouldFailWhenSourceMissingOrTargetExists() {
    box.createTag("a", 1);
    box.createTag("b", 2);
    assertThatThrownBy(() -> box.renameTag("zz", "c")).isInstanceOf(StoreException.NotFound.class);
    assertThatThrownBy(() -> box.renameTag("a", "b"))
        .isInstanceOf(StoreException.AlreadyExists.class);
    assertThatThrownBy(() -> box.renameTag("a", "\\Flagged"))
        .isInstanceOf(StoreException.Invalid.class);
    assertThat(box.tags()).extracting(Tag::name).containsExactly("a", "b");
  }

  @Test
  void deleteTagShouldRemoveKeywordEverywhereWithNewModSeq() {
    box.createTag("urgent", 1);
    long a = append("INBOX", "urgent", "other");
    long c = append("Work", "urgent");
    long before = box.status("Work").highestModSeq();
    box.deleteTag("urgent");
    assertThat(box.tags()).isEmpty();
    assertThat(message("INBOX", a).flags()).containsExactly("other");
    assertThat(message("Work", c).flags()).isEmpty();
    assertThat(message("Work", c).modSeq()).isGreaterThan(before);
    assertThatThrownBy(() -> box.deleteTag("urgent")).isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void tagsShouldBeDeletedWhenAccountIsDeleted() {
    box.createTag("urgent", 1);
    store.deleteAccount("alice@example.org");
    assertThat(store.mailbox("alice@example.org").tags()).isEmpty();
  }
}
