package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.carbonio.store.ImportMessage;
import org.carbonio.store.Mailbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The path of the BigMailboxLoad benchmark at CI size: a bulk-imported mailbox served over IMAP,
 * with correct counts and UID ranges, and generous time bounds.
 */
class BigMailboxTest {
  static final int N = 20_000;

  @RegisterExtension
  final ServerExtension carbonio = new ServerExtension().account("big@localhost", "big-Secret-1");

  static ImportMessage message(int i) {
    String text =
        "From: s"
            + (i % 50)
            + "@example.org\r\nSubject: body "
            + (i % 50)
            + "\r\n\r\n"
            + "x".repeat(200 + i % 50)
            + "\r\n";
    Set<String> flags = new TreeSet<>();
    if (i % 10 != 0) flags.add("\\Seen");
    if (i % 13 == 0) flags.add("$Label1");
    return new ImportMessage(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)),
        flags,
        Instant.ofEpochSecond(1_600_000_000L + i));
  }

  static long millis(long start) {
    return Duration.ofNanos(System.nanoTime() - start).toMillis();
  }

  static long fetches(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("* ") && l.contains(" FETCH (")).count();
  }

  @Test
  void imapShouldServeWholeAndRangesWhenMailboxIsBulkImported() throws Exception {
    CarbonioServer server = carbonio.server();
    String id = server.directory().findAccount("big@localhost").orElseThrow().id();
    Mailbox box = server.store().mailbox(id);
    assertThat(
            box.importMessages("INBOX", IntStream.range(0, N).mapToObj(i -> message(i)).iterator()))
        .isEqualTo(N);
    try (RawImap imap =
        new RawImap(E2E.trusting(carbonio.dataDir()), server.port(Listener.Kind.IMAPS))) {
      assertThat(imap.command("LOGIN big@localhost big-Secret-1").getLast()).contains("OK");
      long t = System.nanoTime();
      List<String> select = imap.command("SELECT INBOX");
      assertThat(millis(t)).isLessThan(10_000);
      assertThat(select)
          .contains("* " + N + " EXISTS", "* OK [UNSEEN 1] First unseen")
          .anyMatch(l -> l.startsWith("* FLAGS (") && l.contains("$Label1"))
          .anyMatch(l -> l.startsWith("* OK [UIDNEXT " + (N + 1) + "]"));

      t = System.nanoTime();
      List<String> all = imap.command("FETCH 1:* (FLAGS)");
      assertThat(millis(t)).isLessThan(30_000);
      assertThat(fetches(all)).isEqualTo(N);
      assertThat(all.get(0)).isEqualTo("* 1 FETCH (FLAGS ($Label1))");
      assertThat(all.get(1)).isEqualTo("* 2 FETCH (FLAGS (\\Seen))");

      int mid = N / 2;
      String range = (mid + 1) + ":" + (mid + 100);
      t = System.nanoTime();
      List<String> meta =
          imap.command("UID FETCH " + range + " (FLAGS UID RFC822.SIZE INTERNALDATE)");
      assertThat(millis(t)).isLessThan(5_000);
      assertThat(fetches(meta)).isEqualTo(100);
      for (int k = 0; k < 100; k++) {
        assertThat(meta.get(k))
            .startsWith("* " + (mid + 1 + k) + " FETCH (")
            .contains("UID " + (mid + 1 + k));
      }
      List<String> headers = imap.command("UID FETCH " + range + " (BODY.PEEK[HEADER])");
      assertThat(fetches(headers)).isEqualTo(100);
      assertThat(headers).anyMatch(l -> l.startsWith("Subject: body "));

      // The compact state stays in step with expunges: sequence numbers shift down by one.
      imap.command("UID STORE " + (mid + 1) + " +FLAGS.SILENT (\\Deleted)");
      assertThat(imap.command("EXPUNGE")).contains("* " + (mid + 1) + " EXPUNGE");
      assertThat(imap.command("FETCH " + (N - 1) + " (UID)").getFirst())
          .isEqualTo("* " + (N - 1) + " FETCH (UID " + N + ")");
      assertThat(imap.command("UID SEARCH UNSEEN UID " + (mid - 20) + ":" + (mid + 20)).getFirst())
          .isEqualTo("* SEARCH " + (mid - 19) + " " + (mid - 9) + " " + (mid + 11));
    }
  }
}
