package org.carbonio.smtp.internal.mailauth;

import java.util.Locale;

/** Small helpers for domain names and messages. Immutable. */
public final class Names {
  private Names() {}

  /** Lower case, no trailing dot. */
  public static String domain(String d) {
    String s = d.strip().toLowerCase(Locale.ROOT);
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** True when {@code sub} equals {@code parent} or is below it. */
  public static boolean isSubdomain(String sub, String parent) {
    String s = domain(sub);
    String p = domain(parent);
    return s.equals(p) || s.endsWith("." + p);
  }

  /** A value for an error message: at most 60 chars, control characters escaped. */
  public static String shorten(String s) {
    String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
    StringBuilder sb = new StringBuilder();
    for (char c : t.toCharArray()) {
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /**
   * The domains of the addresses in an address-list field body such as From (RFC 5322 §3.6.2), in
   * order, lower case. Comments, quoted display names and group names are skipped; an address
   * without a domain is left out.
   */
  public static java.util.List<String> addressDomains(String fieldBody) {
    java.util.List<String> out = new java.util.ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int depth = 0;
    boolean quoted = false;
    boolean angle = false;
    StringBuilder inAngle = new StringBuilder();
    for (int i = 0; i < fieldBody.length(); i++) {
      char c = fieldBody.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
        continue;
      }
      if (depth > 0) {
        if (c == '\\') {
          i++;
        } else if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        }
        continue;
      }
      switch (c) {
        case '"' -> quoted = true;
        case '(' -> depth++;
        case '<' -> {
          angle = true;
          inAngle.setLength(0);
        }
        case '>' -> {
          angle = false;
          cur.setLength(0);
          cur.append(inAngle);
          inAngle.setLength(0);
          cur.append('>'); // mark: the addr-spec was in angle brackets
        }
        case ',' -> {
          if (!angle) {
            addDomain(cur, out);
            cur.setLength(0);
          } else {
            inAngle.append(c);
          }
        }
        default -> {
          if (angle) {
            inAngle.append(c);
          } else if (cur.isEmpty() || cur.charAt(cur.length() - 1) != '>') {
            cur.append(c);
          }
        }
      }
    }
    addDomain(cur, out);
    return out;
  }

  private static void addDomain(StringBuilder cur, java.util.List<String> out) {
    String s = cur.toString().replace(">", "").strip();
    if (s.endsWith(";")) {
      s = s.substring(0, s.length() - 1); // group syntax end
    }
    int colon = s.indexOf(':');
    if (colon >= 0) {
      s = s.substring(colon + 1).strip(); // group "name: addr"
    }
    int at = s.lastIndexOf('@');
    if (at <= 0 || at == s.length() - 1) {
      return;
    }
    String d = s.substring(at + 1).strip();
    if (d.startsWith("[") || d.isEmpty() || d.contains(" ")) {
      return;
    }
    out.add(domain(d));
  }
}
