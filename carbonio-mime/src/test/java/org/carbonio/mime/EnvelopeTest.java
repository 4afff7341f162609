package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnvelopeTest {

  private static String envelope(String headers) {
    return ParsedMessage.parse(Msg.crlf(headers + "\nbody\n")).envelope();
  }

  @Test
  void envelopeShouldMatchRfc3501ExampleWhenHeadersAreComplete() {
    // RFC 3501 §8 example, FETCH 12 ENVELOPE
    String e =
        envelope(
            """
            Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
            From: Terry Gray <gray@cac.washington.edu>
            Subject: IMAP4rev1 WG mtg summary and minutes
            To: imap@cac.washington.edu
            cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>
            Message-Id: <B27397-0100000@cac.washington.edu>
            """);
    assertThat(e)
        .isEqualTo(
            "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\""
                + " ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\"))"
                + " ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\"))"
                + " ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\"))"
                + " ((NIL NIL \"imap\" \"cac.washington.edu\"))"
                + " ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
                + "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL"
                + " \"<B27397-0100000@cac.washington.edu>\")");
  }

  @Test
  void envelopeShouldBeAllNilWhenHeaderIsEmpty() {
    assertThat(envelope("")).isEqualTo("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
  }

  @Test
  void senderAndReplyToShouldKeepTheirValueWhenPresent() {
    String e =
        envelope(
            "From: a@x.example\nSender: s@x.example\nReply-To: r@x.example\nIn-Reply-To: <p@x>\n");
    assertThat(e)
        .isEqualTo(
            "(NIL NIL ((NIL NIL \"a\" \"x.example\")) ((NIL NIL \"s\" \"x.example\"))"
                + " ((NIL NIL \"r\" \"x.example\")) NIL NIL NIL \"<p@x>\" NIL)");
  }

  @Test
  void replyToShouldDefaultToFromWhenPresentButEmpty() {
    String e = envelope("From: a@x.example\nReply-To:\n");
    assertThat(e)
        .contains(
            "((NIL NIL \"a\" \"x.example\")) ((NIL NIL \"a\" \"x.example\"))"
                + " ((NIL NIL \"a\" \"x.example\"))");
  }

  @Test
  void groupsShouldUseRfc3501MarkersWhenAddressListHasGroups() {
    String e =
        envelope(
            "To: Friends: a@x.example, \"B, Bee\" <b@y.example>;, c@z.example, Undisclosed recipients:;\n");
    assertThat(e)
        .contains(
            "((NIL NIL \"Friends\" NIL)(NIL NIL \"a\" \"x.example\")"
                + "(\"B, Bee\" NIL \"b\" \"y.example\")(NIL NIL NIL NIL)"
                + "(NIL NIL \"c\" \"z.example\")"
                + "(NIL NIL \"Undisclosed recipients\" NIL)(NIL NIL NIL NIL))");
  }

  @Test
  void namesShouldStayEncodedWhenTheyAreEncodedWords() {
    String e = envelope("From: =?utf-8?q?J=C3=B6rg?= <j@x.example>\nSubject: =?utf-8?b?w6k=?=\n");
    assertThat(e)
        .isEqualTo(
            "(NIL \"=?utf-8?b?w6k=?=\" ((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"x.example\"))"
                + " ((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"x.example\"))"
                + " ((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"x.example\")) NIL NIL NIL NIL NIL)");
  }

  @Test
  void addressShouldKeepRouteAndCommentNameWhenPresent() {
    String e =
        envelope("To: <@relay.example,@b.example:joe@x.example>, joe2@x.example (Joe Two)\n");
    assertThat(e)
        .contains(
            "((NIL \"@relay.example,@b.example\" \"joe\" \"x.example\")"
                + "(\"Joe Two\" NIL \"joe2\" \"x.example\"))");
  }

  @Test
  void addressShouldGetMissingDomainWhenItHasNoAt() {
    assertThat(envelope("To: someone\n")).contains("((NIL NIL \"someone\" \"MISSING_DOMAIN\"))");
  }

  @Test
  void subjectShouldBeUnfoldedWhenFolded() {
    assertThat(envelope("Subject: one\n two\n")).startsWith("(NIL \"one two\" ");
  }

  @Test
  void subjectShouldBeLiteralWhenItHoldsRawUtf8() {
    byte[] msg =
        "Subject: caf\u00c3\u00a9\r\n\r\nx".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    String e = ParsedMessage.parse(msg).envelope();
    assertThat(e).startsWith("(NIL {5}\r\ncaf\u00c3\u00a9 NIL");
    assertThat(ImapSyntax.check(e)).isNull();
  }

  @Test
  void envelopeShouldUseFirstFieldWhenHeaderRepeats() {
    assertThat(envelope("Subject: first\nSubject: second\n")).startsWith("(NIL \"first\" ");
  }

  @Test
  void quotedCharsShouldBeEscapedWhenNameHasQuotes() {
    assertThat(envelope("From: \"a \\\"q\\\" b\" <a@x.example>\n"))
        .contains("((\"a \\\"q\\\" b\" NIL \"a\" \"x.example\"))");
  }

  @Test
  void displayNameShouldKeepAtSignWhenNameIsUnquotedAddress() {
    // found by DovecotOracleTest: "alice@example.com <bob@example.com>" showed "aliceexample.com"
    assertThat(envelope("From: alice@example.com <bob@example.com>\n"))
        .contains("((\"alice@example.com\" NIL \"bob\" \"example.com\"))");
  }
}
