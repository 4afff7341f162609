package org.carbonio.mime.internal;

import java.nio.charset.StandardCharsets;

/**
 * Writes IMAP strings (RFC 3501 §4.3) into a byte string (one char per octet). Thread-safe
 * (stateless).
 */
public final class ImapStrings {

  private ImapStrings() {}

  /** Appends {@code NIL} when {@code s} is null, else {@link #string}. */
  public static void nstring(StringBuilder out, String s) {
    if (s == null) {
      out.append("NIL");
    } else {
      string(out, s);
    }
  }

  /**
   * Appends {@code s} as a quoted string, or as a literal {@code {n}\r\n...} when it holds CR, LF
   * or 8-bit octets (RFC 3501 §4.3). NUL octets are dropped: no IMAP string may hold them.
   */
  public static void string(StringBuilder out, String s) {
    boolean literal = false;
    boolean nul = false;
    boolean escape = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > 0xff) {
        // text beyond one octet per char: written as its UTF-8 octets, looked at again
        string(out, new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        return;
      }
      if (c == 0) {
        nul = true;
      } else if (c == '\r' || c == '\n' || c > 0x7f) {
        literal = true;
      } else if (c == '"' || c == '\\') {
        escape = true;
      }
    }
    if (nul) {
      s = s.replace("\0", "");
    }
    if (literal) {
      out.append('{').append(s.length()).append("}\r\n").append(s);
      return;
    }
    out.append('"');
    if (!escape) {
      out.append(s); // the common case: appended whole
    } else {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          out.append('\\');
        }
        out.append(c);
      }
    }
    out.append('"');
  }
}
