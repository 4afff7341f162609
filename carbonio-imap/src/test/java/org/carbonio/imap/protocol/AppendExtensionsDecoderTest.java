package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Decoding MULTIAPPEND (RFC 3502), CATENATE (RFC 4469), literal8 (RFC 3516), REPLACE (RFC 8508),
 * COMPRESS (RFC 4978), NOTIFY (RFC 5465) and FETCH BINARY; IMAP URLs (RFC 5092); BINARY decoding.
 */
class AppendExtensionsDecoderTest {

  private static String text(ByteSource b) {
    try {
      return new String(b.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String describe(AppendMessage m) {
    List<String> parts = new ArrayList<>();
    for (AppendMessage.AppendPart p : m.parts()) {
      parts.add(
          switch (p) {
            case AppendMessage.AppendPart.Text t -> "T:" + text(t.bytes());
            case AppendMessage.AppendPart.Url u -> "U:" + u.url();
          });
    }
    return new java.util.TreeSet<>(m.flags()) + m.internalDate().toString() + parts;
  }

  static String describe(Decoded r) {
    if (r instanceof Decoded.Command c) {
      switch (c.command()) {
        case ImapCommand.AppendMessages a -> {
          List<String> ms = new ArrayList<>();
          for (AppendMessage m : a.messages()) ms.add(describe(m));
          return "AppendMessages[" + a.tag() + "," + a.mailbox() + "," + ms + "]";
        }
        case ImapCommand.Replace x -> {
          return "Replace["
              + x.tag()
              + ","
              + x.uid()
              + ","
              + x.number()
              + ","
              + x.mailbox()
              + ","
              + describe(x.message())
              + "]";
        }
        default -> {}
      }
    }
    return ImapDecoderTest.describe(r);
  }

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

  /** Decodes whole, then split at every byte boundary: the results must be equal. */
  static List<String> decodeEverySplit(String input) {
    byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
    List<String> whole = decodeAll(DecoderLimits.DEFAULTS, bytes);
    for (int i = 0; i <= bytes.length; i++) {
      assertThat(decodeAll(DecoderLimits.DEFAULTS, bytes, i)).as("split at %d", i).isEqualTo(whole);
    }
    return whole;
  }

  private static ImapCommand only(String input) {
    Decoded r =
        new ImapDecoder(DecoderLimits.DEFAULTS)
            .decode(ByteBuffer.wrap(input.getBytes(StandardCharsets.UTF_8)));
    assertThat(r).isInstanceOf(Decoded.Command.class);
    return ((Decoded.Command) r).command();
  }

  private static Decoded.Bad bad(String input) {
    Decoded r =
        new ImapDecoder(DecoderLimits.DEFAULTS)
            .decode(ByteBuffer.wrap(input.getBytes(StandardCharsets.UTF_8)));
    assertThat(r).isInstanceOf(Decoded.Bad.class);
    return (Decoded.Bad) r;
  }

  @Test
  void decodeShouldReturnEveryMessageWhenMultiappendIsSplitAnywhere() {
    List<String> r =
        decodeEverySplit(
            "a APPEND INBOX (\\Seen) {3}\r\none (\\Flagged) \"01-Jan-2020 00:00:00 +0000\""
                + " {3+}\r\ntwo ~{5+}\r\nth\0ee\r\nb NOOP\r\n");
    assertThat(r)
        .containsExactly(
            "NeedLiteral[size=3, sync=true]",
            "AppendMessages[a,INBOX,[[\\Seen]Optional.empty[T:one],"
                + " [\\Flagged]Optional[2020-01-01T00:00:00Z][T:two],"
                + " []Optional.empty[T:th\0ee]]]",
            "Command[command=Noop[tag=b]]");
  }

  @Test
  void decodeShouldKeepPlainAppendWhenOneLiteral() {
    assertThat(only("a APPEND INBOX {2+}\r\nhi\r\n")).isInstanceOf(ImapCommand.Append.class);
    assertThat(only("a APPEND INBOX ~{2+}\r\nhi\r\n"))
        .isInstanceOf(ImapCommand.AppendMessages.class);
  }

  @Test
  void decodeShouldReturnCatenatePartsWhenTextAndUrls() {
    List<String> r =
        decodeEverySplit(
            "a APPEND Drafts (\\Draft) CATENATE (URL \"/INBOX;UIDVALIDITY=9/;UID=3\" TEXT {4+}\r\n"
                + "body URL {9+}\r\n;UID=1/;X TEXT ~{1+}\r\n\0) CATENATE (TEXT {1+}\r\nz)\r\n");
    assertThat(r)
        .containsExactly(
            "AppendMessages[a,Drafts,[[\\Draft]Optional.empty[U:/INBOX;UIDVALIDITY=9/;UID=3,"
                + " T:body, U:;UID=1/;X, T:\0], []Optional.empty[T:z]]]");
  }

  @Test
  void decodeShouldReturnBadAndKeepNothingWhenMultiappendMalformedAfterALiteral() {
    assertThat(
            decodeAll(
                DecoderLimits.DEFAULTS,
                ("a APPEND INBOX {1+}\r\nx NIL\r\nb NOOP\r\n").getBytes(StandardCharsets.US_ASCII)))
        .hasSize(2)
        .first()
        .asString()
        .startsWith("Bad[tag=a");
    assertThat(bad("a APPEND INBOX CATENATE ()\r\n").tag()).isEqualTo("a");
    assertThat(bad("a APPEND INBOX CATENATE (TEXT \"x\")\r\n").tag()).isEqualTo("a");
    assertThat(bad("a APPEND INBOX CATENATE (URL)\r\n").tag()).isEqualTo("a");
    assertThat(bad("a APPEND INBOX CATENATE (FOO x)\r\n").tag()).isEqualTo("a");
    assertThat(bad("a APPEND INBOX CATENATE URL \"x\"\r\n").tag()).isEqualTo("a");
  }

  @Test
  void decodeShouldRefuseLiteralWhenTooManyMessages() {
    StringBuilder in = new StringBuilder("a APPEND INBOX");
    for (int i = 0; i <= ImapDecoder.MAX_APPEND_MESSAGES; i++) in.append(" {1+}\r\nx");
    in.append("\r\nb NOOP\r\n");
    List<String> r =
        decodeAll(
            new DecoderLimits(64 * 1024, 100, 4, 10_000, 1 << 20),
            in.toString().getBytes(StandardCharsets.US_ASCII));
    assertThat(r).hasSize(2);
    assertThat(r.get(0)).startsWith("Bad[tag=a, text=more than 1000 message literals");
    assertThat(r.get(1)).isEqualTo("Command[command=Noop[tag=b]]");
  }

  @Test
  void decodeShouldParseReplaceWhenUidAndCatenate() {
    assertThat(decodeEverySplit("a UID REPLACE 42 Drafts (\\Seen) {2+}\r\nhi\r\n"))
        .containsExactly("Replace[a,true,42,Drafts,[\\Seen]Optional.empty[T:hi]]");
    assertThat(decodeEverySplit("a REPLACE 1 INBOX CATENATE (URL \";UID=2\")\r\n"))
        .containsExactly("Replace[a,false,1,INBOX,[]Optional.empty[U:;UID=2]]");
    assertThat(bad("a REPLACE 1:2 INBOX {1+}\r\nx\r\n").text()).contains("message number");
    assertThat(bad("a REPLACE 0 INBOX {1+}\r\nx\r\n").tag()).isEqualTo("a");
    assertThat(bad("a REPLACE 1 INBOX {1+}\r\nx {1+}\r\ny\r\n").text()).contains("unexpected");
  }

  @Test
  void decodeShouldParseCompressAndNotify() {
    assertThat(only("a COMPRESS deflate\r\n")).isEqualTo(new ImapCommand.Compress("a", "DEFLATE"));
    assertThat(only("a NOTIFY NONE\r\n"))
        .isEqualTo(new ImapCommand.Notify("a", java.util.Optional.empty()));
    ImapCommand.Notify n =
        (ImapCommand.Notify)
            only(
                "a NOTIFY SET (STATUS) (selected-delayed (MessageNew (UID BODY.PEEK[HEADER])"
                    + " MessageExpunge FlagChange)) (subtree (Lists \"Other Box\")"
                    + " (MessageNew MessageExpunge)) (mailboxes INBOX NONE)"
                    + " (personal (MailboxName SubscriptionChange X-Future))\r\n");
    NotifySpec spec = n.spec().orElseThrow();
    assertThat(spec.status()).isTrue();
    assertThat(spec.groups())
        .containsExactly(
            new NotifySpec.Group(
                NotifySpec.Filter.SELECTED_DELAYED,
                List.of(),
                Set.of(
                    NotifySpec.Event.MESSAGE_NEW,
                    NotifySpec.Event.MESSAGE_EXPUNGE,
                    NotifySpec.Event.FLAG_CHANGE),
                List.of()),
            new NotifySpec.Group(
                NotifySpec.Filter.SUBTREE,
                List.of("Lists", "Other Box"),
                Set.of(NotifySpec.Event.MESSAGE_NEW, NotifySpec.Event.MESSAGE_EXPUNGE),
                List.of()),
            new NotifySpec.Group(
                NotifySpec.Filter.MAILBOXES, List.of("INBOX"), Set.of(), List.of()),
            new NotifySpec.Group(
                NotifySpec.Filter.PERSONAL,
                List.of(),
                Set.of(NotifySpec.Event.MAILBOX_NAME, NotifySpec.Event.SUBSCRIPTION_CHANGE),
                List.of("X-Future")));
  }

  @Test
  void decodeShouldReturnBadWhenNotifyMalformed() {
    for (String s :
        List.of(
            "a NOTIFY\r\n",
            "a NOTIFY SET\r\n",
            "a NOTIFY GET\r\n",
            "a NOTIFY SET (personal)\r\n",
            "a NOTIFY SET (personal ())\r\n",
            "a NOTIFY SET (personal (MessageNew))\r\n",
            "a NOTIFY SET (personal (MessageExpunge))\r\n",
            "a NOTIFY SET (personal (FlagChange))\r\n",
            "a NOTIFY SET (nobody (MessageNew MessageExpunge))\r\n",
            "a NOTIFY SET (inboxes (Message*New))\r\n",
            "a NOTIFY SET (inboxes NONE) (inboxes NONE)\r\n",
            "a NOTIFY SET (selected NONE) (selected-delayed NONE)\r\n",
            "a NOTIFY SET (mailboxes () NONE)\r\n",
            "a NOTIFY SET (personal (MessageNew (BOGUS) MessageExpunge))\r\n",
            "a NOTIFY SET (personal NONE) junk\r\n")) {
      assertThat(bad(s).tag()).as(s).isEqualTo("a");
    }
  }

  @Test
  void decodeShouldParseBinaryFetchAttributes() {
    ImapCommand.Fetch f =
        (ImapCommand.Fetch)
            only("a FETCH 1 (BINARY[] BINARY.PEEK[1.2]<5.10> BINARY.SIZE[3] binary[4])\r\n");
    assertThat(f.attributes())
        .containsExactly(
            new FetchAttribute.Binary(List.of(), false, 0, -1),
            new FetchAttribute.Binary(List.of(1, 2), true, 5, 10),
            new FetchAttribute.BinarySize(List.of(3)),
            new FetchAttribute.Binary(List.of(4), false, 0, -1));
    assertThat(((FetchAttribute.Binary) f.attributes().get(1)).responseName())
        .isEqualTo("BINARY[1.2]<5>");
    for (String s :
        List.of(
            "BINARY[1.TEXT]",
            "BINARY[HEADER]",
            "BINARY[0]",
            "BINARY[1.]",
            "BINARY.SIZE[1]<0.1>",
            "BINARY[1]<1>",
            "BINARY[1]<0.0>",
            "BINARY.FOO[1]",
            "BINARY[1")) {
      assertThat(bad("a FETCH 1 " + s + "\r\n").tag()).as(s).isEqualTo("a");
    }
  }

  private static Gen<byte[]> extensionish() {
    String[] pieces = {
      "a ",
      "APPEND ",
      "INBOX ",
      "CATENATE ",
      "(",
      ")",
      "URL ",
      "TEXT ",
      "~",
      "{3}\r\n",
      "{2+}\r\n",
      "{0+}\r\n",
      "xyz",
      "\"/INBOX/;UID=1\" ",
      "REPLACE ",
      "UID ",
      "1 ",
      "NOTIFY ",
      "SET ",
      "NONE ",
      "(STATUS) ",
      "selected ",
      "personal ",
      "subtree ",
      "MessageNew ",
      "MessageExpunge ",
      "FlagChange ",
      "COMPRESS ",
      "DEFLATE",
      "FETCH ",
      "BINARY[1]",
      "BINARY.SIZE[",
      "<0.1>",
      "\r\n",
      " ",
      "\0",
      "\\Seen "
    };
    return lists()
        .of(arbitrary().pick(pieces))
        .ofSizeBetween(0, 40)
        .map(l -> String.join("", l).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodeShouldNeverThrowAndNotDependOnSplitWhenExtensionInput() {
    DecoderLimits limits = new DecoderLimits(64, 100, 4, 40);
    qt().withExamples(1000)
        .forAll(extensionish(), integers().between(0, 1000))
        .checkAssert(
            (b, x) ->
                assertThat(decodeAll(limits, b, x % (b.length + 1)))
                    .isEqualTo(decodeAll(limits, b)));
  }

  @Test
  void imapUrlShouldResolveOnlyOwnMessagesWhenParsed() {
    assertThat(
            AppendCommands.ImapUrl.parse("/INBOX;UIDVALIDITY=7/;UID=3/;SECTION=1.MIME", "u", null))
        .isEqualTo(new AppendCommands.ImapUrl("INBOX", 7, 3, "1.MIME", -1, -1));
    assertThat(
            AppendCommands.ImapUrl.parse(
                "imap://U;AUTH=*@host:143/a%20b/;UID=9/;SECTION=HEADER.FIELDS%20(FROM)/;PARTIAL=2.5",
                "u", null))
        .isEqualTo(new AppendCommands.ImapUrl("a b", 0, 9, "HEADER.FIELDS (FROM)", 2, 5));
    assertThat(AppendCommands.ImapUrl.parse(";UID=4/;PARTIAL=10", "u", "Drafts"))
        .isEqualTo(new AppendCommands.ImapUrl("Drafts", 0, 4, null, 10, -1));
    for (String bad :
        List.of(
            "imap://other@host/INBOX/;UID=1",
            "imap://host/INBOX/;UID=1",
            "/INBOX",
            "/INBOX/;UID=0",
            "/INBOX/;UID=x",
            "//host/INBOX/;UID=1",
            "/INBOX/;UID=1/;URLAUTH=anonymous",
            "/INBOX/;UID=1/;FOO=1",
            "/INBOX/;UID=1/;PARTIAL=1.0",
            "/IN%ZZ/;UID=1",
            ";UID=1",
            "http://x/")) {
      assertThat(AppendCommands.ImapUrl.parse(bad, "u", null)).as(bad).isNull();
    }
    qt().forAll(strings().allPossible().ofLengthBetween(0, 80))
        .checkAssert(s -> AppendCommands.ImapUrl.parse(s, "u", "INBOX"));
  }

  @Test
  void binaryShouldReturnOriginalBytesWhenBase64OrQuotedPrintable() {
    qt().withExamples(200)
        .forAll(lists().of(integers().between(0, 255)).ofSizeBetween(0, 300))
        .checkAssert(
            l -> {
              byte[] raw = new byte[l.size()];
              for (int i = 0; i < raw.length; i++) raw[i] = (byte) (int) l.get(i);
              String b64 = Base64.getMimeEncoder().encodeToString(raw);
              byte[] msg =
                  ("Content-Transfer-Encoding: base64\r\n\r\n" + b64 + "\r\n")
                      .getBytes(StandardCharsets.US_ASCII);
              ImapResponse.FetchItem.Binary item =
                  BinaryFetch.binary(
                      new MessageData(msg), new FetchAttribute.Binary(List.of(1), true, 0, -1));
              assertThat(item.content().size()).isEqualTo(raw.length);
              try {
                assertThat(item.content().readAllBytes()).isEqualTo(raw);
              } catch (IOException e) {
                throw new AssertionError(e);
              }
              boolean nul = false;
              for (byte b : raw) nul |= b == 0;
              assertThat(item.literal8()).isEqualTo(nul);
            });
    byte[] qp =
        "Content-Transfer-Encoding: Quoted-Printable\r\n\r\na=3Db=\r\nc=00\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    ImapResponse.FetchItem.Binary item =
        BinaryFetch.binary(new MessageData(qp), new FetchAttribute.Binary(List.of(1), false, 1, 3));
    assertThat(text(item.content())).isEqualTo("=bc");
    assertThat(
            BinaryFetch.size(new MessageData(qp), new FetchAttribute.BinarySize(List.of(1))).size())
        .isEqualTo(7);
  }
}
