package org.carbonio.store;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small messages are kept inline in the metadata database (one WAL fsync per group commit), large
 * ones in the blob store; both read back the same, deduplicate and are released the same way.
 */
class InlineBlobTest {
  @TempDir Path dir;

  private static byte[] message(int size, char fill) {
    String head = "Subject: inline " + fill + "\r\n\r\n";
    return (head + String.valueOf(fill).repeat(size - head.length())).getBytes(US_ASCII);
  }

  private long count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private long blobFiles() throws IOException {
    Path blobs = dir.resolve("blobs");
    if (!Files.exists(blobs)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(blobs)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.startsWith(blobs.resolve("tmp")))
          .count();
    }
  }

  @Test
  void smallMessageShouldBeInlineAndLargeOneAFileWhenAppendedAroundTheLimit() throws Exception {
    int limit = StoreConfig.DEFAULT_INLINE_LIMIT;
    byte[] small = message(limit, 's');
    byte[] large = message(limit + 1, 'l');
    try (MailStore store = MailStore.open(dir)) {
      Mailbox box = store.mailbox("kim@example.org");
      long u1 = box.append("INBOX", new ByteArrayInputStream(small), Set.of(), null).uid();
      long u2 = box.append("INBOX", new ByteArrayInputStream(large), Set.of(), null).uid();
      assertThat(box.read("INBOX", u1)).isEqualTo(small);
      try (InputStream in = box.open("INBOX", u2)) {
        assertThat(in.readAllBytes()).isEqualTo(large);
      }
      assertThat(box.snapshot("INBOX").messages().getFirst().blobId()).isEqualTo(BlobId.of(small));
    }
    assertThat(count("SELECT COUNT(*) FROM blob_data")).isEqualTo(1);
    assertThat(blobFiles()).isEqualTo(1);
  }

  @Test
  void inlineBlobShouldBeStoredOnceAndDeletedWithItsLastReference() throws Exception {
    byte[] m = message(2000, 'd');
    try (MailStore store = MailStore.open(dir)) {
      List<AppendResult> r =
          store.deliver(
              List.of("a@example.org", "b@example.org", "c@example.org"),
              "INBOX",
              new ByteArrayInputStream(m),
              null);
      assertThat(r).hasSize(3);
      assertThat(count("SELECT COUNT(*) FROM blob_data")).isEqualTo(1);
      assertThat(count("SELECT refcount FROM blobs")).isEqualTo(3);
      for (String account : List.of("a@example.org", "b@example.org", "c@example.org")) {
        Mailbox box = store.mailbox(account);
        assertThat(box.read("INBOX", 1)).isEqualTo(m);
        box.setFlags("INBOX", List.of(1L), FlagOperation.ADD, Set.of(Flags.DELETED));
        box.expunge("INBOX", Optional.empty());
      }
      assertThat(count("SELECT COUNT(*) FROM blobs")).isZero();
      assertThat(count("SELECT COUNT(*) FROM blob_data")).isZero();
      assertThat(store.check(Optional.empty(), false).clean()).isTrue();
    }
    assertThat(blobFiles()).isZero();
  }

  @Test
  void inlineDeliveryShouldReuseTheFileWhenTheSameContentIsAlreadyAFile() throws Exception {
    byte[] m = message(3000, 'f');
    try (MailStore files = MailStore.open(StoreConfig.embedded(dir).withInlineLimit(0))) {
      files.mailbox("a@example.org").append("INBOX", new ByteArrayInputStream(m), Set.of(), null);
    }
    try (MailStore store = MailStore.open(dir)) {
      Mailbox b = store.mailbox("b@example.org");
      b.append("INBOX", new ByteArrayInputStream(m), Set.of(), null);
      assertThat(b.read("INBOX", 1)).isEqualTo(m);
      assertThat(store.check(Optional.empty(), false).clean()).isTrue();
    }
    assertThat(count("SELECT COUNT(*) FROM blob_data")).isZero();
    assertThat(count("SELECT refcount FROM blobs")).isEqualTo(2);
    assertThat(blobFiles()).isEqualTo(1);
  }

  @Test
  void inlineMessageShouldSurviveReopenWhenCommitted() throws Exception {
    byte[] m = message(1000, 'r');
    try (MailStore store = MailStore.open(dir)) {
      store.mailbox("a@example.org").append("INBOX", new ByteArrayInputStream(m), Set.of(), null);
    }
    try (MailStore store = MailStore.open(dir)) {
      assertThat(store.mailbox("a@example.org").read("INBOX", 1)).isEqualTo(m);
      assertThat(store.check(Optional.empty(), false).clean()).isTrue();
    }
  }
}
