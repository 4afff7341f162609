package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderFieldsTest {

  private final byte[] msg =
      Msg.crlf("From: a@x\nSubject: one\n two\nTo: b@y\nX-Thing : v\nsubject: again\n\nbody\n");
  private final ByteRange header = ParsedMessage.parse(msg).root().header();

  @Test
  void selectShouldReturnMatchingFieldsWithContinuationsWhenIncluding() {
    byte[] out = HeaderFields.select(msg, header, List.of("SUBJECT", "x-thing"), false);
    assertThat(new String(out, java.nio.charset.StandardCharsets.ISO_8859_1))
        .isEqualTo("Subject: one\r\n two\r\nX-Thing : v\r\nsubject: again\r\n\r\n");
  }

  @Test
  void selectShouldReturnOtherFieldsWhenExcluding() {
    byte[] out = HeaderFields.select(msg, header, List.of("subject", "x-thing"), true);
    assertThat(new String(out, java.nio.charset.StandardCharsets.ISO_8859_1))
        .isEqualTo("From: a@x\r\nTo: b@y\r\n\r\n");
  }

  @Test
  void selectShouldReturnBlankLineWhenNothingMatches() {
    assertThat(HeaderFields.select(msg, header, List.of("cc"), false)).containsExactly('\r', '\n');
  }

  @Test
  void selectShouldEndFieldWithCrlfWhenDataEndsInsideHeader() {
    byte[] m = Msg.raw("Subject: x");
    byte[] out = HeaderFields.select(m, new ByteRange(0, m.length), List.of("subject"), false);
    assertThat(new String(out, java.nio.charset.StandardCharsets.ISO_8859_1))
        .isEqualTo("Subject: x\r\n\r\n");
  }

  @Test
  void firstShouldUnfoldValueWhenFieldIsFolded() {
    assertThat(HeaderFields.first(msg, header, "Subject")).hasValue("one two");
    assertThat(HeaderFields.first(msg, header, "x-thing")).hasValue("v");
    assertThat(HeaderFields.first(msg, header, "cc")).isEmpty();
  }
}
