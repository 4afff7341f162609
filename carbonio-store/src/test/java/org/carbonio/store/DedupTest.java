package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DedupTest {
  @TempDir Path dir;

  long blobFiles() throws IOException {
    try (Stream<Path> s = Files.walk(dir.resolve("blobs"))) {
      return s.filter(Files::isRegularFile).filter(p -> !p.getParent().endsWith("tmp")).count();
    }
  }

  static ByteArrayInputStream content() {
    return new ByteArrayInputStream("Subject: same\r\n\r\nsame bytes\r\n".getBytes(UTF_8));
  }

  @Test
  void deliverShouldFileOneBlobIntoEveryAccountWhenGivenSeveral() throws IOException {
    try (MailStore store = openWithBlobFiles(dir)) {
      List<AppendResult> results =
          store.deliver(List.of("carol@example.org", "dave@example.org"), "INBOX", content(), null);
      assertThat(results).hasSize(2);
      assertThat(blobFiles()).isEqualTo(1);
      for (String account : List.of("carol@example.org", "dave@example.org")) {
        Mailbox mailbox = store.mailbox(account);
        assertThat(mailbox.snapshot("INBOX").messages()).hasSize(1);
        assertThat(new String(mailbox.read("INBOX", 1), UTF_8)).contains("same bytes");
      }
    }
  }

  @Test
  void deliverShouldFileIntoNoAccountWhenOneFolderIsMissing() throws IOException {
    try (MailStore store = openWithBlobFiles(dir)) {
      store.mailbox("erin@example.org").createFolder("Lists");
      store.mailbox("frank@example.org");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  store.deliver(
                      List.of("erin@example.org", "frank@example.org"), "Lists", content(), null))
          .isInstanceOf(StoreException.NotFound.class);
      assertThat(store.mailbox("erin@example.org").snapshot("Lists").messages()).isEmpty();
      assertThat(blobFiles()).isZero();
    }
  }

  @Test
  void sameContentShouldBeStoredOnceAndDeletedWhenLastReferenceExpunged() throws IOException {
    try (MailStore store = openWithBlobFiles(dir)) {
      Mailbox alice = store.mailbox("alice@example.org");
      Mailbox bob = store.mailbox("bob@example.org");
      alice.createFolder("Archive");
      alice.append("INBOX", content(), Set.of(Flags.DELETED), null);
      alice.append("Archive", content(), Set.of(Flags.DELETED), null);
      bob.append("INBOX", content(), Set.of(Flags.DELETED), null);
      alice.copy("INBOX", List.of(1L), "Archive");
      assertThat(blobFiles()).isEqualTo(1);
      BlobId id = alice.snapshot("INBOX").messages().get(0).blobId();
      Path file =
          dir.resolve("blobs")
              .resolve(id.sha256().substring(0, 2))
              .resolve(id.sha256().substring(2, 4))
              .resolve(id.sha256());
      assertThat(file).exists();

      alice.expunge("INBOX", Optional.empty());
      alice.expunge("Archive", Optional.empty());
      assertThat(file).exists(); // bob still holds it
      bob.expunge("INBOX", Optional.empty());
      assertThat(file).doesNotExist();
      assertThat(blobFiles()).isZero();

      // Stored again after collection: written anew.
      bob.append("INBOX", content(), Set.of(), null);
      assertThat(file).exists();
      assertThat(bob.read("INBOX", 2)).isEqualTo(content().readAllBytes());
    }
  }

  @Test
  void deleteFolderAndDeleteAccountShouldReleaseBlobs() throws IOException {
    try (MailStore store = openWithBlobFiles(dir)) {
      Mailbox alice = store.mailbox("alice@example.org");
      alice.createFolder("F");
      alice.append("F", content(), Set.of(), null);
      alice.append("INBOX", new ByteArrayInputStream(new byte[] {1, 2, 3}), Set.of(), null);
      assertThat(blobFiles()).isEqualTo(2);
      alice.deleteFolder("F");
      assertThat(blobFiles()).isEqualTo(1);
      store.deleteAccount("alice@example.org");
      assertThat(blobFiles()).isZero();
    }
  }

  @Test
  void moveShouldKeepBlobWhenSourceExpunged() throws IOException {
    try (MailStore store = openWithBlobFiles(dir)) {
      Mailbox alice = store.mailbox("alice@example.org");
      alice.createFolder("F");
      alice.append("INBOX", content(), Set.of(), null);
      alice.move("INBOX", List.of(1L), "F");
      assertThat(blobFiles()).isEqualTo(1);
      assertThat(alice.read("F", 1)).isEqualTo(content().readAllBytes());
    }
  }

  /** These tests are about blob files: every message goes to the blob store, none inline. */
  private static MailStore openWithBlobFiles(java.nio.file.Path dir) {
    return MailStore.open(StoreConfig.embedded(dir).withInlineLimit(0));
  }
}
