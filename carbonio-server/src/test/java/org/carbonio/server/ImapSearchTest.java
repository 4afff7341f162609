package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.carbonio.store.ImportMessage;
import org.carbonio.store.Mailbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The search family against the real server over the store (no full-text index: SEARCH BODY and
 * TEXT scan, decoding base64 and quoted-printable): ESEARCH, SEARCHRES, SORT, ESORT, THREAD,
 * PARTIAL, WITHIN.
 */
class ImapSearchTest {

  @RegisterExtension
  final ServerExtension carbonio = new ServerExtension().account("s@localhost", "s-Secret-123");

  static final List<String> MESSAGES =
      List.of(
          "From: Zed <zed@x.org>\r\nSubject: Hello\r\nDate: Mon, 7 Feb 1994 10:00:00 +0000\r\n"
              + "Message-ID: <1@x>\r\n\r\nplain\r\n",
          "From: amy@x.org\r\nSubject: Re: hello\r\nDate: Tue, 8 Feb 1994 10:00:00 +0000\r\n"
              + "Message-ID: <2@x>\r\nIn-Reply-To: <1@x>\r\nMIME-Version: 1.0\r\n"
              + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
              + Base64.getMimeEncoder()
                  .encodeToString("Grüße, the hidden phrase\r\n".getBytes(StandardCharsets.UTF_8))
              + "\r\n",
          "From: Bob <bob@x.org>\r\nSubject: [list] Other\r\nDate: Sun, 6 Feb 1994 10:00:00 +0000\r\n"
              + "Message-ID: <3@x>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
              + "Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 split wo=\r\nrd\r\n");

  @Test
  void imapShouldSearchSortAndThreadWhenServedFromStore() throws Exception {
    CarbonioServer server = carbonio.server();
    String id = server.directory().findAccount("s@localhost").orElseThrow().id();
    Mailbox box = server.store().mailbox(id);
    box.importMessages(
        "INBOX",
        IntStream.range(0, MESSAGES.size())
            .mapToObj(
                i ->
                    new ImportMessage(
                        new ByteArrayInputStream(MESSAGES.get(i).getBytes(StandardCharsets.UTF_8)),
                        i == 0 ? Set.of("\\Seen") : Set.of(),
                        Instant.parse("2020-01-0" + (3 - i) + "T10:00:00Z")))
            .iterator());
    try (RawImap imap =
        new RawImap(E2E.trusting(carbonio.dataDir()), server.port(Listener.Kind.IMAPS))) {
      assertThat(imap.command("LOGIN s@localhost s-Secret-123").getLast()).contains("OK");
      assertThat(imap.command("CAPABILITY").getFirst())
          .contains(" ESEARCH ", " SEARCHRES ", " SORT=DISPLAY ", " THREAD=REFERENCES ");
      imap.command("SELECT INBOX");
      assertThat(imap.command("SEARCH BODY \"hidden PHRASE\"").getFirst()).isEqualTo("* SEARCH 2");
      assertThat(imap.command("SEARCH TEXT \"SPLIT word\"").getFirst()).isEqualTo("* SEARCH 3");
      assertThat(imap.command("SEARCH RETURN (MIN MAX COUNT) UNSEEN").getFirst())
          .matches("\\* ESEARCH \\(TAG \"a\\d+\"\\) MIN 2 MAX 3 COUNT 2");
      assertThat(imap.command("SEARCH RETURN (SAVE) FROM x.org").getFirst())
          .endsWith("OK SEARCH completed");
      assertThat(imap.command("UID SEARCH $ NOT SEEN").getFirst()).isEqualTo("* SEARCH 2 3");
      assertThat(imap.command("SORT (DATE) UTF-8 ALL").getFirst()).isEqualTo("* SORT 3 1 2");
      assertThat(imap.command("SORT (ARRIVAL) UTF-8 ALL").getFirst()).isEqualTo("* SORT 3 2 1");
      assertThat(imap.command("SORT (SUBJECT) UTF-8 ALL").getFirst()).isEqualTo("* SORT 1 2 3");
      assertThat(imap.command("SORT (DISPLAYFROM) UTF-8 ALL").getFirst()).isEqualTo("* SORT 2 3 1");
      assertThat(imap.command("SORT RETURN (PARTIAL -1:-1) (DATE) UTF-8 ALL").getFirst())
          .endsWith("PARTIAL (-1:-1 2)");
      assertThat(imap.command("THREAD REFERENCES UTF-8 ALL").getFirst())
          .isEqualTo("* THREAD (3)(1 2)");
      assertThat(imap.command("THREAD ORDEREDSUBJECT UTF-8 ALL").getFirst())
          .isEqualTo("* THREAD (3)(1 2)");
      assertThat(imap.command("SEARCH OLDER 86400").getFirst()).isEqualTo("* SEARCH 1 2 3");
      assertThat(imap.command("SEARCH YOUNGER 86400").getFirst()).isEqualTo("* SEARCH");
      assertThat(imap.command("SORT (BOGUS) UTF-8 ALL").getFirst()).contains("BAD");
      assertThat(imap.command("SEARCH CHARSET KOI8-R ALL").getFirst()).contains("NO [BADCHARSET");
    }
  }
}
