package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * Immutable: a FETCH body section (RFC 3501 §6.4.5), e.g. {@code 1.2.HEADER.FIELDS (From)}.
 *
 * @param part the part path ({@code 1.2} → [1, 2]); empty for the whole message
 * @param text what of the part
 * @param fields header field names for HEADER.FIELDS (.NOT), upper-cased
 */
public record Section(List<Integer> part, Text text, List<String> fields) {
  public Section {
    part = List.copyOf(part);
    requireNonNull(text, "text");
    fields = List.copyOf(fields);
  }

  /** The section-text kinds. */
  public enum Text {
    /** The whole part (or message). */
    ALL,
    HEADER,
    HEADER_FIELDS,
    HEADER_FIELDS_NOT,
    TEXT,
    MIME
  }

  /** The section as echoed in a FETCH response, e.g. {@code 1.HEADER.FIELDS (FROM)}. */
  public String spec() {
    StringBuilder sb = new StringBuilder();
    for (int p : part) {
      if (!sb.isEmpty()) sb.append('.');
      sb.append(p);
    }
    if (text != Text.ALL) {
      if (!sb.isEmpty()) sb.append('.');
      sb.append(text.name().replace('_', '.'));
      if (text == Text.HEADER_FIELDS || text == Text.HEADER_FIELDS_NOT) {
        sb.append(" (").append(String.join(" ", fields)).append(')');
      }
    }
    return sb.toString();
  }

  /** Parses the text between brackets; returns null when malformed. */
  static Section parse(String s) {
    List<Integer> part = new java.util.ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n && Character.isDigit(s.charAt(i))) {
      int j = i;
      while (j < n && Character.isDigit(s.charAt(j))) j++;
      if (j - i > 9) return null;
      int v = Integer.parseInt(s.substring(i, j));
      if (v == 0) return null;
      part.add(v);
      i = j;
      if (i < n) {
        if (s.charAt(i) != '.') return null;
        i++;
        if (i == n) return null;
      }
    }
    String rest = s.substring(i).trim();
    String upper = rest.toUpperCase(Locale.ROOT);
    if (upper.isEmpty()) return new Section(part, Text.ALL, List.of());
    if (upper.equals("HEADER")) return new Section(part, Text.HEADER, List.of());
    if (upper.equals("TEXT")) return new Section(part, Text.TEXT, List.of());
    if (upper.equals("MIME"))
      return part.isEmpty() ? null : new Section(part, Text.MIME, List.of());
    Text kind;
    String list;
    if (upper.startsWith("HEADER.FIELDS.NOT")) {
      kind = Text.HEADER_FIELDS_NOT;
      list = rest.substring(17).trim();
    } else if (upper.startsWith("HEADER.FIELDS")) {
      kind = Text.HEADER_FIELDS;
      list = rest.substring(13).trim();
    } else {
      return null;
    }
    if (!list.startsWith("(") || !list.endsWith(")")) return null;
    List<String> fields = new java.util.ArrayList<>();
    for (String f : list.substring(1, list.length() - 1).trim().split("\\s+")) {
      if (f.length() >= 2 && f.startsWith("\"") && f.endsWith("\"")) {
        f = f.substring(1, f.length() - 1);
      }
      if (f.isEmpty()) continue;
      for (int k = 0; k < f.length(); k++) {
        char c = f.charAt(k);
        if (c <= ' ' || c >= 127 || c == ':') return null;
      }
      fields.add(f.toUpperCase(Locale.ROOT));
    }
    if (fields.isEmpty()) return null;
    return new Section(part, kind, fields);
  }
}
