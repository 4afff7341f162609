package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Parsing of the RFC 7162, RFC 8474, RFC 8514 and RFC 8970 additions. */
class CondStoreParserTest {

  private static Decoded decode(String line) {
    ImapDecoder d = new ImapDecoder(DecoderLimits.DEFAULTS);
    Decoded r = d.decode(ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8)));
    d.close();
    return r;
  }

  private static ImapCommand command(String line) {
    Decoded r = decode(line);
    assertThat(r).as(line).isInstanceOf(Decoded.Command.class);
    return ((Decoded.Command) r).command();
  }

  private static String bad(String line) {
    Decoded r = decode(line);
    assertThat(r).as(line).isInstanceOf(Decoded.Bad.class);
    return ((Decoded.Bad) r).text();
  }

  @Test
  void fetchShouldCarryModifiersWhenChangedSinceAndVanishedGiven() {
    ImapCommand.Fetch f =
        (ImapCommand.Fetch) command("a UID FETCH 1:* (FLAGS MODSEQ) (CHANGEDSINCE 12345 VANISHED)");
    assertThat(f.changedSince()).isEqualTo(12345);
    assertThat(f.vanished()).isTrue();
    assertThat(f.attributes())
        .containsExactly(new FetchAttribute.Flags(), new FetchAttribute.ModSeq());
    assertThat(((ImapCommand.Fetch) command("a FETCH 1 FLAGS")).changedSince()).isZero();
    assertThat(
            ((ImapCommand.Fetch) command("a FETCH 1 MODSEQ (changedsince 9223372036854775807)"))
                .changedSince())
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void fetchShouldBeBadWhenModSeqOutOfRange() {
    // RFC 7162 §7: mod-sequence-value is 1 to 2^63-1
    assertThat(bad("a FETCH 1 FLAGS (CHANGEDSINCE 0)")).contains("mod-sequence");
    assertThat(bad("a FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)")).contains("mod-sequence");
    assertThat(bad("a FETCH 1 FLAGS (CHANGEDSINCE 1x)")).contains("mod-sequence");
    assertThat(bad("a FETCH 1 FLAGS (CHANGEDSINCE)")).isNotEmpty();
    assertThat(bad("a FETCH 1 FLAGS (VANISHED CHANGEDSINCE 4)")).contains("UID FETCH");
    assertThat(bad("a UID FETCH 1 FLAGS (VANISHED)")).contains("CHANGEDSINCE");
  }

  @Test
  void storeShouldAcceptZeroWhenUnchangedSince() {
    ImapCommand.Store s =
        (ImapCommand.Store) command("a STORE 1 (UNCHANGEDSINCE 0) +FLAGS (\\Seen)");
    assertThat(s.unchangedSince()).isZero();
    assertThat(((ImapCommand.Store) command("a STORE 1 +FLAGS \\Seen")).unchangedSince())
        .isEqualTo(-1);
    assertThat(bad("a STORE 1 () +FLAGS \\Seen")).contains("empty");
    assertThat(bad("a STORE 1 (UNCHANGEDSINCE 1 UNCHANGEDSINCE 2) +FLAGS \\Seen"))
        .contains("store modifier");
  }

  @Test
  void selectShouldParseQresyncWhenAllPartsGiven() {
    ImapCommand.Select s =
        (ImapCommand.Select)
            command(
                "a SELECT INBOX (CONDSTORE QRESYNC (67890007 20050715194045000 41,43:211 (1:3 4,6:7)))");
    assertThat(s.params().condStore()).isTrue();
    SelectParams.Qresync q = s.params().qresync().orElseThrow();
    assertThat(q.uidValidity()).isEqualTo(67890007L);
    assertThat(q.modSeq()).isEqualTo(20050715194045000L);
    assertThat(q.knownUids().orElseThrow().toString()).isEqualTo("41,43:211");
    assertThat(q.knownSequences().orElseThrow().toString()).isEqualTo("1:3");
    assertThat(q.knownSequenceUids().orElseThrow().toString()).isEqualTo("4,6:7");
    ImapCommand.Examine e = (ImapCommand.Examine) command("a EXAMINE INBOX (QRESYNC (1 2))");
    assertThat(e.params().qresync().orElseThrow().knownUids()).isEmpty();
    assertThat(((ImapCommand.Select) command("a SELECT INBOX")).params())
        .isEqualTo(SelectParams.NONE);
  }

  @Test
  void selectShouldBeBadWhenQresyncMalformed() {
    assertThat(bad("a SELECT INBOX (QRESYNC (0 1))")).contains("uidvalidity");
    assertThat(bad("a SELECT INBOX (QRESYNC (1 0))")).contains("mod-sequence");
    assertThat(bad("a SELECT INBOX (QRESYNC (1 2 1:5 (1:2 3)))")).contains("seq-match-data");
    assertThat(bad("a SELECT INBOX (QRESYNC (1 2) QRESYNC (1 2))")).contains("twice");
    assertThat(bad("a SELECT INBOX (QRESYNC)")).isNotEmpty();
    assertThat(bad("a SELECT INBOX (FOO)")).contains("select parameter");
    assertThat(bad("a SELECT INBOX CONDSTORE")).isNotEmpty();
  }

  @Test
  void searchShouldParseModSeqWhenEntryGiven() {
    ImapCommand.Search s =
        (ImapCommand.Search) command("a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338");
    assertThat(s.key()).isEqualTo(new SearchKey.ModSeq(Optional.of("/flags/\\draft"), 620162338));
    assertThat(((ImapCommand.Search) command("a SEARCH MODSEQ 0")).key())
        .isEqualTo(new SearchKey.ModSeq(Optional.empty(), 0));
    assertThat(bad("a SEARCH MODSEQ \"/flags/\\\\draft\" mine 5")).contains("entry type");
    assertThat(bad("a SEARCH MODSEQ \"/other/x\" all 5")).contains("entry name");
  }

  @Test
  void searchShouldParseObjectIdsAndSaveDates() {
    assertThat(((ImapCommand.Search) command("a SEARCH EMAILID M6d99ac3275bb4e")).key())
        .isEqualTo(new SearchKey.EmailId("M6d99ac3275bb4e"));
    assertThat(((ImapCommand.Search) command("a SEARCH THREADID T64b478a75b7ea9")).key())
        .isEqualTo(new SearchKey.ThreadId("T64b478a75b7ea9"));
    assertThat(((ImapCommand.Search) command("a SEARCH SAVEDATESUPPORTED")).key())
        .isEqualTo(new SearchKey.SaveDateSupported());
    assertThat(((ImapCommand.Search) command("a SEARCH SAVEDSINCE 1-Feb-2020")).key())
        .isInstanceOf(SearchKey.SaveDate.class);
    assertThat(bad("a SEARCH EMAILID \"a.b\"")).contains("objectid");
    assertThat(bad("a SEARCH THREADID " + "x".repeat(256))).contains("objectid");
  }

  @Test
  void fetchShouldParsePreviewLazyWhenBareOrInList() {
    assertThat(((ImapCommand.Fetch) command("a FETCH 1 (PREVIEW (LAZY) FLAGS)")).attributes())
        .containsExactly(new FetchAttribute.Preview(true), new FetchAttribute.Flags());
    assertThat(((ImapCommand.Fetch) command("a FETCH 1 PREVIEW (LAZY)")).attributes())
        .containsExactly(new FetchAttribute.Preview(true));
    ImapCommand.Fetch f = (ImapCommand.Fetch) command("a FETCH 1 PREVIEW (CHANGEDSINCE 3)");
    assertThat(f.attributes()).containsExactly(new FetchAttribute.Preview(false));
    assertThat(f.changedSince()).isEqualTo(3);
    assertThat(bad("a FETCH 1 (PREVIEW (LAZY FUZZY))")).contains("preview modifier");
  }

  @Test
  void enableShouldListCapabilitiesAsSentWhenGiven() {
    assertThat(((ImapCommand.Enable) command("a ENABLE condstore QRESYNC")).capabilities())
        .containsExactly("condstore", "QRESYNC");
    assertThat(bad("a ENABLE")).contains("capability");
  }

  private static Gen<String> modifierish() {
    List<String> pieces =
        List.of(
            "(",
            ")",
            " ",
            "CHANGEDSINCE",
            "UNCHANGEDSINCE",
            "VANISHED",
            "QRESYNC",
            "CONDSTORE",
            "LAZY",
            "MODSEQ",
            "0",
            "1",
            "18446744073709551616",
            "1:*",
            "\"/flags/\\\\seen\"",
            "all",
            "EMAILID",
            "PREVIEW",
            "x");
    return lists().of(arbitrary().pick(pieces)).ofSizeBetween(0, 14).map(l -> String.join(" ", l));
  }

  @Test
  void decodeShouldNeverThrowWhenModifiersAreArbitrary() {
    List<String> commands =
        List.of(
            "a FETCH 1 FLAGS ",
            "a UID FETCH 1:* ",
            "a STORE 1 ",
            "a SELECT INBOX ",
            "a EXAMINE INBOX ",
            "a SEARCH ",
            "a ENABLE ",
            "a STATUS INBOX ");
    qt().withExamples(2000)
        .forAll(arbitrary().pick(commands), modifierish())
        .checkAssert(
            (c, m) ->
                assertThat(decode(c + m))
                    .isInstanceOfAny(Decoded.Command.class, Decoded.Bad.class));
  }

  @Test
  void parseModSeqShouldMatchLongParsingWhenDigits() {
    qt().forAll(longs().between(0, Long.MAX_VALUE))
        .checkAssert(n -> assertThat(CommandParser.parseModSeq(Long.toString(n))).isEqualTo(n));
    qt().forAll(strings().allPossible().ofLengthBetween(0, 25))
        .checkAssert(
            s -> {
              long v = CommandParser.parseModSeq(s);
              if (v >= 0) assertThat(Long.toString(v)).isEqualTo(s.replaceFirst("^0+(?=.)", ""));
            });
  }
}
