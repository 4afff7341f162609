package org.carbonio.mime.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.carbonio.mime.Charsets;

/**
 * Parses structured MIME header values of the form {@code value *(";" name "=" value)}
 * (Content-Type, Content-Disposition; RFC 2045 §5.1, RFC 2183) leniently. Thread-safe.
 */
public final class HeaderParams {

  /**
   * A parsed value.
   *
   * @param value the leading value, lower-cased and trimmed ("text/plain", "attachment")
   * @param raw parameters as {name, value} pairs in header order, RFC 2231 continuations merged but
   *     extended values left encoded (names lower-cased; an extended parameter keeps its trailing
   *     '*'), as RFC 3501 servers report them in BODYSTRUCTURE
   * @param decoded parameters with RFC 2231 and RFC 2047 encodings decoded, lower-case names
   */
  public record Parsed(String value, List<String[]> raw, Map<String, String> decoded) {}

  private HeaderParams() {}

  /** Parses {@code s}, a byte string (one char per octet). Never throws. */
  public static Parsed parse(String s) {
    int[] pos = {0};
    int n = s.length();
    StringBuilder v = new StringBuilder();
    pos[0] = plainRunEnd(s, 0, true);
    v.append(s, 0, pos[0]); // what the loop would copy char by char, in one go
    while (pos[0] < n && s.charAt(pos[0]) != ';') {
      char c = s.charAt(pos[0]);
      if (c == '(') {
        skipComment(s, pos);
        continue;
      }
      if (c == '"') {
        v.append(quoted(s, pos));
        continue;
      }
      if (c != ' ' && c != '\t') {
        v.append(c);
      }
      pos[0]++;
    }
    List<String[]> plain = new ArrayList<>();
    while (pos[0] < n) {
      pos[0]++; // ';'
      skipWs(s, pos);
      int nameStart = pos[0];
      while (pos[0] < n && "=;".indexOf(s.charAt(pos[0])) < 0) {
        pos[0]++;
      }
      String name = s.substring(nameStart, pos[0]).trim().toLowerCase(Locale.ROOT);
      String value = "";
      boolean assigned = pos[0] < n && s.charAt(pos[0]) == '=';
      if (assigned) {
        pos[0]++;
        skipWs(s, pos);
        StringBuilder sb = new StringBuilder();
        int keep = 0; // quoted text is kept verbatim, trailing blanks included
        int runEnd = plainRunEnd(s, pos[0], false);
        sb.append(s, pos[0], runEnd); // what the loop would copy char by char, in one go
        pos[0] = runEnd;
        while (pos[0] < n && s.charAt(pos[0]) != ';') {
          char c = s.charAt(pos[0]);
          if (c == '"' && sb.isEmpty()) {
            // RFC 2045 §5.1: value := token / quoted-string; what follows the quoted string
            // before the next ';' is no part of the value
            sb.append(quoted(s, pos));
            keep = sb.length();
            while (pos[0] < n && s.charAt(pos[0]) != ';') {
              pos[0]++;
            }
          } else if (c == '"') {
            sb.append(quoted(s, pos));
            keep = sb.length();
          } else if (c == '(') {
            skipComment(s, pos);
          } else {
            sb.append(c);
            pos[0]++;
          }
        }
        int e = sb.length();
        while (e > keep && (sb.charAt(e - 1) == ' ' || sb.charAt(e - 1) == '\t')) {
          e--;
        }
        value = sb.substring(0, e);
      }
      // RFC 2045 §5.1: parameter := attribute "=" value; a bare token is no parameter
      if (assigned && isToken(name)) {
        plain.add(new String[] {name, value});
      }
    }
    return new Parsed(v.toString().toLowerCase(Locale.ROOT), mergeRaw(plain), decode(plain));
  }

  /**
   * The end of the run from {@code from} of chars that the parse loops would copy one by one: up to
   * the first ';', '(' or '"' (and blank, when {@code stopAtBlank}) or the end.
   */
  private static int plainRunEnd(String s, int from, boolean stopAtBlank) {
    int i = from;
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ';' || c == '(' || c == '"' || (stopAtBlank && (c == ' ' || c == '\t'))) {
        break;
      }
    }
    return i;
  }

  /** True when {@code s} is a non-empty RFC 2045 token. */
  public static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80 || !TOKEN_CHARS[c]) {
        return false;
      }
    }
    return true;
  }

  // RFC 2045 §5.1: token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>
  private static final boolean[] TOKEN_CHARS = new boolean[0x80];

  static {
    for (char c = '!'; c < 0x7f; c++) {
      TOKEN_CHARS[c] = "()<>@,;:\\\"/[]?=".indexOf(c) < 0;
    }
  }

  // RFC 2231 §3: name*0, name*1, ... are continuations; a trailing '*' marks an extended value
  private static List<String[]> mergeRaw(List<String[]> plain) {
    if (noStar(plain)) {
      // no continuations nor extended values: the first parameter of each name, in order
      List<String[]> result = new ArrayList<>(plain.size());
      for (String[] p : plain) {
        if (indexOfName(result, p[0]) < 0) {
          result.add(p);
        }
      }
      return result;
    }
    Map<String, String[]> out = new LinkedHashMap<>();
    Map<String, TreeMap<Integer, String>> parts = new LinkedHashMap<>();
    Map<String, Boolean> extended = new LinkedHashMap<>();
    for (String[] p : plain) {
      Section s = section(p[0]);
      if (s == null) {
        out.putIfAbsent(p[0], p);
        continue;
      }
      parts.computeIfAbsent(s.base, k -> new TreeMap<>()).putIfAbsent(s.index, p[1]);
      if (s.index == 0) {
        extended.put(s.base, s.extended);
      }
      out.putIfAbsent("\0" + s.base, null);
    }
    List<String[]> result = new ArrayList<>();
    for (Map.Entry<String, String[]> e : out.entrySet()) {
      if (e.getValue() != null) {
        result.add(e.getValue());
        continue;
      }
      String base = e.getKey().substring(1);
      StringBuilder sb = new StringBuilder();
      parts.get(base).values().forEach(sb::append);
      boolean ext = extended.getOrDefault(base, false);
      result.add(new String[] {ext ? base + "*" : base, sb.toString()});
    }
    return result;
  }

  private static boolean noStar(List<String[]> params) {
    for (String[] p : params) {
      if (p[0].indexOf('*') >= 0) {
        return false;
      }
    }
    return true;
  }

  private static int indexOfName(List<String[]> params, String name) {
    for (int i = 0; i < params.size(); i++) {
      if (params.get(i)[0].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static Map<String, String> decode(List<String[]> plain) {
    Map<String, String> out = new LinkedHashMap<>();
    if (noStar(plain)) {
      // no RFC 2231 sections nor extended values: only RFC 2047 words to decode
      for (String[] p : plain) {
        out.putIfAbsent(p[0], Rfc2047.decode(p[1]));
      }
      return out;
    }
    Map<String, TreeMap<Integer, String[]>> parts = new LinkedHashMap<>();
    Map<String, String> extendedSingle = new LinkedHashMap<>();
    for (String[] p : plain) {
      Section s = section(p[0]);
      if (s != null) {
        parts
            .computeIfAbsent(s.base, k -> new TreeMap<>())
            .putIfAbsent(s.index, new String[] {s.extended ? "*" : "", p[1]});
      } else if (p[0].endsWith("*") && p[0].length() > 1) {
        extendedSingle.putIfAbsent(p[0].substring(0, p[0].length() - 1), p[1]);
      } else if (!out.containsKey(p[0])) {
        out.put(p[0], Rfc2047.decode(p[1]));
      }
    }
    for (Map.Entry<String, TreeMap<Integer, String[]>> e : parts.entrySet()) {
      String charset = null;
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      boolean first = true;
      for (String[] seg : e.getValue().values()) {
        String text = seg[1];
        if (seg[0].equals("*")) {
          if (first) {
            String[] ctl = splitExtended(text);
            charset = ctl[0];
            text = ctl[2];
          }
          percentDecode(text, bytes);
        } else {
          latin1(text, bytes);
        }
        first = false;
      }
      out.put(e.getKey(), decode(bytes.toByteArray(), charset));
    }
    for (Map.Entry<String, String> e : extendedSingle.entrySet()) {
      String[] ctl = splitExtended(e.getValue());
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      percentDecode(ctl[2], bytes);
      out.put(e.getKey(), decode(bytes.toByteArray(), ctl[0]));
    }
    return out;
  }

  /** RFC 2231 §4 value bytes in their declared charset (see {@link Charsets#decode}). */
  private static String decode(byte[] bytes, String charset) {
    return Charsets.decode(bytes, 0, bytes.length, charset);
  }

  /** charset'language'text; missing quotes give empty charset and language. */
  private static String[] splitExtended(String v) {
    int a = v.indexOf('\'');
    int b = a < 0 ? -1 : v.indexOf('\'', a + 1);
    if (a < 0 || b < 0) {
      return new String[] {"", "", v};
    }
    return new String[] {v.substring(0, a), v.substring(a + 1, b), v.substring(b + 1)};
  }

  private static void percentDecode(String s, ByteArrayOutputStream out) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        int h = Character.digit(s.charAt(i + 1), 16);
        int l = Character.digit(s.charAt(i + 2), 16);
        if (h >= 0 && l >= 0) {
          out.write(h * 16 + l);
          i += 2;
          continue;
        }
      }
      out.write(c & 0xff);
    }
  }

  private static void latin1(String s, ByteArrayOutputStream out) {
    for (int i = 0; i < s.length(); i++) {
      out.write(s.charAt(i) & 0xff);
    }
  }

  private record Section(String base, int index, boolean extended) {}

  private static Section section(String name) {
    boolean ext = name.endsWith("*");
    String n = ext ? name.substring(0, name.length() - 1) : name;
    int star = n.lastIndexOf('*');
    if (star <= 0 || star == n.length() - 1) {
      return null;
    }
    String digits = n.substring(star + 1);
    if (digits.length() > 4 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    return new Section(n.substring(0, star), Integer.parseInt(digits), ext);
  }

  private static String quoted(String s, int[] pos) {
    int start = pos[0] + 1;
    int i = start;
    while (i < s.length() && s.charAt(i) != '"' && s.charAt(i) != '\\') {
      i++;
    }
    if (i == s.length() || s.charAt(i) == '"') {
      pos[0] = Math.min(i + 1, s.length()); // no quoted-pair: the text as it stands
      return s.substring(start, i);
    }
    StringBuilder sb = new StringBuilder().append(s, start, i);
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        sb.append(s.charAt(i + 1));
        i += 2;
        continue;
      }
      if (c == '"') {
        i++;
        break;
      }
      sb.append(c);
      i++;
    }
    pos[0] = i;
    return sb.toString();
  }

  private static void skipComment(String s, int[] pos) {
    int depth = 0;
    int i = pos[0];
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
        if (depth == 0) {
          i++;
          break;
        }
      }
      i++;
    }
    pos[0] = Math.min(i, s.length());
  }

  private static void skipWs(String s, int[] pos) {
    while (pos[0] < s.length() && (s.charAt(pos[0]) == ' ' || s.charAt(pos[0]) == '\t')) {
      pos[0]++;
    }
  }
}
