package org.carbonio.mime.internal;

/** Strings for exception messages. Thread-safe (stateless). */
public final class Texts {

  private Texts() {}

  /** The value truncated to 64 chars with control characters escaped as {@code \\uXXXX}. */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder();
    int n = Math.min(s.length(), 64);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (s.length() > n) {
      b.append("...");
    }
    return b.toString();
  }
}
