package org.carbonio.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharingTest {
  @TempDir Path dir;
  MailStore store;
  Mailbox alice;
  Mailbox carol;

  @BeforeEach
  void open() {
    store = MailStore.open(dir);
    alice = store.mailbox("alice@example.org");
    carol = store.mailbox("carol@example.net");
    alice.createFolder("Projects/X");
    alice.createFolder("Calendar", FolderKind.CALENDAR);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void grantShouldReplaceRightsAndRevokeWhenEmpty() {
    Grantee bob = Grantee.user("bob@example.org");
    alice.grant("Projects/X", bob, Set.of(Right.READ));
    alice.grant("Projects/X", Grantee.group("team"), Set.of(Right.READ, Right.INSERT));
    assertThat(alice.grants("Projects/X"))
        .isEqualTo(
            Map.of(
                bob, Set.of(Right.READ), Grantee.group("team"), Set.of(Right.READ, Right.INSERT)));
    alice.grant("Projects/X", bob, Set.of(Right.WRITE, Right.DELETE));
    assertThat(alice.grants("Projects/X")).containsEntry(bob, Set.of(Right.WRITE, Right.DELETE));
    alice.grant("Projects/X", bob, Set.of());
    assertThat(alice.grants("Projects/X")).containsOnlyKeys(Grantee.group("team"));
    assertThat(alice.grants("Projects")).isEmpty();
  }

  @Test
  void grantShouldFailWhenFolderMissingOrGranteeIsOwner() {
    assertThatThrownBy(() -> alice.grant("Nope", Grantee.everyone(), Set.of(Right.READ)))
        .isInstanceOf(StoreException.NotFound.class);
    assertThatThrownBy(
            () -> alice.grant("INBOX", Grantee.user("alice@example.org"), Set.of(Right.READ)))
        .isInstanceOf(StoreException.Invalid.class);
    assertThatThrownBy(() -> alice.grants("Nope")).isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void sharedWithShouldUniteMatchingGrantsWhenSeveralApply() {
    alice.grant("Projects/X", Grantee.user("bob@example.org"), Set.of(Right.READ));
    alice.grant("Projects/X", Grantee.group("team"), Set.of(Right.INSERT));
    alice.grant("Projects/X", Grantee.group("other"), Set.of(Right.ADMINISTER));
    alice.grant("Calendar", Grantee.domain("Example.ORG"), Set.of(Right.READ));
    carol.grant("INBOX", Grantee.everyone(), Set.of(Right.READ, Right.WRITE));
    carol.grant("INBOX", Grantee.user("dave@example.org"), Set.of(Right.DELETE));

    assertThat(store.sharedWith("bob@example.org", Set.of("team"), "example.org"))
        .containsExactly(
            new SharedFolder("alice@example.org", "Calendar", Set.of(Right.READ)),
            new SharedFolder(
                "alice@example.org", "Projects/X", EnumSet.of(Right.READ, Right.INSERT)),
            new SharedFolder("carol@example.net", "INBOX", Set.of(Right.READ, Right.WRITE)));
    assertThat(store.sharedWith("eve@example.com", Set.of(), "example.com"))
        .containsExactly(
            new SharedFolder("carol@example.net", "INBOX", Set.of(Right.READ, Right.WRITE)));
    // an owner's own folders are not "shared with" it
    assertThat(store.sharedWith("carol@example.net", Set.of(), "example.net")).isEmpty();
  }

  @Test
  void grantsShouldFollowRenameAndVanishWithFolder() {
    alice.grant("Projects/X", Grantee.user("bob@example.org"), Set.of(Right.READ));
    alice.renameFolder("Projects", "Work");
    assertThat(store.sharedWith("bob@example.org", Set.of(), "example.org"))
        .containsExactly(new SharedFolder("alice@example.org", "Work/X", Set.of(Right.READ)));
    assertThat(alice.grants("Work/X")).containsOnlyKeys(Grantee.user("bob@example.org"));
    alice.deleteFolder("Work/X");
    alice.createFolder("Work/X");
    assertThat(alice.grants("Work/X")).isEmpty();
    assertThat(store.sharedWith("bob@example.org", Set.of(), "example.org")).isEmpty();
  }

  @Test
  void deleteAccountShouldDropGrantsToAndFromIt() {
    alice.grant("INBOX", Grantee.user("carol@example.net"), Set.of(Right.READ));
    carol.grant("INBOX", Grantee.user("bob@example.org"), Set.of(Right.READ));
    store.deleteAccount("carol@example.net");
    assertThat(alice.grants("INBOX")).isEmpty();
    assertThat(store.sharedWith("bob@example.org", Set.of(), "example.org")).isEmpty();
    assertThat(store.sharedWith("carol@example.net", Set.of(), "example.net")).isEmpty();
  }

  @Test
  void rightsShouldMapToRfc4314LettersWhenListed() {
    // RFC 4314 §2.1
    assertThat(Right.rfc4314(EnumSet.allOf(Right.class))).isEqualTo("lrswitexa");
    assertThat(Right.rfc4314(Set.of(Right.INSERT, Right.READ))).isEqualTo("lrsi");
    assertThat(Right.rfc4314(Set.of())).isEmpty();
  }

  @Test
  void granteeShouldValidateNamesWhenBuilt() {
    assertThat(Grantee.domain("Example.ORG").name()).isEqualTo("example.org");
    assertThatThrownBy(() -> new Grantee(Grantee.Kind.EVERYONE, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Grantee.user("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Grantee.group("a\nb")).isInstanceOf(IllegalArgumentException.class);
  }
}
