package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README "Data model" example, kept compiling and true. */
class DataModelReadmeTest {
  @TempDir Path dir;

  @Test
  void dataModelExampleShouldRunWhenCopiedVerbatim() {
    InputStream in = new ByteArrayInputStream("Subject: hi\r\n\r\nhello\r\n".getBytes(UTF_8));
    List<MessageRef> thread;
    QuotaUsage q;
    List<SharedFolder> mine;
    try (MailStore store = MailStore.open(dir, account -> OptionalLong.of(1L << 30))) {
      Mailbox box = store.mailbox("alice@example.org");
      box.createFolder("Calendar", FolderKind.CALENDAR);
      box.createTag("urgent", 0xFF0000);
      box.append("INBOX", in, Set.of("urgent"), null);
      long conv = box.snapshot("INBOX").messages().getLast().conversationId();
      thread = box.conversation(conv);
      q = box.quota();
      box.grant("Calendar", Grantee.group("team"), Set.of(Right.READ, Right.INSERT));
      mine = store.sharedWith("bob@example.org", Set.of("team"), "example.org");
    }
    assertThat(thread).containsExactly(new MessageRef("INBOX", 1));
    assertThat(q).isEqualTo(new QuotaUsage(22, 1, OptionalLong.of(1L << 30)));
    assertThat(mine)
        .containsExactly(
            new SharedFolder("alice@example.org", "Calendar", Set.of(Right.READ, Right.INSERT)));
  }
}
