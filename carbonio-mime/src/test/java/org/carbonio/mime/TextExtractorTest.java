package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.charset.Charset;
import org.junit.jupiter.api.Test;

class TextExtractorTest {

  private static final TextExtractor X = TextExtractor.builder().build();

  private static ExtractedText extract(String message) {
    return X.extract(message.replace("\n", "\r\n").getBytes(ISO_8859_1));
  }

  @Test
  void htmlShouldBecomePlainTextWhenOnlyHtmlIsSent() {
    ExtractedText t =
        extract(
            "Content-Type: text/html; charset=utf-8\n\n"
                + "<html><head><title>T</title><style>p{x:y}</style><script>var a=1;</script>"
                + "</head><body><p>Caf&eacute; &amp; more</p><div>line <b>two</b></div>"
                + "<a href=\"http://x\">the link</a><br>last</body></html>\n");
    assertThat(t.body()).isEqualTo("Café & more\n\nline two\nthe link\nlast");
  }

  @Test
  void imageAltShouldBeKeptWhenItIsNotAFileName() {
    ExtractedText t =
        extract(
            "Content-Type: text/html\n\n<p><img src=\"cid:a\" alt=\"logo.png\">"
                + "<img src=\"http://x/b.gif\" alt=\"Spring sale\"> today</p>\n");
    assertThat(t.body()).isEqualTo("Spring sale today");
  }

  @Test
  void htmlShouldBeConvertedWhenSentWithoutContentType() {
    ExtractedText t = extract("Subject: x\n\n\n<HTML><BODY><P>Buy <B>now</B></P></BODY></HTML>\n");
    assertThat(t.body()).isEqualTo("Buy now");
  }

  @Test
  void base64RunShouldBeDroppedWhenTextHoldsAnEncodedAttachment() {
    String line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx";
    ExtractedText t =
        extract("Subject: x\n\nbefore\n\n" + (line + "\n").repeat(4) + "QUJD\n\nafter\n");
    assertThat(t.body()).isEqualTo("before\n\nafter");
  }

  @Test
  void lostMultipartShouldBeReadWhenContentTypeIsMissing() {
    ExtractedText t =
        extract(
            "Subject: x\nMIME-Version: 1.0\n\nThis is a multipart MIME message.\n\n--XYZ\n"
                + "Content-Type: text/plain\n\nplain side\n--XYZ\nContent-Type: text/html\n\n"
                + "<p>html side</p>\n--XYZ--\n");
    assertThat(t.body()).isEqualTo("plain side");
  }

  @Test
  void alternativeShouldPreferPlainWhenBothAreSent() {
    ExtractedText t =
        extract(
            "Content-Type: multipart/alternative; boundary=b\n\n--b\n"
                + "Content-Type: text/plain\n\nplain words\n--b\n"
                + "Content-Type: text/html\n\n<p>html words</p>\n--b--\n");
    assertThat(t.body()).isEqualTo("plain words");
  }

  @Test
  void alternativeShouldUseHtmlWhenPlainIsEmpty() {
    ExtractedText t =
        extract(
            "Content-Type: multipart/alternative; boundary=b\n\n--b\n"
                + "Content-Type: text/plain\n\n \n--b\n"
                + "Content-Type: text/html\n\n<p>html words</p>\n--b--\n");
    assertThat(t.body()).isEqualTo("html words");
  }

  @Test
  void charsetShouldDecodeBodyWhenLegacyCharsetIsDeclared() {
    byte[] koi8 = "Привет".getBytes(Charset.forName("koi8-r"));
    byte[] msg =
        concat(
            "Subject: =?koi8-r?B?8NLJ18XU?=\r\nContent-Type: text/plain; charset=koi8-r\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n",
            koi8);
    ExtractedText t = X.extract(msg);
    assertThat(t.subject()).isEqualTo("Привет");
    assertThat(t.body()).isEqualTo("Привет");
  }

  @Test
  void rawHeaderShouldUseBodyCharsetWhenNotUtf8() {
    byte[] cp = "Тема".getBytes(Charset.forName("windows-1251"));
    byte[] msg =
        concat(
            new String(concat("Subject: ", cp), ISO_8859_1)
                + "\r\nContent-Type: text/plain; charset=windows-1251\r\n\r\n",
            cp);
    assertThat(X.extract(msg).subject()).isEqualTo("Тема");
  }

  @Test
  void unknownCharsetShouldFallBackWhenLabelIsBogus() {
    byte[] msg =
        concat("Content-Type: text/plain; charset=x-bogus\r\n\r\n", "héllo".getBytes(UTF_8));
    assertThat(X.extract(msg).body()).isEqualTo("héllo");
  }

  @Test
  void base64AndQuotedPrintableShouldBeDecodedWhenTransferEncoded() {
    ExtractedText t =
        extract(
            "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                + "aGVsbG8gd29ybGQ=\n--b\n"
                + "Content-Type: text/plain; charset=iso-8859-1\n"
                + "Content-Transfer-Encoding: quoted-printable\n\nd=E9j=E0 vu=\n!\n--b--\n");
    assertThat(t.body()).isEqualTo("hello world\n\ndéjà vu!");
  }

  @Test
  void attachmentsShouldBeListedWithDecodedNamesWhenRfc2231IsUsed() {
    ExtractedText t =
        extract(
            "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                + "Content-Type: text/plain\n\nsee attached\n--b\n"
                + "Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
                + "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf\n\n"
                + "AAECAw==\n--b\n"
                + "Content-Type: image/png; name=\"=?utf-8?Q?b=C3=A9b=C3=A9.png?=\"\n\nxx\n--b\n"
                + "Content-Type: application/pkcs7-signature; name=smime.p7s\n\nsig\n--b--\n");
    assertThat(t.body()).isEqualTo("see attached");
    assertThat(t.attachments())
        .containsExactly(
            new ExtractedText.Attachment("résumé.pdf", "application/pdf", 4),
            new ExtractedText.Attachment("bébé.png", "image/png", 2));
  }

  @Test
  void embeddedMessageShouldAppendSubjectFromAndTextWhenForwarded() {
    ExtractedText t =
        extract(
            "Subject: fwd\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                + "Content-Type: text/plain\n\nouter\n--b\nContent-Type: message/rfc822\n\n"
                + "Subject: =?utf-8?Q?inn=C3=A9r?=\nFrom: \"Ann\" <ann@example.com>\n\ninner text\n"
                + "--b--\n");
    assertThat(t.body())
        .isEqualTo("outer\n\nSubject: innér\nFrom: Ann <ann@example.com>\n\ninner text");
  }

  @Test
  void calendarShouldBeSummarisedWhenInvitationIsSent() {
    ExtractedText t =
        extract(
            "Content-Type: text/calendar; method=REQUEST; charset=utf-8\n\n"
                + "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Team\\, weekly\nLOCATION:Room 1\n"
                + "DTSTART;TZID=Europe/Rome:20260101T100000\nDTEND:20260101T110000Z\n"
                + "ORGANIZER;CN=\"Boss: Big\":mailto:boss@example.com\n"
                + "ATTENDEE;ROLE=REQ-PARTICIPANT;CN=Ann:mailto:ann@example.com\n"
                + "ATTENDEE:mailto:bob@example.com\nDESCRIPTION:first line\\nsecond\n"
                + "  folded\nBEGIN:VALARM\nDESCRIPTION:alarm\nEND:VALARM\nEND:VEVENT\n"
                + "END:VCALENDAR\n");
    assertThat(t.body())
        .isEqualTo(
            "Summary: Team, weekly\nLocation: Room 1\nStart: 20260101T100000 (Europe/Rome)\n"
                + "End: 20260101T110000Z\nOrganizer: Boss: Big\nAttendees: Ann, bob@example.com\n"
                + "Description: first line\nsecond folded");
  }

  @Test
  void inlinePgpShouldBeStrippedWhenMessageIsClearSigned() {
    ExtractedText t =
        extract(
            "Content-Type: text/plain\n\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA1\n\n"
                + "signed text\n- -- dash\n-----BEGIN PGP SIGNATURE-----\n\niQA/AwUBO\n"
                + "-----END PGP SIGNATURE-----\n");
    assertThat(t.body()).isEqualTo("signed text\n-- dash");
  }

  @Test
  void uuencodedBlockShouldBeListedWhenTextHoldsOne() {
    ExtractedText t =
        extract("Subject: uu\n\nhere it is\n\nbegin 644 a.txt\n#86)C\n`\nend\n\nbye\n");
    assertThat(t.body()).isEqualTo("here it is\n\nbye");
    assertThat(t.attachments())
        .containsExactly(new ExtractedText.Attachment("a.txt", "application/octet-stream", 3));
  }

  @Test
  void addressesShouldBeDisplayStringsWhenHeadersHoldEncodedWords() {
    ExtractedText t =
        extract(
            "From: =?iso-8859-1?Q?J=FCrgen?= <j@example.com>\n"
                + "To: a@example.com, \"B, C\" <b@example.com>\nCc: team: x@example.com;\n\nhi\n");
    assertThat(t.from()).isEqualTo("Jürgen <j@example.com>");
    assertThat(t.to()).isEqualTo("a@example.com, B, C <b@example.com>");
    assertThat(t.cc()).isEqualTo("team: x@example.com;");
  }

  @Test
  void bodyShouldStopAtCapWhenTextIsLonger() {
    TextExtractor small = TextExtractor.builder().maxChars(10).build();
    ExtractedText t = small.extract(("Subject: s\r\n\r\n" + "x".repeat(100)).getBytes(UTF_8));
    assertThat(t.body()).hasSize(10);
    assertThat(t.truncated()).isTrue();
  }

  @Test
  void walkShouldStopWhenPartCapIsReached() {
    StringBuilder m = new StringBuilder("Content-Type: multipart/mixed; boundary=b\n\n");
    for (int i = 0; i < 10; i++) {
      m.append("--b\nContent-Type: text/plain\n\npart ").append(i).append('\n');
    }
    m.append("--b--\n");
    TextExtractor few = TextExtractor.builder().maxParts(3).build();
    ExtractedText t = few.extract(m.toString().replace("\n", "\r\n").getBytes(UTF_8));
    assertThat(t.body()).isEqualTo("part 0\n\npart 1");
    assertThat(t.truncated()).isTrue();
  }

  @Test
  void builderShouldRejectLimitWhenBelowOne() {
    assertThatThrownBy(() -> TextExtractor.builder().maxChars(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxChars");
    TextExtractor t = TextExtractor.builder().maxParts(7).build();
    assertThat(t.toBuilder().build().maxParts()).isEqualTo(7);
    assertThat(t.maxChars()).isEqualTo(TextExtractor.DEFAULT_MAX_CHARS);
  }

  @Test
  void extractShouldNeverThrowWhenBytesAreArbitrary() {
    qt().forAll(lists().of(integers().between(0, 255)).ofSizeBetween(0, 400))
        .checkAssert(
            l -> {
              byte[] b = new byte[l.size()];
              for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (int) l.get(i);
              }
              assertThat(X.extract(b).body().length()).isLessThanOrEqualTo(X.maxChars());
            });
  }

  @Test
  void extractShouldNeverThrowWhenMimeTextIsMangled() {
    String base =
        "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/calendar\n\n"
            + "BEGIN:VEVENT\nSUMMARY;CN=\"x:y\nATTENDEE;CN=\n--b\nContent-Type: text/html;"
            + " charset=\"\n\n<p><<script>&#xFFFFFFF;</p>\n--b\nContent-Type: message/rfc822\n"
            + "Content-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQp5\n--b--\n";
    qt().forAll(integers().between(0, base.length()), strings().allPossible().ofLengthBetween(0, 5))
        .checkAssert(
            (cut, junk) -> {
              String m = base.substring(0, cut) + junk + base.substring(cut);
              assertThat(X.extract(m.getBytes(UTF_8))).isNotNull();
            });
  }

  @Test
  void utf8ShouldWinWhenLabelIsWrong() {
    byte[] msg =
        concat("Content-Type: text/plain; charset=iso-8859-1\r\n\r\n", "Grüße".getBytes(UTF_8));
    assertThat(X.extract(msg).body()).isEqualTo("Grüße");
  }

  @Test
  void latin1ShouldBeReadWhenLabelledUtf8WithoutUtf8Sequences() {
    byte[] msg =
        concat("Content-Type: text/plain; charset=utf-8\r\n\r\n", "Frösche".getBytes(ISO_8859_1));
    assertThat(X.extract(msg).body()).isEqualTo("Frösche");
  }

  @Test
  void shiftJisShouldBeGuessedWhenUnlabelledTextIsNotWestern() {
    byte[] sjis = "メールのテストです".getBytes(Charset.forName("windows-31j"));
    assertThat(X.extract(concat("Subject: x\r\n\r\n", sjis)).body()).isEqualTo("メールのテストです");
  }

  @Test
  void eucJpShouldBeReadWhenIso2022JpLabelHoldsEightBitOctets() {
    byte[] euc = "調べます。".getBytes(Charset.forName("euc-jp"));
    byte[] msg = concat("Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n", euc);
    assertThat(X.extract(msg).body()).isEqualTo("調べます。");
  }

  @Test
  void entityShouldBeReadWhenMultipartHasNoBoundaryLine() {
    ExtractedText t =
        extract(
            "Content-Type: multipart/alternative; boundary=nowhere\n\n"
                + "Content-Type: text/html\n\n<p>lost <b>part</b></p>\n");
    assertThat(t.body()).isEqualTo("lost part");
  }

  private static byte[] concat(String head, byte[] body) {
    byte[] h = head.getBytes(ISO_8859_1);
    byte[] out = new byte[h.length + body.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(body, 0, out, h.length, body.length);
    return out;
  }
}
