package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartPathTest {

  // RFC 3501 §6.4.5 example layout, abridged
  static final String NESTED =
      """
      Subject: top
      Content-Type: MULTIPART/MIXED; boundary=outer

      --outer
      Content-Type: TEXT/PLAIN

      part 1
      --outer
      Content-Type: APPLICATION/OCTET-STREAM

      part 2
      --outer
      Content-Type: MESSAGE/RFC822

      Subject: inner
      Content-Type: MULTIPART/MIXED; boundary=inner

      --inner
      Content-Type: TEXT/PLAIN

      part 3.1
      --inner
      Content-Type: APPLICATION/OCTET-STREAM

      part 3.2
      --inner--
      --outer
      Content-Type: MESSAGE/RFC822

      Subject: single

      part 4.1
      --outer--
      """;

  private final ParsedMessage m = ParsedMessage.parse(Msg.crlf(NESTED));

  private String body(Integer... path) {
    return Msg.str(m.bytes(), m.part(List.of(path)).orElseThrow().body());
  }

  @Test
  void partShouldFollowRfc3501NumberingWhenMessageIsNested() {
    assertThat(body(1)).isEqualTo("part 1");
    assertThat(body(2)).isEqualTo("part 2");
    assertThat(body(3, 1)).isEqualTo("part 3.1");
    assertThat(body(3, 2)).isEqualTo("part 3.2");
    assertThat(body(4, 1)).isEqualTo("part 4.1");
    assertThat(body(4)).isEqualTo("Subject: single\r\n\r\npart 4.1");
  }

  @Test
  void partShouldExposeMimeHeaderWhenChildHasOne() {
    MimePart p = m.part(List.of(2)).orElseThrow();
    assertThat(Msg.str(m.bytes(), p.header()))
        .isEqualTo("Content-Type: APPLICATION/OCTET-STREAM\r\n\r\n");
    assertThat(p.mediaType()).isEqualTo("application");
    assertThat(p.mediaSubtype()).isEqualTo("octet-stream");
  }

  @Test
  void embeddedMessageShouldHaveNestedHeaderWhenPartIsMessage() {
    MimePart p = m.part(List.of(3)).orElseThrow();
    MimePart inner = p.embeddedMessage().orElseThrow();
    assertThat(Msg.str(m.bytes(), inner.header())).startsWith("Subject: inner\r\n");
    assertThat(inner.whole()).isEqualTo(p.body());
    assertThat(HeaderFields.first(m.bytes(), inner.header(), "subject")).hasValue("inner");
  }

  @Test
  void partShouldBeEmptyWhenNumberDoesNotExist() {
    assertThat(m.part(List.of(5))).isEmpty();
    assertThat(m.part(List.of(0))).isEmpty();
    assertThat(m.part(List.of(1, 1))).isEmpty();
    assertThat(m.part(List.of(4, 2))).isEmpty();
    assertThat(m.part(List.of(3, 3))).isEmpty();
  }

  @Test
  void emptyPathShouldBeWholeMessage() {
    assertThat(m.part(List.of()).orElseThrow().whole())
        .isEqualTo(new ByteRange(0, m.bytes().length));
  }

  @Test
  void partOneShouldBeBodyWhenMessageIsNotMultipart() {
    ParsedMessage single = ParsedMessage.parse(Msg.crlf("Subject: s\n\nthe body\n"));
    MimePart p = single.part(List.of(1)).orElseThrow();
    assertThat(Msg.str(single.bytes(), p.body())).isEqualTo("the body\r\n");
    assertThat(p.header().isEmpty()).isTrue();
    assertThat(p.header().start()).isEqualTo(p.body().start());
    assertThat(single.part(List.of(2))).isEmpty();
    assertThat(single.part(List.of(1, 1))).isEmpty();
  }

  @Test
  void partShouldHaveBlankLineHeaderWhenChildHasNoFields() {
    ParsedMessage msg =
        ParsedMessage.parse(
            Msg.crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n"));
    MimePart p = msg.part(List.of(1)).orElseThrow();
    assertThat(Msg.str(msg.bytes(), p.header())).isEqualTo("\r\n");
    assertThat(p.parameters()).containsEntry("charset", "us-ascii");
  }
}
