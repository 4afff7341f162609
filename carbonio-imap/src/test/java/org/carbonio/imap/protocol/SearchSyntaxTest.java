package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parsing of SEARCH RETURN, SORT, THREAD, WITHIN, $ and the PARTIAL fetch modifier. */
class SearchSyntaxTest {

  private static Decoded decode(String line) {
    ImapDecoder d = new ImapDecoder(DecoderLimits.DEFAULTS);
    return d.decode(ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8)));
  }

  private static ImapCommand only(String line) {
    Decoded r = decode(line);
    assertThat(r).isInstanceOf(Decoded.Command.class);
    return ((Decoded.Command) r).command();
  }

  @Test
  void parseShouldReadReturnOptionsWhenSearchIsExtended() {
    assertThat(only("a UID SEARCH RETURN (min Max PARTIAL -1:-10 save) CHARSET utf-8 YOUNGER 60"))
        .isEqualTo(
            new ImapCommand.Search(
                "a",
                true,
                Optional.of("UTF-8"),
                new SearchKey.Younger(60),
                Optional.of(
                    new SearchReturn(
                        Set.of(
                            SearchReturn.Option.MIN,
                            SearchReturn.Option.MAX,
                            SearchReturn.Option.SAVE),
                        Optional.of(new SearchReturn.PartialRange(-1, -10))))));
    ImapCommand.Search empty = (ImapCommand.Search) only("a SEARCH RETURN () $");
    assertThat(empty.ret().orElseThrow().all()).isTrue();
    assertThat(empty.key()).isEqualTo(new SearchKey.Sequence(SequenceSet.SAVED));
  }

  @Test
  void parseShouldReadSortKeysWhenReversed() {
    assertThat(only("a SORT (REVERSE date subject reverse DISPLAYFROM) utf-8 OLDER 5 UNSEEN"))
        .isEqualTo(
            new ImapCommand.Sort(
                "a",
                false,
                Optional.empty(),
                List.of(
                    new SortKey(SortKey.Criterion.DATE, true),
                    new SortKey(SortKey.Criterion.SUBJECT, false),
                    new SortKey(SortKey.Criterion.DISPLAYFROM, true)),
                "UTF-8",
                new SearchKey.And(
                    List.of(new SearchKey.Older(5), new SearchKey.Flag("\\Seen", false)))));
  }

  @Test
  void parseShouldReadThreadAndPartialFetchWhenWellFormed() {
    assertThat(only("a UID THREAD references US-ASCII ALL"))
        .isEqualTo(
            new ImapCommand.Thread("a", true, "REFERENCES", "US-ASCII", new SearchKey.All()));
    ImapCommand.Fetch f = (ImapCommand.Fetch) only("a UID FETCH $ (FLAGS) (PARTIAL 5:1)");
    assertThat(f.set().isSaved()).isTrue();
    assertThat(f.partial()).contains(new SearchReturn.PartialRange(1, 5));
    assertThat(SequenceSet.SAVED.toString()).isEqualTo("$");
  }

  @Test
  void parseShouldAnswerBadWhenArgumentsAreWrong() {
    for (String bad :
        List.of(
            "a SORT (ARRIVAL REVERSE) UTF-8 ALL",
            "a SORT (REVERSE REVERSE DATE) UTF-8 ALL",
            "a SORT (ARRIVAL) UTF-8",
            "a SORT UTF-8 ALL",
            "a THREAD UTF-8 ALL",
            "a THREAD REFERENCES",
            "a SEARCH RETURN (PARTIAL 1:4294967296) ALL",
            "a SEARCH RETURN (PARTIAL -0:-3) ALL",
            "a SEARCH RETURN (PARTIAL 1:2 PARTIAL 3:4) ALL",
            "a SEARCH RETURN (COUNT",
            "a SEARCH OLDER -5",
            "a SEARCH YOUNGER 4294967296",
            "a FETCH 1 (FLAGS) (PARTIAL)",
            "a FETCH 1 (FLAGS) ()x",
            "a COPY $1 INBOX")) {
      assertThat(decode(bad)).as(bad).isInstanceOf(Decoded.Bad.class);
    }
  }

  static final List<String> WORDS =
      List.of(
          "SORT",
          "THREAD",
          "SEARCH",
          "RETURN",
          "(",
          ")",
          "REVERSE",
          "DATE",
          "SUBJECT",
          "UTF-8",
          "ALL",
          "PARTIAL",
          "1:2",
          "-1:-2",
          "0:1",
          "$",
          "MIN",
          "SAVE",
          "OLDER",
          "5",
          "UID",
          "REFERENCES",
          "FETCH",
          "FLAGS",
          "\"x\"");

  @Test
  void decodeShouldNeverThrowWhenSearchFamilyTokensAreShuffled() {
    qt().withExamples(5000)
        .forAll(lists().of(integers().between(0, WORDS.size() - 1)).ofSizeBetween(0, 10))
        .checkAssert(
            idx -> {
              StringBuilder sb = new StringBuilder("t");
              for (int i : idx) sb.append(' ').append(WORDS.get(i));
              Decoded d = decode(sb.toString());
              assertThat(d).isInstanceOfAny(Decoded.Command.class, Decoded.Bad.class);
            });
  }
}
