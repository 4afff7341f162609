package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README example, kept compiling and true. */
class ReadmeExampleTest {
  @TempDir Path dir;

  @Test
  void readmeExampleShouldRunWhenCopiedVerbatim() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FolderChanges ch;
    AppendResult r;
    try (MailStore store = MailStore.open(dir)) {
      Mailbox box = store.mailbox("alice@example.org");
      box.createFolder("Archive/2024");
      r =
          box.append(
              "INBOX",
              new ByteArrayInputStream("Subject: hi\r\n\r\nhello\r\n".getBytes(UTF_8)),
              Set.of(Flags.SEEN),
              Instant.now());
      box.setFlags("INBOX", List.of(r.uid()), FlagOperation.ADD, Set.of(Flags.FLAGGED, "$Work"));
      CopyResult moved = box.move("INBOX", List.of(r.uid()), "Archive/2024");
      try (InputStream in = box.open("Archive/2024", moved.destinationUids().get(0))) {
        in.transferTo(out);
      }
      ch = box.changesSince("INBOX", 0);
    }
    assertThat(out.toString(UTF_8)).isEqualTo("Subject: hi\r\n\r\nhello\r\n");
    assertThat(ch.expunged()).containsExactly(r.uid());
  }
}
