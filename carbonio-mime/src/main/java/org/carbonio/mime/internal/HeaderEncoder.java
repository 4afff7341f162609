package org.carbonio.mime.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Header writing for composed messages: RFC 2047 encoded words, RFC 5322 phrases and quoted
 * strings, RFC 2231 parameters and folding. Thread-safe (stateless).
 */
public final class HeaderEncoder {

  /**
   * Where header lines are folded: RFC 2047 §2 allows at most 76 characters on a line that holds an
   * encoded word (RFC 5322 §2.1.1 asks for 78), so every line is kept to 76.
   */
  public static final int MAX_LINE = 76;

  /**
   * Longest encoded word we write: "Subject: " plus one word fits in a line, any word after a fold.
   */
  private static final int MAX_WORD = 66;

  private static final String HEX = "0123456789ABCDEF";

  private HeaderEncoder() {}

  /** True when every char is printable US-ASCII or a blank (no controls, nothing 8-bit). */
  public static boolean isPrintableAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** True when the string has no C0 control, DEL or C1 control (blanks and tabs are fine). */
  public static boolean hasNoControls(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f)) {
        return false;
      }
    }
    return true;
  }

  /**
   * An unstructured value (RFC 5322 §3.2.5) as written: the text itself when it survives folding
   * and unfolding unchanged, else encoded words (RFC 2047 §5 (1)) covering all of it. With {@code
   * utf8} (RFC 6532 §3.2) 8-bit text is written raw.
   */
  public static String unstructured(String text, boolean utf8) {
    if (needsEncoding(text, utf8)) {
      return String.join(" ", encodedWords(text));
    }
    return text;
  }

  /**
   * A display name (RFC 5322 §3.2.5 phrase): atoms when it is a plain run of words, a quoted string
   * when it has specials, encoded words (RFC 2047 §5 (3)) when it has 8-bit characters (unless
   * {@code utf8}, RFC 6532 §3.2) or would not survive unfolding.
   */
  public static String phrase(String name, boolean utf8) {
    if (needsEncoding(name, utf8)) {
      return String.join(" ", encodedWords(name));
    }
    if (isAtomPhrase(name, utf8)) {
      return name;
    }
    return quote(name);
  }

  private static boolean needsEncoding(String s, boolean utf8) {
    if (s.contains("=?") || !hasNoControls(s) || s.indexOf('\t') >= 0) {
      return true;
    }
    if (!s.isEmpty() && (isBlank(s.charAt(0)) || isBlank(s.charAt(s.length() - 1)))) {
      return true; // surrounding blanks would be trimmed by readers
    }
    int run = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > 0x7e && !utf8) {
        return true;
      }
      run = c == ' ' ? 0 : run + 1;
      if (run > MAX_WORD) {
        return true; // a word that long could not be folded (RFC 5322 §2.2.3)
      }
    }
    return false;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  /** Words of RFC 5322 atext (with UTF-8 under RFC 6532 §3.2) separated by single spaces. */
  private static boolean isAtomPhrase(String s, boolean utf8) {
    if (s.isEmpty() || s.startsWith(" ") || s.endsWith(" ") || s.contains("  ")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != ' ' && !isAtext(c) && !(utf8 && c >= 0x80)) {
        return false;
      }
    }
    return true;
  }

  /** RFC 5322 §3.2.3 atext (ASCII; 8-bit text under RFC 6532 is quoted instead). */
  public static boolean isAtext(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
  }

  /** RFC 5322 §3.2.4 quoted string: backslash before {@code "} and {@code \}. */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('"').toString();
  }

  /**
   * The text as UTF-8 encoded words of at most {@value #MAX_WORD} characters each (RFC 2047 §2
   * allows 75). Q when mostly ASCII, B otherwise; a word never splits a code point, so no
   * multi-byte sequence is split across words (RFC 2047 §5 (3)).
   */
  public static List<String> encodedWords(String text) {
    int plain = 0;
    for (int i = 0; i < text.length(); i++) {
      if (isQSafe(text.charAt(i))) {
        plain++;
      }
    }
    boolean q = plain * 3 >= text.length() * 2;
    List<String> words = new ArrayList<>();
    String prefix = q ? "=?UTF-8?Q?" : "=?UTF-8?B?";
    int budget = MAX_WORD - prefix.length() - 2;
    StringBuilder chunk = new StringBuilder(); // the current word's text, encoded (Q) or raw (B)
    int chunkBytes = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int n = Character.charCount(cp);
      byte[] bytes = text.substring(i, i + n).getBytes(StandardCharsets.UTF_8);
      String piece;
      int cost;
      if (q) {
        piece = qEncode(bytes);
        cost = piece.length();
      } else {
        piece = text.substring(i, i + n);
        cost = 4 * ((chunkBytes + bytes.length + 2) / 3) - 4 * ((chunkBytes + 2) / 3);
      }
      int size = q ? chunk.length() : 4 * ((chunkBytes + 2) / 3);
      if (size + cost > budget && chunkBytes > 0) {
        words.add(word(prefix, chunk, q));
        chunk.setLength(0);
        chunkBytes = 0;
      }
      chunk.append(piece);
      chunkBytes += bytes.length;
      i += n;
    }
    if (chunkBytes > 0 || words.isEmpty()) {
      words.add(word(prefix, chunk, q));
    }
    return words;
  }

  private static String word(String prefix, StringBuilder chunk, boolean q) {
    String body =
        q
            ? chunk.toString()
            : Base64.getEncoder().encodeToString(chunk.toString().getBytes(StandardCharsets.UTF_8));
    return prefix + body + "?=";
  }

  /** RFC 2047 §5 (3): the characters a Q-encoded word in a phrase may hold literally. */
  private static boolean isQSafe(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == ' '
        || "!*+-/".indexOf(c) >= 0;
  }

  private static String qEncode(byte[] bytes) {
    StringBuilder b = new StringBuilder();
    for (byte x : bytes) {
      char c = (char) (x & 0xff);
      if (c == ' ') {
        b.append('_'); // RFC 2047 §4.2 (2)
      } else if (c < 0x80 && isQSafe(c)) {
        b.append(c);
      } else {
        b.append('=').append(HEX.charAt((c >> 4) & 0xf)).append(HEX.charAt(c & 0xf));
      }
    }
    return b.toString();
  }

  /**
   * A file-name parameter, as {@code ; }-separated pieces to append after the media type or
   * disposition: {@code name="x"} for short printable ASCII, else RFC 2231 §3/§4 continuations
   * ({@code name*0*=UTF-8''...; name*1*=...}) of at most about 60 characters each.
   */
  public static List<String> rfc2231Parameter(String name, String value) {
    if (isShortPlain(value)) {
      return List.of(name + "=" + quote(value));
    }
    List<String> segments = new ArrayList<>();
    StringBuilder seg = new StringBuilder();
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      int n = Character.charCount(cp);
      String enc = percent(value.substring(i, i + n).getBytes(StandardCharsets.UTF_8));
      if (seg.length() + enc.length() > 48 && !seg.isEmpty()) {
        segments.add(seg.toString());
        seg.setLength(0);
      }
      seg.append(enc);
      i += n;
    }
    segments.add(seg.toString());
    List<String> out = new ArrayList<>();
    if (segments.size() == 1) {
      out.add(name + "*=UTF-8''" + segments.get(0));
      return out;
    }
    for (int k = 0; k < segments.size(); k++) {
      out.add(name + "*" + k + "*=" + (k == 0 ? "UTF-8''" : "") + segments.get(k));
    }
    return out;
  }

  /**
   * The value as a quoted parameter that Outlook reads: plain when short printable ASCII, else
   * encoded words inside the quotes (not standard, RFC 2047 §5 forbids it, but widely read).
   */
  public static String rfc2047Parameter(String name, String value) {
    if (isShortPlain(value)) {
      return name + "=" + quote(value);
    }
    return name + "=\"" + String.join(" ", encodedWords(value)) + "\"";
  }

  /** Printable ASCII without tabs whose quoted form fits a folded line. */
  private static boolean isShortPlain(String value) {
    return isPrintableAscii(value)
        && value.indexOf('\t') < 0
        && !value.contains("=?") // readers would decode it as an encoded word
        && quote(value).length() <= 62;
  }

  /** RFC 2231 §4: attribute-char stays, everything else is %XX. */
  private static String percent(byte[] bytes) {
    StringBuilder b = new StringBuilder();
    for (byte x : bytes) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "!#$&+-.^_`|~".indexOf(c) >= 0) {
        b.append((char) c);
      } else {
        b.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
      }
    }
    return b.toString();
  }

  /**
   * {@code name: value} folded (RFC 5322 §2.2.3) into lines of at most {@value #MAX_LINE} octets
   * where blanks allow it, with its CRLF. A fold goes before a blank that precedes a non-blank, so
   * no line is blank and unfolding (removing the CRLFs) gives the value back.
   */
  public static String fold(String name, String value) {
    String line = name + ": " + value;
    StringBuilder out = new StringBuilder(line.length() + 16);
    int lineLen = 0; // octets on the current output line
    int segStart = 0;
    int minBreak = name.length(); // a fold may follow "Name:" when the first word is too long
    for (int i = 1; i <= line.length(); i++) {
      boolean breakHere =
          i == line.length()
              || (i > minBreak
                  && isBlank(line.charAt(i))
                  && i + 1 < line.length()
                  && !isBlank(line.charAt(i + 1)));
      if (!breakHere) {
        continue;
      }
      String seg = line.substring(segStart, i);
      int segLen = utf8Length(seg);
      if (lineLen > 0 && lineLen + segLen > MAX_LINE && segStart > 0) {
        out.append("\r\n");
        lineLen = 0;
      }
      out.append(seg);
      lineLen += segLen;
      segStart = i;
    }
    return out.append("\r\n").toString();
  }

  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }

  /** Rejects names that are not RFC 5322 §3.6.8 field names. */
  public static void checkFieldName(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty header name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 33 || c > 126 || c == ':') {
        throw new IllegalArgumentException("invalid header name: " + Texts.escape(name));
      }
    }
  }
}
