package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartParametersTest {

  private static MimePart root(String header) {
    return ParsedMessage.parse(Msg.crlf(header + "\n\nx\n")).root();
  }

  @Test
  void parametersShouldDecodeRfc2231WhenContinuationsAreEncoded() {
    // RFC 2231 §4.1
    MimePart p =
        root(
            "Content-Type: application/x-stuff;\n"
                + " title*0*=us-ascii'en'This%20is%20even%20more%20;\n"
                + " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\n"
                + " title*2=\"isn't it!\"");
    assertThat(p.parameters()).containsEntry("title", "This is even more ***fun*** isn't it!");
    assertThat(
            ParsedMessage.parse(
                    Msg.crlf(
                        "Content-Type: application/x-stuff;\n"
                            + " title*0*=us-ascii'en'This%20is;\n title*1=\" fun\"\n\nx\n"))
                .body())
        .contains("(\"TITLE*\" \"us-ascii'en'This%20is fun\")");
  }

  @Test
  void parametersShouldDecodeCharsetWhenValueIsExtended() {
    MimePart p = root("Content-Type: text/plain; name*=iso-8859-1''caf%E9.txt; CharSet=UTF-8");
    assertThat(p.parameters()).containsEntry("name", "café.txt").containsEntry("charset", "UTF-8");
  }

  @Test
  void parametersShouldDecodeEncodedWordsWhenSendersPutThemInQuotedValues() {
    MimePart p = root("Content-Type: application/pdf; name=\"=?utf-8?q?r=C3=A9sum=C3=A9.pdf?=\"");
    assertThat(p.parameters()).containsEntry("name", "résumé.pdf");
  }

  @Test
  void typeShouldBeLowerCaseWhenHeaderIsUpperCase() {
    MimePart p = root("CONTENT-TYPE: Text/HTML ; Charset = \"ISO-8859-1\" (comment)");
    assertThat(p.mediaType()).isEqualTo("text");
    assertThat(p.mediaSubtype()).isEqualTo("html");
    assertThat(p.parameters()).containsEntry("charset", "ISO-8859-1");
  }

  @Test
  void typeShouldDefaultWhenContentTypeIsInvalid() {
    MimePart p = root("Content-Type: garbage; charset=utf-8");
    assertThat(p.mediaType()).isEqualTo("text");
    assertThat(p.mediaSubtype()).isEqualTo("plain");
    assertThat(p.parameters()).containsEntry("charset", "us-ascii");
  }

  @Test
  void encodingShouldDefaultTo7bitWhenValueIsInvalid() {
    assertThat(root("Content-Transfer-Encoding: ?bad").contentTransferEncoding()).isEqualTo("7bit");
    assertThat(root("Content-Transfer-Encoding: Base64").contentTransferEncoding())
        .isEqualTo("base64");
  }

  @Test
  void firstFieldShouldWinWhenContentTypeRepeats() {
    MimePart p = root("Content-Type: text/html\nContent-Type: image/png");
    assertThat(p.mediaSubtype()).isEqualTo("html");
  }
}
