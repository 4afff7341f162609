package org.carbonio.imap.protocol;

import java.text.Normalizer;

/**
 * The {@code i;unicode-casemap} comparator (RFC 5051), the default of IMAP I18NLEVEL=1 (RFC 5255
 * §4) for SEARCH substring matching, SORT keys and THREAD subjects. Stateless and thread-safe.
 *
 * <p>RFC 5051 §2: each character is mapped to its simple titlecase form (UnicodeData.txt field 14,
 * which is {@link Character#toTitleCase(int)}), the result is put in canonical decomposition form
 * (NFD), and the resulting strings are compared as UTF-8 octets, which is code point order.
 */
public final class UnicodeCasemap {
  private UnicodeCasemap() {}

  /**
   * The comparison key of a string: titlecased per code point, then NFD (RFC 5051 §2 steps 1-2).
   */
  public static String key(String s) {
    if (isAscii(s)) {
      // ASCII fast path: titlecase of a-z is A-Z, and ASCII is already in NFD
      boolean lower = false;
      for (int i = 0; i < s.length() && !lower; i++)
        lower = s.charAt(i) >= 'a' && s.charAt(i) <= 'z';
      if (!lower) return s;
      char[] c = s.toCharArray();
      for (int i = 0; i < c.length; i++) if (c[i] >= 'a' && c[i] <= 'z') c[i] -= 32;
      return new String(c);
    }
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> sb.appendCodePoint(Character.toTitleCase(cp)));
    String nfd = Normalizer.normalize(sb, Normalizer.Form.NFD);
    // Decomposition can expose characters whose titlecase differs (none in current Unicode data,
    // but apply the mapping once more so the key is a fixed point).
    StringBuilder again = new StringBuilder(nfd.length());
    nfd.codePoints().forEach(cp -> again.appendCodePoint(Character.toTitleCase(cp)));
    return again.toString();
  }

  /** Orders two keys (from {@link #key}) as their UTF-8 octets would be ordered (code points). */
  public static int compareKeys(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) return Integer.compare(x, y);
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** Orders two strings under {@code i;unicode-casemap} (RFC 4790 ordering operation). */
  public static int compare(String a, String b) {
    return compareKeys(key(a), key(b));
  }

  /** Whether {@code a} and {@code b} are equal under the comparator (RFC 4790 equality). */
  public static boolean equal(String a, String b) {
    return key(a).equals(key(b));
  }

  /**
   * Whether {@code needle} occurs in {@code haystack} under the comparator (RFC 4790 substring
   * operation, as SEARCH uses it, RFC 5255 §4). The empty needle matches everything.
   */
  public static boolean contains(String haystack, String needle) {
    if (needle.isEmpty()) return true;
    return key(haystack).contains(key(needle));
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
    return true;
  }
}
