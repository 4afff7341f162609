package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaveDateTest {
  static final Instant OLD = Instant.parse("2001-02-03T04:05:06Z");

  @TempDir Path dir;
  MailStore store;
  Mailbox box;

  @BeforeEach
  void open() {
    store = MailStore.open(dir);
    box = store.mailbox("alice@example.org");
    box.createFolder("Archive");
  }

  @AfterEach
  void close() {
    if (store != null) store.close();
  }

  long append(String folder) {
    return box.append(
            folder,
            new ByteArrayInputStream("Subject: x\r\n\r\nbody\r\n".getBytes(UTF_8)),
            Set.of(),
            OLD)
        .uid();
  }

  List<MessageSummary> summaries(String folder) {
    List<MessageSummary> out = new ArrayList<>();
    box.messages(folder, 1, Long.MAX_VALUE, out::add);
    return out;
  }

  static void assertSavedBetween(Optional<Instant> saved, Instant from, Instant to) {
    // RFC 8514 §3: the save date is when the message was stored in this folder, not INTERNALDATE
    assertThat(saved).isPresent();
    assertThat(saved.get()).isBetween(from.truncatedTo(ChronoUnit.MILLIS), to).isNotEqualTo(OLD);
  }

  @Test
  void appendShouldSetSaveDateWhenStored() {
    Instant before = Instant.now();
    long uid = append("INBOX");
    Instant after = Instant.now();
    MessageInfo m = box.snapshot("INBOX").messages().getFirst();
    assertThat(m.uid()).isEqualTo(uid);
    assertThat(m.internalDate()).isEqualTo(OLD);
    assertSavedBetween(m.saveDate(), before, after);
    MessageSummary s = summaries("INBOX").getFirst();
    assertThat(s).isEqualTo(MessageSummary.of(m));
    assertThat(s.blobId()).isEqualTo(m.blobId());
    assertThat(s.conversationId()).isEqualTo(m.conversationId()).isPositive();
  }

  @Test
  void copyAndMoveShouldSetNewSaveDateWhenTargetIsAnotherFolder() {
    long uid = append("INBOX");
    Instant appended = box.snapshot("INBOX").messages().getFirst().saveDate().orElseThrow();
    Instant before = Instant.now();
    box.copy("INBOX", List.of(uid), "Archive");
    box.move("INBOX", List.of(uid), "Archive");
    Instant after = Instant.now();
    List<MessageSummary> archived = summaries("Archive");
    assertThat(archived).hasSize(2);
    for (MessageSummary s : archived) {
      assertSavedBetween(s.saveDate(), before, after);
      assertThat(s.saveDate().get()).isAfterOrEqualTo(appended);
      assertThat(s.internalDate()).isEqualTo(OLD);
    }
  }

  @Test
  void changesSinceShouldCarrySaveDateWhenFlagsChange() {
    long uid = append("INBOX");
    Optional<Instant> saved = box.snapshot("INBOX").messages().getFirst().saveDate();
    List<MessageInfo> r = box.setFlags("INBOX", List.of(uid), FlagOperation.ADD, Set.of("\\Seen"));
    assertThat(r.getFirst().saveDate()).isEqualTo(saved);
    assertThat(box.changesSince("INBOX", 0).changed().getFirst().saveDate()).isEqualTo(saved);
  }

  @Test
  void messagesShouldReportNoSaveDateWhenStoredBeforeVersion4() throws Exception {
    append("INBOX");
    store.close();
    store = null;
    // RFC 8514 §3: a server that cannot tell returns NIL; V4 leaves existing rows NULL
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
        Statement s = c.createStatement()) {
      s.execute("UPDATE messages SET save_date = NULL");
    }
    store = MailStore.open(dir);
    box = store.mailbox("alice@example.org");
    assertThat(summaries("INBOX").getFirst().saveDate()).isEmpty();
    assertThat(box.snapshot("INBOX").messages().getFirst().saveDate()).isEmpty();
  }
}
