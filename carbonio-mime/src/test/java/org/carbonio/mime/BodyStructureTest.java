package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BodyStructureTest {

  // the message of Dovecot's src/lib-imap/test-imap-bodystructure.c
  static final String DOVECOT_MSG =
      """
      From: user@domain.org
      Date: Sat, 24 Mar 2007 23:00:00 +0200
      Mime-Version: 1.0
      Content-Type: multipart/mixed; boundary="foo
       bar"

      Root MIME prologue

      --foo bar
      Content-Type: text/x-myown; charset=us-ascii; foo="quoted\\"string"
      Content-ID: <foo@example.com>
      Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
      Content-Disposition: inline; foo=bar
      Content-Description: hellodescription
      Content-Language: en, fi, se
      Content-Location: http://example.com/test.txt

      hello

      --foo bar
      Content-Type: message/rfc822

      From: sub@domain.org
      To: sub-to1@domain.org, sub-to2@domain.org
      Date: Sun, 12 Aug 2012 12:34:56 +0300
      Subject: submsg
      Content-Type: multipart/alternative; boundary="sub1"

      Sub MIME prologue
      --sub1
      Content-Type: text/html
      Content-Transfer-Encoding: 8bit

      <p>Hello world</p>

      --sub1
      Content-Type: text/plain
      Content-Transfer-Encoding: ?invalid

      Hello another world

      --sub1--
      Sub MIME epilogue

      --foo bar--
      Root MIME epilogue
      """;

  // Dovecot's expected output (its sizes count CRLF line endings), inside FETCH's parentheses
  static final String DOVECOT_BODYSTRUCTURE =
      "((\"text\" \"x-myown\" (\"charset\" \"us-ascii\" \"foo\" \"quoted\\\"string\")"
          + " \"<foo@example.com>\" \"hellodescription\" \"7bit\" 7 1"
          + " \"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"inline\" (\"foo\" \"bar\")) (\"en\" \"fi\" \"se\")"
          + " \"http://example.com/test.txt\")(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 412"
          + " (\"Sun, 12 Aug 2012 12:34:56 +0300\" \"submsg\" ((NIL NIL \"sub\" \"domain.org\"))"
          + " ((NIL NIL \"sub\" \"domain.org\")) ((NIL NIL \"sub\" \"domain.org\"))"
          + " ((NIL NIL \"sub-to1\" \"domain.org\")(NIL NIL \"sub-to2\" \"domain.org\")) NIL NIL"
          + " NIL NIL) ((\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"8bit\" 20 1 NIL"
          + " NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 21 1 NIL"
          + " NIL NIL NIL) \"alternative\" (\"boundary\" \"sub1\") NIL NIL NIL) 21 NIL NIL NIL"
          + " NIL) \"mixed\" (\"boundary\" \"foo bar\") NIL NIL NIL)";

  static final String DOVECOT_BODY =
      "((\"text\" \"x-myown\" (\"charset\" \"us-ascii\" \"foo\" \"quoted\\\"string\")"
          + " \"<foo@example.com>\" \"hellodescription\" \"7bit\" 7 1)(\"message\" \"rfc822\""
          + " NIL NIL NIL \"7bit\" 412 (\"Sun, 12 Aug 2012 12:34:56 +0300\" \"submsg\" ((NIL NIL"
          + " \"sub\" \"domain.org\")) ((NIL NIL \"sub\" \"domain.org\")) ((NIL NIL \"sub\""
          + " \"domain.org\")) ((NIL NIL \"sub-to1\" \"domain.org\")(NIL NIL \"sub-to2\""
          + " \"domain.org\")) NIL NIL NIL NIL) ((\"text\" \"html\" (\"charset\" \"us-ascii\")"
          + " NIL NIL \"8bit\" 20 1)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL"
          + " \"7bit\" 21 1) \"alternative\") 21) \"mixed\")";

  @Test
  void bodyStructureShouldMatchDovecotWhenMessageIsCrlf() {
    ParsedMessage m = ParsedMessage.parse(Msg.crlf(DOVECOT_MSG));
    // we upper-case type, subtype, encoding and parameter names; everything else is identical
    assertThat(m.bodyStructure()).isEqualToIgnoringCase(DOVECOT_BODYSTRUCTURE);
    assertThat(m.body()).isEqualToIgnoringCase(DOVECOT_BODY);
    assertThat(m.bodyStructure()).contains("(\"TEXT\" \"X-MYOWN\" (\"CHARSET\" \"us-ascii\"");
    assertThat(m.bodyStructure()).endsWith("\"MIXED\" (\"BOUNDARY\" \"foo bar\") NIL NIL NIL)");
  }

  @Test
  void sizesShouldCountStoredBytesWhenMessageUsesBareLf() {
    ParsedMessage m = ParsedMessage.parse(Msg.raw(DOVECOT_MSG));
    // "hello\n" is 6 stored bytes (Dovecot reports 7, the CRLF size), 1 line
    assertThat(m.bodyStructure()).contains("\"7BIT\" 6 1 ");
    assertThat(m.part(java.util.List.of(1)).orElseThrow().body().length()).isEqualTo(6);
  }

  @Test
  void bodyStructureShouldDefaultToTextPlainWhenContentTypeIsAbsent() {
    ParsedMessage m = ParsedMessage.parse(Msg.crlf("Subject: x\n\nHello world\n"));
    assertThat(m.bodyStructure())
        .isEqualTo(
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 13 1 NIL NIL NIL NIL)");
    assertThat(m.body())
        .isEqualTo("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 13 1)");
  }

  @Test
  void bodyStructureShouldAddDefaultCharsetWhenTextPartHasOtherParams() {
    ParsedMessage m =
        ParsedMessage.parse(Msg.crlf("Content-Type: text/plain; format=flowed\n\nHi\n"));
    assertThat(m.body())
        .isEqualTo(
            "(\"TEXT\" \"PLAIN\" (\"FORMAT\" \"flowed\" \"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 4 1)");
  }

  @Test
  void bodyStructureShouldWriteNilParamsWhenNonTextPartHasNone() {
    ParsedMessage m =
        ParsedMessage.parse(
            Msg.crlf("Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nAAAA\n"));
    assertThat(m.body()).isEqualTo("(\"APPLICATION\" \"PDF\" NIL NIL NIL \"BASE64\" 6)");
  }

  @Test
  void bodyStructureShouldListAlternativeChildrenWhenMultipartAlternative() {
    String msg =
        """
        Content-Type: multipart/alternative; boundary=XX

        --XX
        Content-Type: text/plain; charset=utf-8

        plain
        --XX
        Content-Type: text/html; charset=utf-8
        Content-Transfer-Encoding: quoted-printable

        <b>html</b>
        two
        --XX--
        """;
    ParsedMessage m = ParsedMessage.parse(Msg.crlf(msg));
    assertThat(m.body())
        .isEqualTo(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 5 0)"
                + "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 16 1)"
                + " \"ALTERNATIVE\")");
  }

  @Test
  void childrenShouldDefaultToMessageRfc822WhenInsideDigest() {
    String msg =
        """
        Content-Type: multipart/digest; boundary=D

        --D

        From: a@b.example
        Subject: one

        body one
        --D
        Content-Type: text/plain

        not a message
        --D--
        """;
    ParsedMessage m = ParsedMessage.parse(Msg.crlf(msg));
    MimePart first = m.part(java.util.List.of(1)).orElseThrow();
    assertThat(first.mediaType()).isEqualTo("message");
    assertThat(first.mediaSubtype()).isEqualTo("rfc822");
    assertThat(first.embeddedMessage()).isPresent();
    assertThat(m.body())
        .startsWith(
            "((\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 43 (NIL \"one\" ((NIL NIL \"a\""
                + " \"b.example\"))")
        .endsWith(
            " (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 8 0) 3)"
                + "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 13 0) \"DIGEST\")");
  }

  @Test
  void paramsShouldMergeRfc2231ContinuationsWhenWritingBodyStructure() {
    String msg =
        """
        Content-Type: application/octet-stream;
         name*0="long";
         name*1="name.txt";
         title*=us-ascii'en'This%20is%20fun
        Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC%20rates.txt

        x
        """;
    ParsedMessage m = ParsedMessage.parse(Msg.crlf(msg));
    assertThat(m.bodyStructure())
        .isEqualTo(
            "(\"APPLICATION\" \"OCTET-STREAM\" (\"NAME\" \"longname.txt\" \"TITLE*\""
                + " \"us-ascii'en'This%20is%20fun\") NIL NIL \"7BIT\" 3 NIL (\"ATTACHMENT\""
                + " (\"FILENAME*\" \"UTF-8''%E2%82%AC%20rates.txt\")) NIL NIL)");
    assertThat(m.root().parameters())
        .containsEntry("name", "longname.txt")
        .containsEntry("title", "This is fun");
  }

  @Test
  void multipartShouldBeWrittenWithEmptyTextPartWhenItHasNoChildren() {
    ParsedMessage m =
        ParsedMessage.parse(Msg.crlf("Content-Type: multipart/mixed; boundary=nope\n\nhello\n"));
    assertThat(m.root().isMultipart()).isTrue();
    assertThat(m.body())
        .isEqualTo(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 0 0) \"MIXED\")");
  }

  @Test
  void partShouldBeOpaqueWhenMultipartHasNoBoundary() {
    ParsedMessage m = ParsedMessage.parse(Msg.crlf("Content-Type: multipart/mixed\n\nhello\n"));
    assertThat(m.root().isMultipart()).isFalse();
    assertThat(m.body()).isEqualTo("(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"7BIT\" 7)");
  }

  @Test
  void messagePartShouldBeOpaqueWhenBase64Encoded() {
    String msg =
        """
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: message/rfc822
        Content-Transfer-Encoding: base64

        U3ViamVjdDogeAoKeQo=
        --b--
        """;
    ParsedMessage m = ParsedMessage.parse(Msg.crlf(msg));
    assertThat(m.part(java.util.List.of(1)).orElseThrow().embeddedMessage()).isEmpty();
    assertThat(m.body())
        .isEqualTo("((\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BASE64\" 20) \"MIXED\")");
  }

  @Test
  void nestingShouldStopAtMaxDepthWhenMessagesAreDeeplyNested() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      sb.append("Content-Type: message/rfc822\n\n");
    }
    sb.append("Subject: deep\n\nbody\n");
    ParsedMessage m =
        ParsedMessage.parse(Msg.crlf(sb.toString()), MimeLimits.DEFAULTS.withMaxDepth(5));
    assertThat(ImapSyntax.check(m.bodyStructure())).isNull();
    assertThat(m.bodyStructure()).contains("\"APPLICATION\" \"OCTET-STREAM\"");
    MimePart p = m.root();
    int depth = 1;
    while (p.embeddedMessage().isPresent()) {
      p = p.embeddedMessage().get();
      depth++;
    }
    assertThat(depth).isEqualTo(5);
  }

  @Test
  void childrenShouldStopAtMaxPartsWhenMultipartIsHuge() {
    StringBuilder sb = new StringBuilder("Content-Type: multipart/mixed; boundary=b\n\n");
    for (int i = 0; i < 100; i++) {
      sb.append("--b\n\npart ").append(i).append('\n');
    }
    sb.append("--b--\n");
    ParsedMessage m =
        ParsedMessage.parse(Msg.crlf(sb.toString()), MimeLimits.DEFAULTS.withMaxParts(10));
    assertThat(m.root().children()).hasSize(9);
    assertThat(ImapSyntax.check(m.bodyStructure())).isNull();
  }

  @Test
  void valuesShouldBeLiteralsWhenTheyHoldEightBitOctets() {
    byte[] msg = Msg.crlf("Content-Type: text/plain\nContent-Description: caf\u00e9\n\nx\n");
    ParsedMessage m = ParsedMessage.parse(msg);
    assertThat(m.body()).contains(" {4}\r\ncaf\u00e9 ");
    assertThat(ImapSyntax.check(m.bodyStructure())).isNull();
  }

  @Test
  void encodedWordsShouldStayRawWhenWritingBodyStructure() {
    byte[] msg =
        Msg.crlf("Content-Type: text/plain\nContent-Description: =?utf-8?q?caf=C3=A9?=\n\nx\n");
    assertThat(ParsedMessage.parse(msg).body()).contains("\"=?utf-8?q?caf=C3=A9?=\"");
  }

  @Test
  void textPartShouldCountLinesWhenLastLineHasNoLineEnding() {
    ParsedMessage m = ParsedMessage.parse(Msg.raw("Subject: x\r\n\r\none\r\ntwo"));
    assertThat(m.body()).endsWith("\"7BIT\" 8 1)");
  }

  @Test
  void multipartShouldRunToEndWhenCloseDelimiterIsMissing() {
    ParsedMessage m =
        ParsedMessage.parse(
            Msg.crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nfirst\n--b\n\nsecond\n"));
    assertThat(m.root().children()).hasSize(2);
    MimePart second = m.root().children().get(1);
    assertThat(Msg.str(m.bytes(), second.body())).isEqualTo("second\r\n");
  }

  @Test
  void boundaryShouldMatchWhenLineContinuesWithOtherText() {
    // RFC 2046 §5.1.1: "An exact match of the entire candidate line is not required"
    ParsedMessage m =
        ParsedMessage.parse(
            Msg.crlf(
                "Content-Type: multipart/mixed; boundary=b\n\n--b junk\n\none\n--bx\n--b-- x\nepi\n"));
    assertThat(m.root().children()).hasSize(2);
    assertThat(Msg.str(m.bytes(), m.root().children().get(0).body())).isEqualTo("one");
    assertThat(Msg.str(m.bytes(), m.root().children().get(1).whole())).isEqualTo("");
  }

  @Test
  void innerBoundaryShouldWinWhenOuterBoundaryIsItsPrefix() {
    String msg =
        """
        Content-Type: multipart/mixed; boundary=a

        --a
        Content-Type: multipart/alternative; boundary=ab

        --ab

        inner one
        --ab

        inner two
        --ab--
        --a

        outer two
        --a--
        """;
    ParsedMessage m = ParsedMessage.parse(Msg.crlf(msg));
    assertThat(m.root().children()).hasSize(2);
    assertThat(m.root().children().get(0).children()).hasSize(2);
    assertThat(Msg.str(m.bytes(), m.part(java.util.List.of(1, 2)).orElseThrow().body()))
        .isEqualTo("inner two");
    assertThat(Msg.str(m.bytes(), m.part(java.util.List.of(2)).orElseThrow().body()))
        .isEqualTo("outer two");
  }

  @Test
  void outerBoundaryShouldEndInnerMultipartWhenInnerIsNotClosed() {
    String msg =
        """
        Content-Type: multipart/mixed; boundary=outer

        --outer
        Content-Type: multipart/mixed; boundary=inner

        --inner

        unclosed
        --outer

        after
        --outer--
        """;
    ParsedMessage m = ParsedMessage.parse(Msg.crlf(msg));
    assertThat(m.root().children()).hasSize(2);
    MimePart inner = m.root().children().get(0);
    assertThat(Msg.str(m.bytes(), inner.children().get(0).body())).isEqualTo("unclosed");
    assertThat(inner.whole().end()).isEqualTo(inner.children().get(0).whole().end());
    assertThat(Msg.str(m.bytes(), m.root().children().get(1).body())).isEqualTo("after");
  }

  @Test
  void boundaryShouldKeepTrailingSpacesWhenQuoted() {
    String msg =
        "Content-Type: multipart/mixed; boundary=\"b  \"\n\n--b  \n\none\n--b \nstill one\n--b  --\n";
    ParsedMessage m = ParsedMessage.parse(Msg.crlf(msg));
    assertThat(m.root().children()).hasSize(1);
    assertThat(Msg.str(m.bytes(), m.root().children().get(0).body()))
        .isEqualTo("one\r\n--b \r\nstill one");
  }

  // the three below were differences from Dovecot 2.3 found by DovecotOracleTest

  @Test
  void parameterShouldBeIgnoredWhenItHasNoEqualsSign() {
    ParsedMessage m =
        ParsedMessage.parse(Msg.crlf("Content-Type: text/plain; Windows-1252\n\nHi\n"));
    // RFC 2045 §5.1: parameter := attribute "=" value
    assertThat(m.bodyStructure()).startsWith("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL");
  }

  @Test
  void defaultCharsetShouldNotBeAddedWhenCharsetIsExtended() {
    ParsedMessage m =
        ParsedMessage.parse(
            Msg.crlf("Content-Type: text/plain; charset*=us-ascii'en'utf-8\n\nHi\n"));
    // RFC 2231 §4: charset* is the charset parameter
    assertThat(m.bodyStructure())
        .startsWith("(\"TEXT\" \"PLAIN\" (\"CHARSET*\" \"us-ascii'en'utf-8\") NIL");
  }

  @Test
  void encodingShouldBe7bitWhenMechanismIsNotOneToken() {
    for (String cte : new String[] {"8 bit", "quoted printable", "\t\t 7bits x"}) {
      ParsedMessage m =
          ParsedMessage.parse(Msg.crlf("Content-Transfer-Encoding: " + cte + "\n\nHi\n"));
      // RFC 2045 §6.1: mechanism := token
      assertThat(m.bodyStructure()).as(cte).contains("NIL NIL \"7BIT\" 4 1");
    }
    ParsedMessage ok =
        ParsedMessage.parse(Msg.crlf("Content-Transfer-Encoding: 8bit (comment)\n\nHi\n"));
    assertThat(ok.bodyStructure()).contains("NIL NIL \"8BIT\" 4 1");
  }

  @Test
  void longestBoundaryShouldWinWhenNestedBoundariesSharePrefix() {
    String msg =
        """
        Content-Type: multipart/mixed; boundary="ab"

        --ab
        Content-Type: multipart/mixed; boundary="a"

        --a
        Content-Type: text/plain

        body
        --ab
        Content-Type: text/html

        body2
        """;
    ParsedMessage m = ParsedMessage.parse(Msg.crlf(msg));
    // "--ab" starts with "--a" too; it is the outer boundary (RFC 2046 §5.1.1), as in Dovecot
    assertThat(m.root().children()).hasSize(2);
    assertThat(m.root().children().get(1).mediaSubtype()).isEqualTo("html");
  }

  @Test
  void delimiterShouldOpenNoPartWhenItIsTheLastLineWithoutLineEnding() {
    byte[] msg = Msg.raw("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b");
    // RFC 2046 §5.1.1: a body part starts after the delimiter's CRLF
    assertThat(ParsedMessage.parse(msg).root().children()).hasSize(1);
  }

  @Test
  void parameterValueShouldEndWithQuotedStringWhenTextFollowsIt() {
    ParsedMessage m =
        ParsedMessage.parse(
            Msg.crlf(
                "Content-Type: text/plain; charset=\"utf-8\" junk=\"x\"; format=flowed\n\nHi\n"));
    assertThat(m.bodyStructure())
        .startsWith("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\" \"FORMAT\" \"flowed\") NIL");
  }
}
