package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Every reader of a {@link ParsedMessage} gives the same answer for a message mapped from a file
 * (no {@code byte[]} behind it) as for the same bytes in an array: text extraction, thread keys,
 * replies, forwards and Jakarta Mail conversion, over the golden set of the corpus.
 */
class FileBackedMessageTest {

  private static final OffsetDateTime DATE = OffsetDateTime.parse("2026-11-28T10:00:00Z");

  @Test
  void readersShouldAgreeWhenMessageIsMappedFromFile() throws Exception {
    Session session = Session.getInstance(new Properties());
    TextExtractor extractor = TextExtractor.builder().build();
    int checked = 0;
    for (GoldenSnapshots.Entry e : GoldenSnapshots.index()) {
      Path file = Corpus.dir().resolve(e.corpusPath());
      ParsedMessage inArray = ParsedMessage.parse(Files.readAllBytes(file));
      ParsedMessage mapped = ParsedMessage.parse(file);

      assertThat(extractor.extract(mapped)).as(e.name()).isEqualTo(extractor.extract(inArray));
      assertThat(ThreadKeys.of(mapped)).as(e.name()).isEqualTo(ThreadKeys.of(inArray));
      assertThat(reply(mapped)).as(e.name()).isEqualTo(reply(inArray));
      assertThat(forwardedCopy(mapped))
          .as(e.name())
          .isEqualTo(ParsedMessage.toCrlf(Files.readAllBytes(file)));
      MimeMessage fromMapped = JakartaMail.toMimeMessage(mapped, session);
      MimeMessage fromArray = JakartaMail.toMimeMessage(inArray, session);
      assertThat(fromMapped.getSize()).as(e.name()).isEqualTo(fromArray.getSize());
      assertThat(fromMapped.getHeader("Subject", ","))
          .isEqualTo(fromArray.getHeader("Subject", ","));
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(60);
  }

  private static String reply(ParsedMessage original) {
    return new String(fixed().replyTo(original, true).text("ok").build(), ISO_8859_1);
  }

  /** The message/rfc822 part of a forward as attachment. */
  private static byte[] forwardedCopy(ParsedMessage original) throws Exception {
    ParsedMessage fwd = ParsedMessage.parse(fixed().forward(original, true).text("fyi").build());
    MimePart attached = fwd.part(List.of(2)).orElseThrow();
    assertThat(attached.mediaType() + "/" + attached.mediaSubtype()).isEqualTo("message/rfc822");
    try (var in = fwd.decodedBody(attached)) {
      return in.readAllBytes();
    }
  }

  private static MessageBuilder fixed() {
    return new MessageBuilder()
        .utf8Headers(true) // some corpus senders have 8-bit local parts (RFC 6532)
        .from("me@example.org")
        .to("you@example.org")
        .date(DATE)
        .messageId("fixed@example.org");
  }
}
