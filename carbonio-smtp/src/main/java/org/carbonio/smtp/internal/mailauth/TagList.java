package org.carbonio.smtp.internal.mailauth;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses tag=value lists (RFC 6376 §3.2), used by DKIM, ARC and DMARC. Immutable. */
public final class TagList {
  private TagList() {}

  /**
   * The tags in order, values with surrounding whitespace removed.
   *
   * @throws IllegalArgumentException on a tag without "=", a bad tag name, or a duplicate tag
   */
  public static Map<String, String> parse(String text) {
    Map<String, String> tags = new LinkedHashMap<>();
    String unfolded = text.replace("\r\n", "").replace("\n", "");
    for (String part : unfolded.split(";", -1)) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("tag without '=': " + Names.shorten(part));
      }
      String name = part.substring(0, eq).strip();
      if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("bad tag name: " + Names.shorten(name));
      }
      if (tags.putIfAbsent(name, part.substring(eq + 1).strip()) != null) {
        throw new IllegalArgumentException("duplicate tag " + name);
      }
    }
    return tags;
  }

  /** The value with all whitespace removed (for base64 values such as b= and bh=). */
  public static String compact(String value) {
    return value == null ? null : value.replaceAll("[ \t\r\n]", "");
  }
}
