package org.carbonio.smtp.abuse;

/** Quoting of untrusted text in messages: truncated, control characters escaped. */
final class Texts {
  private Texts() {}

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    int n = Math.min(s.length(), 64);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7F) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (s.length() > n) {
      sb.append("...");
    }
    return sb.append('"').toString();
  }
}
