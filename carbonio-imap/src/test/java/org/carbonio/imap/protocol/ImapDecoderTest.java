package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.carbonio.imap.spi.FlagOperation;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class ImapDecoderTest {

  /** Feeds all bytes, collecting every non-NeedMore result; literals' bytes become text. */
  static List<String> decodeAll(DecoderLimits limits, byte[] input, int... splits) {
    ImapDecoder d = new ImapDecoder(limits);
    List<String> out = new ArrayList<>();
    int start = 0;
    List<Integer> cuts = new ArrayList<>();
    for (int s : splits) cuts.add(s);
    cuts.add(input.length);
    for (int cut : cuts) {
      ByteBuffer chunk = ByteBuffer.wrap(input, start, cut - start);
      while (true) {
        Decoded r = d.decode(chunk);
        if (r instanceof Decoded.NeedMore) break;
        out.add(describe(r));
      }
      start = cut;
    }
    return out;
  }

  static String describe(Decoded r) {
    if (r instanceof Decoded.Command c && c.command() instanceof ImapCommand.Append a) {
      try {
        return "Append["
            + a.tag()
            + ","
            + a.mailbox()
            + ","
            + a.flags()
            + ","
            + a.internalDate()
            + ","
            + new String(a.message().readAllBytes(), StandardCharsets.UTF_8)
            + "]";
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }
    return r.toString();
  }

  static List<String> decodeAll(String input) {
    return decodeAll(DecoderLimits.DEFAULTS, input.getBytes(StandardCharsets.UTF_8));
  }

  /** The result must not depend on where the input is split (every single split point). */
  static List<String> decodeEverySplit(String input) {
    byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
    List<String> whole = decodeAll(DecoderLimits.DEFAULTS, bytes);
    for (int i = 0; i <= bytes.length; i++) {
      assertThat(decodeAll(DecoderLimits.DEFAULTS, bytes, i)).as("split at %d", i).isEqualTo(whole);
    }
    // and byte by byte
    int[] all = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) all[i] = i;
    assertThat(decodeAll(DecoderLimits.DEFAULTS, bytes, all)).isEqualTo(whole);
    return whole;
  }

  private static ImapCommand only(String input) {
    ImapDecoder d = new ImapDecoder(DecoderLimits.DEFAULTS);
    Decoded r = d.decode(ByteBuffer.wrap(input.getBytes(StandardCharsets.UTF_8)));
    assertThat(r).isInstanceOf(Decoded.Command.class);
    return ((Decoded.Command) r).command();
  }

  @Test
  void decodeShouldReturnNoopWhenLineComplete() {
    assertThat(decodeEverySplit("a1 NOOP\r\n"))
        .containsExactly(new Decoded.Command(new ImapCommand.Noop("a1")).toString());
  }

  @Test
  void decodeShouldAcceptBareLfWhenLenient() {
    assertThat(only("a1 capability\n")).isEqualTo(new ImapCommand.Capability("a1"));
  }

  @Test
  void decodeShouldReturnNeedMoreWhenLineIncomplete() {
    ImapDecoder d = new ImapDecoder(DecoderLimits.DEFAULTS);
    assertThat(d.decode(ByteBuffer.wrap("a1 NO".getBytes(StandardCharsets.US_ASCII))))
        .isInstanceOf(Decoded.NeedMore.class);
    assertThat(d.state()).isEqualTo(ImapDecoder.State.LINE);
  }

  @Test
  void decodeShouldParseLoginWhenQuotedAndLiteral() {
    assertThat(decodeEverySplit("a LOGIN \"al\\\"ice\" {3}\r\np\"w\r\n"))
        .containsExactly(
            new Decoded.NeedLiteral(3, true).toString(),
            new Decoded.Command(new ImapCommand.Login("a", "al\"ice", "p\"w")).toString());
  }

  @Test
  void decodeShouldNotAskForContinuationWhenLiteralPlus() {
    assertThat(decodeEverySplit("a LOGIN {5+}\r\nalice secret\r\n"))
        .containsExactly(
            new Decoded.Command(new ImapCommand.Login("a", "alice", "secret")).toString());
  }

  @Test
  void decodeShouldParseAppendWhenFlagsDateAndLiteral() {
    List<String> r =
        decodeEverySplit(
            "A003 APPEND saved-messages (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {12}\r\nSubject: x\r\n\r\n");
    assertThat(r).hasSize(2);
    assertThat(r.get(1))
        .isEqualTo(
            "Append[A003,saved-messages,[\\Seen],"
                + Optional.of(Instant.parse("1994-02-08T05:52:25Z"))
                + ",Subject: x\r\n]");
  }

  @Test
  void decodeShouldDecodeModifiedUtf7WhenMailboxName() {
    assertThat(only("a SELECT \"Entw&APw-rfe\"\r\n"))
        .isEqualTo(new ImapCommand.Select("a", "Entwürfe"));
  }

  @Test
  void decodeShouldParseFetchWhenSectionsAndPartials() {
    ImapCommand c =
        only(
            "a UID FETCH 1:*,7 (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (From \"To\")]<0.100> BODY[])\r\n");
    assertThat(c).isInstanceOf(ImapCommand.Fetch.class);
    ImapCommand.Fetch f = (ImapCommand.Fetch) c;
    assertThat(f.uid()).isTrue();
    assertThat(f.set().toString()).isEqualTo("1:*,7");
    assertThat(f.attributes()).hasSize(3);
    FetchAttribute.Body b = (FetchAttribute.Body) f.attributes().get(1);
    assertThat(b.peek()).isTrue();
    assertThat(b.section().part()).containsExactly(1, 2);
    assertThat(b.section().fields()).containsExactly("FROM", "TO");
    assertThat(b.responseName()).isEqualTo("BODY[1.2.HEADER.FIELDS (FROM TO)]<0>");
  }

  @Test
  void decodeShouldExpandMacroWhenFetchAll() {
    ImapCommand.Fetch f = (ImapCommand.Fetch) only("a FETCH 1 ALL\r\n");
    assertThat(f.attributes())
        .containsExactly(
            new FetchAttribute.Flags(),
            new FetchAttribute.InternalDate(),
            new FetchAttribute.Rfc822Size(),
            new FetchAttribute.Envelope());
  }

  @Test
  void decodeShouldParseStoreWhenSilentAdd() {
    assertThat(only("a STORE 2:4 +FLAGS.SILENT (\\deleted $Junk)\r\n"))
        .isEqualTo(
            new ImapCommand.Store(
                "a",
                false,
                SequenceSet.parse("2:4"),
                FlagOperation.ADD,
                true,
                Set.of("\\Deleted", "$Junk")));
  }

  @Test
  void decodeShouldParseSearchWhenNestedKeys() {
    ImapCommand.Search s =
        (ImapCommand.Search)
            only(
                "a SEARCH CHARSET utf-8 OR (FROM x SINCE 1-Feb-1994) NOT UID 3:5 HEADER X-A b\r\n");
    assertThat(s.charset()).contains("UTF-8");
    assertThat(s.key()).isInstanceOf(SearchKey.And.class);
    assertThat(((SearchKey.And) s.key()).keys()).hasSize(2); // OR takes two keys
  }

  @Test
  void decodeShouldReturnBadAndResyncWhenUnknownCommand() {
    assertThat(decodeEverySplit("x FOO\r\ny NOOP\r\n"))
        .containsExactly(
            new Decoded.Bad("x", "unknown command FOO").toString(),
            new Decoded.Command(new ImapCommand.Noop("y")).toString());
  }

  @Test
  void decodeShouldReturnBadWhenLineTooLong() {
    DecoderLimits small = new DecoderLimits(100, 1000, 4, 50);
    String longLine = "t1 LOGIN " + "a".repeat(200) + " b\r\nt2 NOOP\r\n";
    List<String> r = decodeAll(small, longLine.getBytes(StandardCharsets.US_ASCII));
    assertThat(r)
        .containsExactly(
            new Decoded.Bad("t1", "line too long (limit 100)").toString(),
            new Decoded.Command(new ImapCommand.Noop("t2")).toString());
  }

  @Test
  void decodeShouldReturnTooBigAndSkipWhenNonSyncAppendLiteralOverLimit() {
    DecoderLimits small = new DecoderLimits(100, 10, 4, 50);
    String in = "t1 APPEND INBOX {20+}\r\n" + "x".repeat(20) + "\r\nt2 NOOP\r\n";
    List<String> r = decodeAll(small, in.getBytes(StandardCharsets.US_ASCII));
    assertThat(r)
        .containsExactly(
            new Decoded.TooBig("t1", "literal of 20 bytes exceeds the limit of 10").toString(),
            new Decoded.Command(new ImapCommand.Noop("t2")).toString());
  }

  @Test
  void decodeShouldReturnTooBigWithoutContinuationWhenSyncLiteralOverLimit() {
    DecoderLimits small = new DecoderLimits(100, 10, 4, 50);
    List<String> r =
        decodeAll(small, "t1 APPEND INBOX {20}\r\nt2 NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(r)
        .containsExactly(
            new Decoded.TooBig("t1", "literal of 20 bytes exceeds the limit of 10").toString(),
            new Decoded.Command(new ImapCommand.Noop("t2")).toString());
  }

  @Test
  void decodeShouldReturnBadWhenNestingTooDeep() {
    DecoderLimits small = new DecoderLimits(100, 10, 2, 50);
    List<String> r =
        decodeAll(small, "t1 SEARCH (((ALL)))\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(r).containsExactly(new Decoded.Bad("t1", "nesting too deep (limit 2)").toString());
  }

  @Test
  void decodeShouldReturnBadWhenTooManyTokens() {
    DecoderLimits small = new DecoderLimits(1000, 10, 2, 10);
    List<String> r =
        decodeAll(
            small, ("t1 SEARCH" + " ALL".repeat(20) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    assertThat(r).containsExactly(new Decoded.Bad("t1", "too many tokens (limit 10)").toString());
  }

  @Test
  void decodeShouldReturnContinuationLineWhenExpected() {
    ImapDecoder d = new ImapDecoder(DecoderLimits.DEFAULTS);
    d.expectContinuationLine();
    assertThat(d.decode(ByteBuffer.wrap("DONE\r\n".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo(new Decoded.Command(new ImapCommand.ContinuationLine("DONE")));
  }

  @Test
  void decodeShouldSpoolWhenAppendLiteralUsesSink() {
    List<Long> opened = new ArrayList<>();
    ImapDecoder d =
        new ImapDecoder(
            DecoderLimits.DEFAULTS,
            size -> {
              opened.add(size);
              return LiteralSink.Factory.IN_MEMORY.open(size);
            });
    Decoded r =
        d.decode(
            ByteBuffer.wrap("a APPEND INBOX {3+}\r\nabc\r\n".getBytes(StandardCharsets.US_ASCII)));
    assertThat(r).isInstanceOf(Decoded.Command.class);
    assertThat(opened).containsExactly(3L);
  }

  @Test
  void decodeShouldReturnBadAndStayBoundedWhenManyLiteralsExceedCommandBytes() {
    DecoderLimits limits = new DecoderLimits(100, 1000, 4, 10_000, 1000);
    StringBuilder in = new StringBuilder("t1 SEARCH TEXT {60+}\r\n" + "x".repeat(60));
    for (int i = 0; i < 200; i++) in.append(" TEXT {60+}\r\n").append("y".repeat(60));
    in.append("\r\nt2 NOOP\r\n");
    byte[] bytes = in.toString().getBytes(StandardCharsets.US_ASCII);
    ImapDecoder d = new ImapDecoder(limits);
    List<Decoded> results = new ArrayList<>();
    long maxRetained = 0;
    for (int i = 0; i < bytes.length; i += 7) {
      ByteBuffer chunk = ByteBuffer.wrap(bytes, i, Math.min(7, bytes.length - i));
      for (Decoded r = d.decode(chunk); !(r instanceof Decoded.NeedMore); r = d.decode(chunk)) {
        results.add(r);
      }
      maxRetained = Math.max(maxRetained, d.retainedBytes());
    }
    assertThat(results)
        .containsExactly(
            new Decoded.Bad("t1", "command too large (limit 1000 bytes)"),
            new Decoded.Command(new ImapCommand.Noop("t2")));
    assertThat(maxRetained).isLessThanOrEqualTo(1000);
    assertThat(d.retainedBytes()).isZero();
  }

  @Test
  void decodeShouldReturnBadWithoutContinuationWhenSyncLiteralExceedsCommandBytes() {
    DecoderLimits limits = new DecoderLimits(100, 1000, 4, 10_000, 150);
    String in = "t1 LOGIN {90+}\r\n" + "u".repeat(90) + " {90}\r\nt2 NOOP\r\n";
    assertThat(decodeAll(limits, in.getBytes(StandardCharsets.US_ASCII)))
        .containsExactly(
            new Decoded.Bad("t1", "command too large (limit 150 bytes)").toString(),
            new Decoded.Command(new ImapCommand.Noop("t2")).toString());
  }

  @Test
  void decodeShouldNotCountAppendMessageWhenCheckingCommandBytes() {
    DecoderLimits limits = new DecoderLimits(100, 5000, 4, 10_000, 100);
    String msg = "m".repeat(3000);
    List<String> r =
        decodeAll(
            limits,
            ("a APPEND INBOX {3000+}\r\n" + msg + "\r\n").getBytes(StandardCharsets.US_ASCII));
    assertThat(r).containsExactly("Append[a,INBOX,[],Optional.empty," + msg + "]");
  }

  @Test
  void decodeShouldAskGateAndSkipLiteralWhenGateRefuses() {
    List<LiteralGate.Request> asked = new ArrayList<>();
    LiteralGate gate =
        req -> {
          asked.add(req);
          return req.size() > 10
              ? Optional.of(new Decoded.Bad(req.tag(), "no"))
              : Optional.<Decoded.Rejected>empty();
        };
    ImapDecoder d = new ImapDecoder(DecoderLimits.DEFAULTS, LiteralSink.Factory.IN_MEMORY, gate);
    ByteBuffer in =
        ByteBuffer.wrap(
            ("a APPEND INBOX {50000000}\r\n"
                    + "b APPEND INBOX {20+}\r\n"
                    + "x".repeat(20)
                    + "\r\n"
                    + "c LOGIN {5}\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    assertThat(d.decode(in)).isEqualTo(new Decoded.Bad("a", "no"));
    assertThat(d.decode(in)).isEqualTo(new Decoded.Bad("b", "no"));
    assertThat(d.decode(in)).isEqualTo(new Decoded.NeedLiteral(5, true));
    assertThat(asked)
        .containsExactly(
            new LiteralGate.Request("a", "APPEND", 50_000_000, true),
            new LiteralGate.Request("b", "APPEND", 20, false),
            new LiteralGate.Request("c", "LOGIN", 5, true));
  }

  // --- properties (QuickTheories) ---------------------------------------------------------------

  private static Gen<byte[]> bytes(int max) {
    return lists()
        .of(integers().between(0, 255))
        .ofSizeBetween(0, max)
        .map(
            l -> {
              byte[] b = new byte[l.size()];
              for (int i = 0; i < b.length; i++) b[i] = (byte) (int) l.get(i);
              return b;
            });
  }

  /** Bytes biased towards IMAP syntax so that the parser is actually exercised. */
  private static Gen<byte[]> imapish() {
    String[] pieces = {
      "a1 ",
      "FETCH ",
      "1:* ",
      "(",
      ")",
      "BODY[",
      "]",
      "<0.5>",
      "\"",
      "\\",
      "{3}\r\n",
      "{2+}\r\n",
      "abc",
      "\r\n",
      "\n",
      " ",
      "APPEND ",
      "INBOX ",
      "SEARCH ",
      "OR ",
      "NOT ",
      "UID ",
      "LOGIN ",
      "STORE ",
      "+FLAGS ",
      "\\Seen",
      "NIL",
      "&-",
      "{99999999999}\r\n",
      "\0",
      "\u00e9"
    };
    return lists()
        .of(arbitrary().pick(pieces))
        .ofSizeBetween(0, 40)
        .map(l -> String.join("", l).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodeShouldNeverThrowWhenArbitraryBytes() {
    qt().withExamples(500)
        .forAll(bytes(300))
        .checkAssert(b -> decodeAll(new DecoderLimits(64, 100, 4, 20), b));
    qt().withExamples(1000)
        .forAll(imapish())
        .checkAssert(b -> decodeAll(new DecoderLimits(64, 100, 4, 20), b));
  }

  @Test
  void decodeShouldNotDependOnSplitWhenImapishInput() {
    qt().withExamples(500)
        .forAll(imapish(), integers().between(0, 1000), integers().between(0, 1000))
        .checkAssert(
            (b, x, y) -> {
              DecoderLimits limits = new DecoderLimits(64, 100, 4, 20);
              int a = Math.min(x, y) % (b.length + 1);
              int c = Math.max(a, Math.max(x, y) % (b.length + 1));
              assertThat(decodeAll(limits, b, a, c)).isEqualTo(decodeAll(limits, b));
            });
  }

  @Test
  void decodeShouldHoldLimitsWhenArbitraryInput() {
    DecoderLimits limits = new DecoderLimits(64, 100, 4, 20);
    qt().withExamples(500)
        .forAll(imapish())
        .checkAssert(
            b -> {
              ImapDecoder d = new ImapDecoder(limits);
              ByteBuffer in = ByteBuffer.wrap(b);
              while (true) {
                Decoded r = d.decode(in);
                if (r instanceof Decoded.NeedMore) break;
                if (r instanceof Decoded.Command c && c.command() instanceof ImapCommand.Append a) {
                  assertThat(a.message().size()).isLessThanOrEqualTo(100);
                }
                if (r instanceof Decoded.NeedLiteral l) {
                  assertThat(l.size()).isLessThanOrEqualTo(100);
                }
              }
            });
  }
}
