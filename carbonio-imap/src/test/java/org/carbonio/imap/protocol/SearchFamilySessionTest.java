package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.TextQuery;
import org.carbonio.imap.spi.UidList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The search family on the session over {@link CompactSelectedStateTest.Backend} (UIDs 1..2600,
 * every third expunged, every fourth seen): rev2 answers, the full-text SPI hook, PARTIAL and
 * SEARCHRES on a large mailbox.
 */
class SearchFamilySessionTest {

  /** The compact backend with a fake index that knows the word "indexed" in UIDs 4 and 5. */
  static final class Indexed extends CompactSelectedStateTest.Backend {
    final AtomicInteger contentReads = new AtomicInteger();
    final List<TextQuery> queries = new ArrayList<>();

    @Override
    public Optional<UidList> searchText(TextQuery query) {
      queries.add(query);
      return query.text().equals("indexed") ? Optional.of(UidList.of(4, 5)) : Optional.empty();
    }

    @Override
    public byte[] content(String mailbox, long uid) {
      contentReads.incrementAndGet();
      return super.content(mailbox, uid);
    }
  }

  Indexed backend;
  ImapSession session;

  @BeforeEach
  void select() {
    backend = new Indexed();
    session =
        new ImapSession(
            new SessionOptions("test", false, true, 1 << 20, Clock.systemUTC()),
            r -> Optional.of("u"),
            user -> backend,
            null,
            false);
    session.handle(new ImapCommand.Login("a", "u", "p"));
    session.handle(new ImapCommand.Select("s", "INBOX"));
  }

  private List<String> run(String line) {
    ImapDecoder d = new ImapDecoder(DecoderLimits.DEFAULTS);
    Decoded r = d.decode(ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8)));
    if (r instanceof Decoded.Bad b) return List.of(b.tag() + " BAD " + b.text());
    List<String> out = new ArrayList<>();
    for (ImapResponse x : session.handle(((Decoded.Command) r).command())) {
      out.add(ImapEncoder.toString(x).strip());
    }
    return out;
  }

  @Test
  void searchShouldAnswerEsearchWhenRev2() {
    session.extensions().enable(List.of(Extensions.IMAP4REV2));
    assertThat(run("t1 UID SEARCH UID 1:5"))
        .containsExactly("* ESEARCH (TAG \"t1\") UID ALL 1:2,4:5", "t1 OK UID SEARCH completed");
    assertThat(run("t2 SEARCH UID 3"))
        .containsExactly("* ESEARCH (TAG \"t2\")", "t2 OK SEARCH completed");
    assertThat(run("t3 SEARCH RETURN (COUNT) ALL"))
        .containsExactly("* ESEARCH (TAG \"t3\") COUNT 1734", "t3 OK SEARCH completed");
  }

  @Test
  void searchShouldAnswerPlainSearchWhenNotRev2() {
    assertThat(run("t1 UID SEARCH UID 1:5"))
        .containsExactly("* SEARCH 1 2 4 5", "t1 OK UID SEARCH completed");
  }

  @Test
  void searchShouldUseIndexWhenBackendAnswersTextQuery() throws BackendException {
    assertThat(run("t1 UID SEARCH BODY indexed"))
        .containsExactly("* SEARCH 4 5", "t1 OK UID SEARCH completed");
    assertThat(backend.contentReads).hasValue(0);
    assertThat(backend.queries)
        .containsExactly(new TextQuery("INBOX", TextQuery.Scope.BODY, "indexed"));
    assertThat(run("t2 UID SEARCH OR TEXT indexed UID 1"))
        .containsExactly("* SEARCH 1 4 5", "t2 OK UID SEARCH completed");
    assertThat(run("t3 UID SEARCH OR TEXT indexed UID 1 NOT BODY indexed"))
        .containsExactly("* SEARCH 1", "t3 OK UID SEARCH completed");
  }

  @Test
  void searchShouldScanWhenBackendHasNoIndex() {
    assertThat(run("t1 UID SEARCH UID 1:20 TEXT \"subject: 11\""))
        .containsExactly("* SEARCH 11", "t1 OK UID SEARCH completed");
    assertThat(backend.contentReads.get()).isPositive();
  }

  @Test
  void partialShouldSelectPositionsWhenMailboxIsLarge() {
    // 1734 messages; the last three UIDs present are 2597, 2599, 2600 (2598 is expunged)
    assertThat(run("t1 UID SEARCH RETURN (PARTIAL -1:-3) ALL"))
        .containsExactly(
            "* ESEARCH (TAG \"t1\") UID PARTIAL (-1:-3 2597,2599:2600)",
            "t1 OK UID SEARCH completed");
    assertThat(run("t2 UID FETCH 1:* (UID) (PARTIAL 1000:1001)"))
        .containsExactly(
            "* 1000 FETCH (UID 1499)", "* 1001 FETCH (UID 1501)", "t2 OK UID FETCH completed");
  }

  @Test
  void partialFetchShouldEqualSliceOfFullFetchWhenRangeIsArbitrary() {
    List<String> all = run("t0 FETCH 1:* (UID)");
    all = all.subList(0, all.size() - 1);
    List<String> full = all;
    qt().withExamples(200)
        .forAll(integers().between(1, 1800), integers().between(0, 40), integers().between(0, 1))
        .checkAssert(
            (a, len, neg) -> {
              long lo = a;
              long hi = a + len;
              String range = neg == 1 ? "-" + lo + ":-" + hi : lo + ":" + hi;
              List<String> got = run("t1 FETCH 1:* (UID) (PARTIAL " + range + ")");
              int size = full.size();
              int from = neg == 1 ? (int) Math.max(0, size - hi) : (int) Math.min(size, lo - 1);
              int to = neg == 1 ? (int) Math.max(0, size - lo + 1) : (int) Math.min(size, hi);
              assertThat(got.subList(0, got.size() - 1))
                  .isEqualTo(full.subList(Math.min(from, to), to));
            });
  }

  @Test
  void savedResultShouldDropExpungedMessagesWhenUsedLater() {
    assertThat(run("t1 SEARCH RETURN (SAVE) UID 1:5")).containsExactly("t1 OK SEARCH completed");
    run("t2 UID STORE 2 +FLAGS.SILENT (\\Deleted)");
    assertThat(run("t3 EXPUNGE")).containsExactly("* 2 EXPUNGE", "t3 OK EXPUNGE completed");
    assertThat(run("t4 UID FETCH $ (UID)"))
        .containsExactly(
            "* 1 FETCH (UID 1)",
            "* 2 FETCH (UID 4)",
            "* 3 FETCH (UID 5)",
            "t4 OK UID FETCH completed");
  }

  @Test
  void sortShouldOrderByArrivalThenMailboxOrderWhenReversed() {
    // internal date = UID seconds: REVERSE ARRIVAL is descending UID
    assertThat(run("t1 UID SORT (REVERSE ARRIVAL) UTF-8 UID 1:6"))
        .containsExactly("* SORT 5 4 2 1", "t1 OK UID SORT completed");
    assertThat(run("t2 UID SORT RETURN (MIN MAX COUNT) (REVERSE SIZE) UTF-8 UID 1:6"))
        .containsExactly(
            "* ESEARCH (TAG \"t2\") UID MIN 5 MAX 1 COUNT 4", "t2 OK UID SORT completed");
  }

  @Test
  void searchResultsShouldFormatOrderedRunsWhenSorted() {
    assertThat(SearchResults.sequence(List.of(5L, 6L, 7L, 3L, 1L, 2L))).isEqualTo("5:7,3,1:2");
    SearchReturn r =
        new SearchReturn(
            java.util.Set.of(SearchReturn.Option.MIN, SearchReturn.Option.SAVE), Optional.empty());
    assertThat(SearchResults.saved(r, List.of(9L, 3L, 5L))).containsExactly(9L);
    assertThat(SearchResults.data(r, List.of(9L, 3L, 5L))).containsExactly(Map.entry("MIN", "9"));
  }
}
