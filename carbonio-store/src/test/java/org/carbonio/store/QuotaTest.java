package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.carbonio.store.spi.QuotaPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuotaTest {
  @TempDir Path dir;
  final Map<String, Long> limits = new ConcurrentHashMap<>();
  final QuotaPolicy policy =
      account ->
          limits.containsKey(account) ? OptionalLong.of(limits.get(account)) : OptionalLong.empty();

  static InputStream bytes(int n, char c) {
    return new ByteArrayInputStream(String.valueOf(c).repeat(n).getBytes(UTF_8));
  }

  static QuotaUsage usage(long bytes, long messages, OptionalLong limit) {
    return new QuotaUsage(bytes, messages, limit);
  }

  @Test
  void quotaShouldFollowEveryWriteWhenMessagesComeAndGo() {
    try (MailStore store = MailStore.open(dir, policy)) {
      Mailbox box = store.mailbox("alice@example.org");
      assertThat(box.quota()).isEqualTo(usage(0, 0, OptionalLong.empty()));
      long a = box.append("INBOX", bytes(100, 'a'), Set.of(), null).uid();
      long b = box.append("INBOX", bytes(30, 'b'), Set.of(Flags.DELETED), null).uid();
      assertThat(box.quota()).isEqualTo(usage(130, 2, OptionalLong.empty()));
      box.createFolder("A");
      box.copy("INBOX", List.of(a, b), "A"); // a copy counts again, though the blob is shared
      assertThat(box.quota()).isEqualTo(usage(260, 4, OptionalLong.empty()));
      box.move("INBOX", List.of(a), "A");
      assertThat(box.quota()).isEqualTo(usage(260, 4, OptionalLong.empty()));
      box.expunge("INBOX", Optional.empty());
      assertThat(box.quota()).isEqualTo(usage(230, 3, OptionalLong.empty()));
      box.deleteFolder("A");
      assertThat(box.quota()).isEqualTo(usage(0, 0, OptionalLong.empty()));
      box.append("INBOX", bytes(10, 'c'), Set.of(), null);
      box.renameFolder("INBOX", "Old");
      assertThat(box.quota()).isEqualTo(usage(10, 1, OptionalLong.empty()));
      store.deleteAccount("alice@example.org");
      assertThat(store.mailbox("alice@example.org").quota())
          .isEqualTo(usage(0, 0, OptionalLong.empty()));
    }
  }

  @Test
  void appendShouldFailAndChangeNothingWhenOverQuota() {
    limits.put("alice@example.org", 150L);
    try (MailStore store = MailStore.open(dir, policy)) {
      Mailbox box = store.mailbox("alice@example.org");
      box.append("INBOX", bytes(100, 'a'), Set.of(), null);
      box.append("INBOX", bytes(50, 'b'), Set.of(), null); // exactly at the limit is fine
      FolderStatus before = box.status("INBOX");
      assertThatThrownBy(() -> box.append("INBOX", bytes(1, 'c'), Set.of(), null))
          .isInstanceOfSatisfying(
              StoreException.OverQuota.class,
              e -> assertThat(e.accountId()).isEqualTo("alice@example.org"));
      assertThat(box.status("INBOX")).isEqualTo(before);
      assertThat(box.quota()).isEqualTo(usage(150, 2, OptionalLong.of(150)));
      limits.put("alice@example.org", 1000L);
      assertThat(box.append("INBOX", bytes(1, 'c'), Set.of(), null).uid())
          .isEqualTo(before.uidNext());
    }
  }

  @Test
  void copyShouldFailWhenOverQuotaButMoveAndExpungeShouldWork() {
    limits.put("alice@example.org", 150L);
    try (MailStore store = MailStore.open(dir, policy)) {
      Mailbox box = store.mailbox("alice@example.org");
      box.createFolder("A");
      long a = box.append("INBOX", bytes(100, 'a'), Set.of(Flags.DELETED), null).uid();
      assertThatThrownBy(() -> box.copy("INBOX", List.of(a), "A"))
          .isInstanceOf(StoreException.OverQuota.class);
      assertThat(box.status("A").messages()).isZero();
      limits.put("alice@example.org", 50L); // the limit was lowered below the usage
      long moved = box.move("INBOX", List.of(a), "A").destinationUids().getFirst();
      assertThat(box.quota()).isEqualTo(usage(100, 1, OptionalLong.of(50)));
      box.expunge("A", Optional.of(List.of(moved)));
      assertThat(box.quota()).isEqualTo(usage(0, 0, OptionalLong.of(50)));
    }
  }

  @Test
  void deliverShouldFailForEveryAccountWhenOneIsOverQuota() {
    limits.put("bob@example.org", 10L);
    try (MailStore store = MailStore.open(dir, policy)) {
      assertThatThrownBy(
              () ->
                  store.deliver(
                      List.of("alice@example.org", "bob@example.org"),
                      "INBOX",
                      bytes(20, 'x'),
                      null))
          .isInstanceOfSatisfying(
              StoreException.OverQuota.class,
              e -> assertThat(e.accountId()).isEqualTo("bob@example.org"));
      assertThat(store.mailbox("alice@example.org").quota().messages()).isZero();
      assertThat(store.mailbox("alice@example.org").status("INBOX").messages()).isZero();
      assertThat(store.mailbox("bob@example.org").quota().messages()).isZero();
      store.deliver(List.of("alice@example.org"), "INBOX", bytes(20, 'x'), null);
      assertThat(store.mailbox("alice@example.org").quota().bytes()).isEqualTo(20);
    }
  }

  @Test
  void appendShouldFailUnavailableWhenPolicyThrows() {
    try (MailStore store =
        MailStore.open(
            dir,
            account -> {
              throw new IllegalStateException("directory down");
            })) {
      Mailbox box = store.mailbox("alice@example.org");
      assertThatThrownBy(() -> box.append("INBOX", bytes(1, 'a'), Set.of(), null))
          .isInstanceOf(StoreException.Unavailable.class);
      assertThat(box.status("INBOX").messages()).isZero();
    }
  }

  @Test
  void usageShouldSurviveWhenStoreIsReopened() {
    try (MailStore store = MailStore.open(dir)) {
      store.mailbox("alice@example.org").append("INBOX", bytes(42, 'a'), Set.of(), null);
    }
    try (MailStore store = MailStore.open(dir)) {
      assertThat(store.mailbox("alice@example.org").quota())
          .isEqualTo(usage(42, 1, OptionalLong.empty()));
    }
  }
}
