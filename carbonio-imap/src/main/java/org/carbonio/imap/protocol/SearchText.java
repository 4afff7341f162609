package org.carbonio.imap.protocol;

import java.nio.charset.StandardCharsets;
import org.carbonio.mime.ByteRange;
import org.carbonio.mime.EncodedWords;
import org.carbonio.mime.ParsedMessage;
import org.carbonio.mime.TextExtractor;

/**
 * SEARCH BODY and TEXT by scanning one message (RFC 3501 §6.4.4), when the backend has no index:
 * the string matches the raw body, or the decoded text of its text parts (base64 and
 * quoted-printable undone, charsets decoded, HTML turned to text, by carbonio-mime's {@link
 * TextExtractor}); for TEXT also the header with RFC 2047 encoded words decoded. Comparison is
 * {@code i;unicode-casemap} (RFC 5255 §4). Package-private; stateless.
 */
final class SearchText {
  private SearchText() {}

  private static final TextExtractor EXTRACTOR = TextExtractor.builder().build();

  static boolean body(MessageData d, String needle) {
    if (needle.isEmpty()) return true;
    ParsedMessage pm = d.parsed();
    ByteRange r = pm.root().body();
    String raw = new String(pm.bytes(), r.start(), r.length(), StandardCharsets.UTF_8);
    if (UnicodeCasemap.contains(raw, needle)) return true;
    return UnicodeCasemap.contains(EXTRACTOR.extract(pm).body(), needle);
  }

  static boolean text(MessageData d, String needle) {
    if (needle.isEmpty()) return true;
    ParsedMessage pm = d.parsed();
    ByteRange h = pm.root().header();
    String header = new String(pm.bytes(), h.start(), h.length(), StandardCharsets.UTF_8);
    if (UnicodeCasemap.contains(header, needle)) return true;
    if (UnicodeCasemap.contains(EncodedWords.decode(header), needle)) return true;
    return body(d, needle);
  }
}
