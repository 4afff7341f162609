package org.carbonio.imap.protocol;

import java.util.LinkedHashMap;
import java.util.Map;
import org.carbonio.mime.ParsedMessage;
import org.carbonio.mime.TextExtractor;

/**
 * Message previews for FETCH PREVIEW (RFC 8970): the first text a reader sees (from the first
 * readable text part, HTML converted, as {@link TextExtractor} finds it), whitespace collapsed to
 * single spaces, at most {@value #MAX_CHARS} characters. Keeps the last {@value #CACHE_SIZE}
 * previews of a session.
 *
 * <p>Not thread-safe: confine to one connection.
 */
final class Preview {
  /** RFC 8970 §3: a preview holds at most 256 characters. */
  static final int MAX_CHARS = 256;

  /** Previews kept per session. */
  static final int CACHE_SIZE = 512;

  /** Messages up to this size get a preview even for PREVIEW (LAZY). */
  static final long LAZY_MAX_BYTES = 256 * 1024;

  private static final TextExtractor EXTRACTOR =
      TextExtractor.builder().maxChars(4 * MAX_CHARS).maxParts(50).build();

  private final Map<String, String> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  /** The cached preview of a message, or null. */
  String cached(String mailbox, long uidValidity, long uid) {
    return cache.get(key(mailbox, uidValidity, uid));
  }

  /** Computes (and caches) the preview of a message. */
  String compute(String mailbox, long uidValidity, long uid, ParsedMessage message) {
    String p = of(message);
    cache.put(key(mailbox, uidValidity, uid), p);
    return p;
  }

  private static String key(String mailbox, long uidValidity, long uid) {
    return uidValidity + "/" + uid + "/" + mailbox;
  }

  /** The preview of a parsed message: never null, possibly empty. */
  static String of(ParsedMessage message) {
    return normalize(EXTRACTOR.extract(message).body());
  }

  /**
   * Collapses whitespace and control characters, trims, and cuts at {@value #MAX_CHARS} code
   * points.
   */
  static String normalize(String text) {
    StringBuilder sb = new StringBuilder(Math.min(text.length(), 4 * MAX_CHARS));
    int chars = 0;
    boolean space = false;
    for (int i = 0; i < text.length() && chars < MAX_CHARS; ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) continue; // a lone surrogate
      if (Character.isWhitespace(cp)
          || Character.isISOControl(cp)
          || Character.isSpaceChar(cp)
          || cp == 0xFEFF) {
        space = sb.length() > 0;
        continue;
      }
      if (space) {
        if (chars + 2 > MAX_CHARS) break; // no trailing space
        sb.append(' ');
        chars++;
        space = false;
      }
      sb.appendCodePoint(cp);
      chars++;
    }
    return sb.toString();
  }
}
