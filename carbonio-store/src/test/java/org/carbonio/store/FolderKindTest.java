package org.carbonio.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderKindTest {
  @TempDir Path dir;

  @Test
  void createFolderShouldReportKindWhenGivenAndMailOtherwise() {
    try (MailStore store = MailStore.open(dir)) {
      Mailbox box = store.mailbox("alice@example.org");
      FolderInfo cal = box.createFolder("Calendars/Work", FolderKind.CALENDAR);
      box.createFolder("Contacts", FolderKind.CONTACTS);
      box.createFolder("Briefcase", FolderKind.FILES);
      box.createFolder("Archive");
      assertThat(cal.kind()).isEqualTo(FolderKind.CALENDAR);
      assertThat(box.folders())
          .extracting(FolderInfo::name, FolderInfo::kind)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("INBOX", FolderKind.MAIL),
              org.assertj.core.groups.Tuple.tuple("Archive", FolderKind.MAIL),
              org.assertj.core.groups.Tuple.tuple("Briefcase", FolderKind.FILES),
              org.assertj.core.groups.Tuple.tuple("Calendars", FolderKind.CALENDAR),
              org.assertj.core.groups.Tuple.tuple("Calendars/Work", FolderKind.CALENDAR),
              org.assertj.core.groups.Tuple.tuple("Contacts", FolderKind.CONTACTS));
    }
  }

  @Test
  void kindShouldStayWhenFolderIsRenamedAndStoreReopened() {
    try (MailStore store = MailStore.open(dir)) {
      Mailbox box = store.mailbox("alice@example.org");
      box.createFolder("Calendar", FolderKind.CALENDAR);
      box.renameFolder("Calendar", "Agenda");
    }
    try (MailStore store = MailStore.open(dir)) {
      assertThat(store.mailbox("alice@example.org").folders())
          .filteredOn(f -> f.name().equals("Agenda"))
          .singleElement()
          .extracting(FolderInfo::kind)
          .isEqualTo(FolderKind.CALENDAR);
    }
  }

  @Test
  void setRoleShouldRejectWhenFolderIsNotMail() {
    try (MailStore store = MailStore.open(dir)) {
      Mailbox box = store.mailbox("alice@example.org");
      box.createFolder("Files", FolderKind.FILES);
      assertThatThrownBy(() -> box.setRole("Files", Optional.of(SpecialUse.TRASH)))
          .isInstanceOf(StoreException.Invalid.class);
      box.setRole("Files", Optional.empty()); // clearing is always fine
      box.createFolder("Trash");
      box.setRole("Trash", Optional.of(SpecialUse.TRASH));
      assertThat(box.folders())
          .filteredOn(f -> f.name().equals("Trash"))
          .singleElement()
          .extracting(FolderInfo::role)
          .isEqualTo(Optional.of(SpecialUse.TRASH));
    }
  }

  @Test
  void folderInfoShouldDefaultToMailWhenBuiltWithoutKind() {
    assertThat(new FolderInfo("X", 1, false, Optional.empty()).kind()).isEqualTo(FolderKind.MAIL);
  }
}
