package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.carbonio.store.Mailbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CONDSTORE/QRESYNC (RFC 7162), OBJECTID (RFC 8474), SAVEDATE (RFC 8514) and PREVIEW (RFC 8970)
 * against the real server over implicit TLS, on the store's modseqs, expunge log, blob addresses
 * and conversations: two sessions on one mailbox see each other's changes as FETCH with MODSEQ and
 * as VANISHED, on NOOP and in IDLE.
 */
class CondStoreQresyncTest {
  static final String USER = "cs@localhost";
  static final String PASSWORD = "cs-Secret-1";

  @RegisterExtension final ServerExtension carbonio = new ServerExtension().account(USER, PASSWORD);

  private Mailbox mailbox() {
    CarbonioServer server = carbonio.server();
    return server.store().mailbox(server.directory().findAccount(USER).orElseThrow().id());
  }

  private void deliver(String... messages) {
    Mailbox box = mailbox();
    for (String m : messages) {
      box.append("INBOX", new ByteArrayInputStream(E2E.crlf(m)), Set.of(), Instant.now());
    }
  }

  private RawImap connect() throws Exception {
    RawImap imap =
        new RawImap(E2E.trusting(carbonio.dataDir()), carbonio.server().port(Listener.Kind.IMAPS));
    assertThat(imap.command("LOGIN " + USER + " " + PASSWORD).getLast()).contains("OK");
    return imap;
  }

  private static long number(List<String> lines, String regex) {
    Pattern p = Pattern.compile(regex);
    for (String l : lines) {
      Matcher m = p.matcher(l);
      if (m.find()) return Long.parseLong(m.group(1));
    }
    throw new AssertionError("no /" + regex + "/ in " + lines);
  }

  private static String text(List<String> lines, String regex) {
    Pattern p = Pattern.compile(regex);
    for (String l : lines) {
      Matcher m = p.matcher(l);
      if (m.find()) return m.group(1);
    }
    throw new AssertionError("no /" + regex + "/ in " + lines);
  }

  /** Reads lines until one matches {@code regex}; returns them all. */
  private static List<String> readUntil(RawImap imap, String regex) throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String l = imap.readLine();
      lines.add(l);
      if (l.matches(regex)) return lines;
    }
  }

  @Test
  void secondSessionShouldSeeVanishedAndModSeqWhenFirstStoresAndExpunges() throws Exception {
    deliver("Subject: one\n\n1\n", "Subject: two\n\n2\n", "Subject: three\n\n3\n");
    try (RawImap a = connect();
        RawImap b = connect()) {
      assertThat(a.command("ENABLE QRESYNC")).contains("* ENABLED QRESYNC");
      List<String> select = a.command("SELECT INBOX");
      long uidValidity = number(select, "^\\* OK \\[UIDVALIDITY (\\d+)\\]");
      long initial = number(select, "^\\* OK \\[HIGHESTMODSEQ (\\d+)\\]");
      assertThat(select).anyMatch(l -> l.matches("\\* OK \\[MAILBOXID \\(F\\d+\\)\\] Ok"));
      assertThat(b.command("ENABLE QRESYNC")).contains("* ENABLED QRESYNC");
      assertThat(b.command("SELECT INBOX")).contains("* 3 EXISTS");

      List<String> store = a.command("UID STORE 1 +FLAGS (\\Seen)");
      long seenModSeq =
          number(store, "^\\* 1 FETCH \\(FLAGS \\(\\\\Seen\\) UID 1 MODSEQ \\((\\d+)\\)\\)$");
      assertThat(seenModSeq).isGreaterThan(initial);
      a.command("UID STORE 2 +FLAGS.SILENT (\\Deleted)");
      List<String> expunge = a.command("EXPUNGE");
      assertThat(expunge.getFirst()).isEqualTo("* VANISHED 2"); // RFC 7162 §3.2.10
      assertThat(expunge.getLast()).matches("a\\d+ OK \\[HIGHESTMODSEQ \\d+\\] EXPUNGE completed");

      // NOOP in the other session: VANISHED instead of EXPUNGE, FETCH with MODSEQ
      assertThat(b.command("NOOP"))
          .containsSubsequence(
              "* VANISHED 2", "* 1 FETCH (FLAGS (\\Seen) UID 1 MODSEQ (" + seenModSeq + "))");

      // IDLE in the other session
      b.send("i1 IDLE");
      assertThat(b.readLine()).isEqualTo("+ idling");
      List<String> flagged = a.command("UID STORE 3 +FLAGS (\\Flagged)");
      long flaggedModSeq = number(flagged, "UID 3 MODSEQ \\((\\d+)\\)");
      assertThat(b.readLine())
          .isEqualTo("* 2 FETCH (FLAGS (\\Flagged) UID 3 MODSEQ (" + flaggedModSeq + "))");
      a.command("UID STORE 3 +FLAGS.SILENT (\\Deleted)");
      assertThat(a.command("UID EXPUNGE 3")).contains("* VANISHED 3");
      List<String> pushed = readUntil(b, "\\* VANISHED 3");
      assertThat(pushed).allMatch(l -> l.equals("* VANISHED 3") || l.contains(" FETCH ("));
      b.send("DONE");
      assertThat(b.readLine()).isEqualTo("i1 OK IDLE terminated");

      // what the second session missed while offline, in one round trip
      assertThat(b.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + initial + " VANISHED)"))
          .containsExactly(
              "* VANISHED (EARLIER) 2:3",
              "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (" + seenModSeq + "))",
              "a5 OK UID FETCH completed");

      // and a third session resynchronises on SELECT (RFC 7162 §3.2.5)
      try (RawImap c = connect()) {
        c.command("ENABLE QRESYNC");
        List<String> resync =
            c.command("SELECT INBOX (QRESYNC (" + uidValidity + " " + initial + "))");
        assertThat(resync)
            .contains("* 1 EXISTS")
            .containsSubsequence(
                "* VANISHED (EARLIER) 2:3",
                "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (" + seenModSeq + "))",
                "a3 OK [READ-WRITE] SELECT completed");
        // [CLOSED] before the responses of the next SELECT (RFC 7162 §3.2.11)
        assertThat(c.command("EXAMINE INBOX").getFirst())
            .isEqualTo("* OK [CLOSED] Previous mailbox closed");
        assertThat(c.command("SELECT INBOX (QRESYNC (" + uidValidity + " 0))").getLast())
            .startsWith("a5 BAD");
      }
    }
  }

  @Test
  void conditionalStoreShouldReportModifiedWhenAnotherSessionChangedTheMessage() throws Exception {
    deliver("Subject: one\n\n1\n", "Subject: two\n\n2\n");
    try (RawImap a = connect();
        RawImap b = connect()) {
      List<String> select = a.command("SELECT INBOX (CONDSTORE)");
      long highest = number(select, "^\\* OK \\[HIGHESTMODSEQ (\\d+)\\]");
      b.command("SELECT INBOX");
      assertThat(b.command("STORE 1 +FLAGS (\\Flagged)").getLast()).contains("OK");
      List<String> store = a.command("STORE 1:2 (UNCHANGEDSINCE " + highest + ") +FLAGS (\\Seen)");
      assertThat(store.getLast()).matches("a3 OK \\[MODIFIED 1\\] .*");
      assertThat(store)
          .anyMatch(
              l -> l.matches("\\* 2 FETCH \\(FLAGS \\(\\\\Seen\\) UID 2 MODSEQ \\(\\d+\\)\\)"));
      assertThat(a.command("SEARCH MODSEQ " + (highest + 1)).getFirst())
          .matches("\\* SEARCH 1 2 \\(MODSEQ \\d+\\)");
      assertThat(a.command("STATUS INBOX (HIGHESTMODSEQ MAILBOXID)").getFirst())
          .matches("\\* STATUS \"INBOX\" \\(HIGHESTMODSEQ \\d+ MAILBOXID \\(F\\d+\\)\\)");
      assertThat(a.command("FETCH 1 (FLAGS) (CHANGEDSINCE 0)").getLast()).startsWith("a6 BAD");
    }
  }

  @Test
  void objectIdsShouldSurviveCopyAndRenameWhenStoredInTheStore() throws Exception {
    deliver(
        "Message-ID: <root@example.com>\nSubject: root\n\nHello   there,\n\nfirst message\n",
        "Message-ID: <reply@example.com>\nIn-Reply-To: <root@example.com>\nSubject: Re: root\n\n2\n");
    try (RawImap imap = connect()) {
      String workId = text(imap.command("CREATE Work"), "OK \\[MAILBOXID \\((F\\d+)\\)\\]");
      imap.command("SELECT INBOX");
      List<String> fetch = imap.command("FETCH 1:2 (EMAILID THREADID SAVEDATE PREVIEW)");
      String emailId = text(fetch, "^\\* 1 FETCH \\(EMAILID \\((M[0-9a-f]{24})\\)");
      String threadId = text(fetch, "^\\* 1 FETCH .*THREADID \\((T\\d+)\\)");
      assertThat(fetch.get(0))
          .matches(".* SAVEDATE \"[^\"]+\" PREVIEW \"Hello there, first message\"\\)");
      assertThat(fetch.get(1)).contains("THREADID (" + threadId + ")");
      assertThat(imap.command("SEARCH EMAILID " + emailId).getFirst()).isEqualTo("* SEARCH 1");
      assertThat(imap.command("SEARCH THREADID " + threadId).getFirst()).isEqualTo("* SEARCH 1 2");
      // the store keeps save dates: SAVEDATESUPPORTED matches every message (RFC 8514 §5)
      assertThat(imap.command("SEARCH SAVEDATESUPPORTED").getFirst()).isEqualTo("* SEARCH 1 2");

      assertThat(imap.command("COPY 1 Work").getLast()).contains("OK [COPYUID");
      assertThat(imap.command("RENAME Work Play").getLast()).contains("OK");
      assertThat(imap.command("STATUS Play (MAILBOXID)").getFirst())
          .isEqualTo("* STATUS \"Play\" (MAILBOXID (" + workId + "))");
      assertThat(imap.command("EXAMINE Play")).contains("* OK [MAILBOXID (" + workId + ")] Ok");
      assertThat(imap.command("FETCH 1 (EMAILID THREADID)").getFirst())
          .isEqualTo("* 1 FETCH (EMAILID (" + emailId + ") THREADID (" + threadId + "))");
    }
  }

  @Test
  void fetchSaveDateShouldBeStoreTimeWhenAppendedAndCopied() throws Exception {
    String message = "Subject: saved\r\n\r\nbody\r\n";
    DateTimeFormatter day = DateTimeFormatter.ofPattern("d-MMM-yyyy", Locale.ROOT);
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    try (RawImap imap = connect()) {
      imap.command("CREATE Work");
      // RFC 8514 §3: the save date is when the message was stored, not its INTERNALDATE
      List<String> append =
          imap.command(
              "APPEND INBOX \"01-Jan-2001 10:00:00 +0000\" {"
                  + message.length()
                  + "+}\r\n"
                  + message);
      assertThat(append.getLast()).contains("OK [APPENDUID");
      imap.command("SELECT INBOX");
      String saved =
          text(
              imap.command("FETCH 1 (SAVEDATE INTERNALDATE)"),
              "^\\* 1 FETCH \\(SAVEDATE \"([^\"]+)\" INTERNALDATE \" 1-Jan-2001 10:00:00 \\+0000\"\\)$");
      assertThat(saved).doesNotContain("2001");
      assertThat(imap.command("COPY 1 Work").getLast()).contains("OK [COPYUID");
      imap.command("SELECT Work");
      assertThat(imap.command("FETCH 1 (SAVEDATE)").getFirst())
          .matches("\\* 1 FETCH \\(SAVEDATE \"[^\"]+\"\\)")
          .doesNotContain("2001");
      // RFC 8514 §5: SAVEDSINCE compares the date of the save date, not INTERNALDATE
      assertThat(imap.command("SEARCH SAVEDSINCE " + day.format(today.minusDays(1))).getFirst())
          .isEqualTo("* SEARCH 1");
      assertThat(imap.command("SEARCH SAVEDSINCE " + day.format(today.plusDays(2))).getFirst())
          .isEqualTo("* SEARCH");
      assertThat(imap.command("SEARCH SINCE " + day.format(today.minusDays(1))).getFirst())
          .isEqualTo("* SEARCH");
      assertThat(imap.command("SEARCH SAVEDATESUPPORTED").getFirst()).isEqualTo("* SEARCH 1");
    }
  }
}
