package org.carbonio.smtp.outbound;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1). Immutable.
 *
 * @param esmtp false after a HELO fallback (no extensions at all)
 * @param keywords upper-case keyword to its parameters ({@code ""} when none)
 */
record Ehlo(boolean esmtp, Map<String, String> keywords) {

  static final Ehlo NONE = new Ehlo(false, Map.of());

  Ehlo {
    keywords = Map.copyOf(keywords);
  }

  /** Parses the lines of a 250 reply to EHLO; the first line is the server's name. */
  static Ehlo parse(Reply reply) {
    Map<String, String> map = new HashMap<>();
    List<String> lines = reply.lines();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      int sp = line.indexOf(' ');
      String key = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
      String params = sp < 0 ? "" : line.substring(sp + 1).strip();
      map.putIfAbsent(key, params);
    }
    return new Ehlo(true, map);
  }

  boolean has(String keyword) {
    return keywords.containsKey(keyword);
  }

  /** The SIZE limit (RFC 1870 §4), 0 when unlimited or not announced. */
  long maxSize() {
    String v = keywords.get("SIZE");
    if (v == null || v.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(v.split(" ")[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The SASL mechanisms of AUTH (RFC 4954 §3), upper case. */
  Set<String> authMechanisms() {
    String v = keywords.get("AUTH");
    if (v == null || v.isEmpty()) {
      return Set.of();
    }
    return Arrays.stream(v.toUpperCase(Locale.ROOT).split("\\s+"))
        .collect(Collectors.toUnmodifiableSet());
  }
}
