package org.carbonio.imap.store;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.carbonio.imap.spi.AppendResult;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.MailboxInfo;
import org.carbonio.imap.spi.NewMessage;
import org.carbonio.imap.spi.UserMailboxes;
import org.carbonio.store.MailStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreMailboxBackendTest {
  @TempDir Path dir;
  private MailStore store;
  private StoreMailboxBackend backend;

  @BeforeEach
  void open() {
    store = MailStore.open(dir);
    backend = new StoreMailboxBackend(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void openShouldCreateInboxWhenUserIsNew() throws BackendException {
    try (UserMailboxes m = backend.open("alice@example.org")) {
      assertThat(m.list()).extracting(MailboxInfo::name).contains("INBOX");
    }
  }

  @Test
  void appendShouldStoreBytesWhenReadBackThroughStore() throws BackendException {
    byte[] msg = "Subject: a\r\n\r\nbody\r\n".getBytes(US_ASCII);
    try (UserMailboxes m = backend.open("alice")) {
      AppendResult r =
          m.append(
              "INBOX", Set.of("\\Seen"), Instant.now(), new ByteArrayInputStream(msg), msg.length);
      assertThat(m.content("INBOX", r.uid())).isEqualTo(msg);
      assertThat(store.mailbox("alice").read("INBOX", r.uid())).isEqualTo(msg);
      assertThat(m.status("INBOX").messages()).isEqualTo(1);
    }
  }

  @Test
  void selectShouldThrowNotFoundWhenMailboxMissing() throws BackendException {
    try (UserMailboxes m = backend.open("alice")) {
      assertThatThrownBy(() -> m.select("Nope")).isInstanceOf(BackendException.NotFound.class);
      m.create("Nope");
      assertThatThrownBy(() -> m.create("Nope")).isInstanceOf(BackendException.AlreadyExists.class);
    }
  }

  @Test
  void appendAllShouldGiveConsecutiveUidsWhenMultiAppend() throws BackendException {
    // RFC 3502 §6.3.11: all messages in one transaction
    List<NewMessage> batch = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      byte[] msg = ("Subject: " + i + "\r\n\r\nx\r\n").getBytes(US_ASCII);
      batch.add(
          new NewMessage(Set.of(), Instant.now(), msg.length, () -> new ByteArrayInputStream(msg)));
    }
    try (UserMailboxes m = backend.open("alice")) {
      List<AppendResult> r = m.appendAll("INBOX", batch);
      assertThat(r).extracting(AppendResult::uid).containsExactly(1L, 2L, 3L);
      assertThat(m.content("INBOX", 3)).isEqualTo("Subject: 2\r\n\r\nx\r\n".getBytes(US_ASCII));
    }
  }

  @Test
  void identityShouldUseAddressAsIdWhenNoDirectory() {
    assertThat(AccountLookup.IDENTITY.address("a@Example.ORG")).contains("a@Example.ORG");
    assertThat(AccountLookup.IDENTITY.accountId("a@example.org")).contains("a@example.org");
    assertThat(AccountLookup.IDENTITY.domain("a@Example.ORG")).isEqualTo("example.org");
    assertThat(AccountLookup.IDENTITY.domain("local")).isEmpty();
    assertThat(AccountLookup.IDENTITY.groups("a@example.org")).isEmpty();
  }
}
