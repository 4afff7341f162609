package org.carbonio.imap.protocol;

import java.nio.charset.StandardCharsets;

/** String helpers for the wire format. Package-private; stateless. */
final class Texts {
  private Texts() {}

  /** For error messages: truncated to 40 chars, control characters escaped. */
  static String sanitize(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 40; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
      else sb.append(c);
    }
    if (s.length() > 40) sb.append("...");
    return sb.toString();
  }

  /** A string as quoted (when possible) or literal, or NIL for null (RFC 3501 §4.3). */
  static String nstring(String s) {
    if (s == null) return "NIL";
    boolean quotable = s.length() < 1000;
    for (int i = 0; i < s.length() && quotable; i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n' || c == 0 || c > 0x7e) quotable = false;
    }
    if (quotable) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return "{" + b.length + "}\r\n" + s;
  }

  /** An astring for mailbox names: atom-safe names go bare only when simple, else quoted. */
  static String mailbox(String unicodeName) {
    return nstring(ModifiedUtf7.encode(unicodeName));
  }

  /**
   * A mailbox name for a UTF8=ACCEPT session (RFC 6855 §3): UTF-8, quoted unless it holds CR, LF or
   * NUL (then a literal).
   */
  static String utf8Mailbox(String unicodeName) {
    boolean quotable = unicodeName.length() < 1000;
    for (int i = 0; i < unicodeName.length() && quotable; i++) {
      char c = unicodeName.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) quotable = false;
    }
    if (!quotable) return nstring(unicodeName);
    return "\"" + unicodeName.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
