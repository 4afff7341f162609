package org.carbonio.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Annotations (IMAP METADATA, RFC 5464) of folders and accounts. */
class AnnotationTest {
  @TempDir Path dir;
  MailStore store;
  Mailbox alice;

  @BeforeEach
  void open() {
    store = MailStore.open(dir);
    alice = store.mailbox("alice@example.org");
    alice.createFolder("Projects");
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void setAnnotationsShouldStoreReplaceAndRemoveWhenGivenInOneCall() {
    alice.setAnnotations(
        "Projects",
        Map.of("/shared/comment", Optional.of("one"), "/private/x", Optional.of("two")));
    alice.setAnnotations("", Map.of("/shared/admin", Optional.of("mailto:a@example.org")));
    assertThat(alice.annotations("Projects"))
        .containsExactly(Map.entry("/private/x", "two"), Map.entry("/shared/comment", "one"));
    assertThat(alice.annotations(""))
        .containsExactly(Map.entry("/shared/admin", "mailto:a@example.org"));
    assertThat(alice.annotations("INBOX")).isEmpty();

    Map<String, Optional<String>> change = new LinkedHashMap<>();
    change.put("/shared/comment", Optional.of("three"));
    change.put("/private/x", Optional.empty());
    alice.setAnnotations("Projects", change);
    assertThat(alice.annotations("Projects"))
        .containsExactly(Map.entry("/shared/comment", "three"));
  }

  @Test
  void annotationsShouldFollowRenameAndVanishWithFolderWhenChanged() {
    alice.setAnnotations("Projects", Map.of("/shared/comment", Optional.of("kept")));
    alice.renameFolder("Projects", "Work");
    assertThat(alice.annotations("Work")).containsEntry("/shared/comment", "kept");
    alice.deleteFolder("Work");
    alice.createFolder("Work");
    assertThat(alice.annotations("Work")).isEmpty();
  }

  @Test
  void annotationsShouldSurviveReopenWhenStoreRestarts() {
    alice.setAnnotations("", Map.of("/private/vendor/x", Optional.of("v")));
    store.close();
    store = MailStore.open(dir);
    assertThat(store.mailbox("alice@example.org").annotations(""))
        .containsEntry("/private/vendor/x", "v");
  }

  @Test
  void setAnnotationsShouldFailWhenFolderMissingOrInputBad() {
    assertThatThrownBy(() -> alice.annotations("Nope")).isInstanceOf(StoreException.NotFound.class);
    assertThatThrownBy(() -> alice.setAnnotations("Nope", Map.of("/shared/a", Optional.of("b"))))
        .isInstanceOf(StoreException.NotFound.class);
    assertThatThrownBy(() -> alice.setAnnotations("", Map.of("", Optional.of("b"))))
        .isInstanceOf(StoreException.Invalid.class);
    assertThatThrownBy(() -> alice.setAnnotations("", Map.of("/shared/\n", Optional.of("b"))))
        .isInstanceOf(StoreException.Invalid.class);
    String big = "x".repeat(Mailbox.MAX_ANNOTATION_BYTES + 1);
    assertThatThrownBy(() -> alice.setAnnotations("", Map.of("/shared/a", Optional.of(big))))
        .isInstanceOf(StoreException.Invalid.class);
    assertThat(alice.annotations("")).isEmpty();
  }

  @Test
  void deleteAccountShouldRemoveAnnotationsWhenAccountRecreated() {
    alice.setAnnotations("", Map.of("/shared/a", Optional.of("b")));
    alice.setAnnotations("INBOX", Map.of("/shared/a", Optional.of("b")));
    store.deleteAccount("alice@example.org");
    Mailbox again = store.mailbox("alice@example.org");
    assertThat(again.annotations("")).isEmpty();
    assertThat(again.annotations("INBOX")).isEmpty();
  }
}
