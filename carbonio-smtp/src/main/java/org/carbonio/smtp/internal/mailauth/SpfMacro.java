package org.carbonio.smtp.internal.mailauth;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** SPF macro expansion (RFC 7208 §7). Immutable. */
public final class SpfMacro {
  private SpfMacro() {}

  /** The values the macro letters stand for. */
  public interface Context {
    /** The value of {@code letter} (lower case); "p" may do DNS lookups. */
    String value(char letter);
  }

  /**
   * Checks the syntax of a macro-string without expanding it.
   *
   * @param explain true for an explain-string (exp= text), which allows c, r, t and spaces
   */
  public static void validate(String s, boolean explain) throws SpfSyntaxException {
    expand(s, explain, letter -> "x");
  }

  /**
   * Expands a macro-string.
   *
   * @throws SpfSyntaxException on bad syntax; nothing else, whatever the input
   */
  public static String expand(String s, boolean explain, Context ctx) throws SpfSyntaxException {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != '%') {
        if (c == ' ' && explain) {
          out.append(c);
        } else if (c < 0x21 || c > 0x7e) {
          throw new SpfSyntaxException("bad character in macro-string: " + Names.shorten(s));
        } else {
          out.append(c);
        }
        i++;
        continue;
      }
      if (i + 1 >= s.length()) {
        throw new SpfSyntaxException("'%' at end: " + Names.shorten(s));
      }
      char n = s.charAt(i + 1);
      switch (n) {
        case '%' -> out.append('%');
        case '_' -> out.append(' ');
        case '-' -> out.append("%20");
        case '{' -> {
          int close = s.indexOf('}', i + 2);
          if (close < 0) {
            throw new SpfSyntaxException("unclosed macro: " + Names.shorten(s));
          }
          out.append(macro(s.substring(i + 2, close), explain, ctx));
          i = close + 1;
          continue;
        }
        default -> throw new SpfSyntaxException("bad macro '%" + n + "': " + Names.shorten(s));
      }
      i += 2;
    }
    return out.toString();
  }

  private static String macro(String body, boolean explain, Context ctx) throws SpfSyntaxException {
    if (body.isEmpty()) {
      throw new SpfSyntaxException("empty macro");
    }
    char letter = body.charAt(0);
    char lower = Character.toLowerCase(letter);
    if ("slodiphv".indexOf(lower) < 0 && !(explain && "crt".indexOf(lower) >= 0)) {
      throw new SpfSyntaxException(
          "bad macro letter '" + Names.shorten(String.valueOf(letter)) + "'");
    }
    int j = 1;
    int digitsStart = j;
    while (j < body.length() && Character.isDigit(body.charAt(j)) && body.charAt(j) < 0x80) {
      j++;
    }
    int keep = -1;
    if (j > digitsStart) {
      String d = body.substring(digitsStart, j);
      if (d.length() > 3) {
        keep = 128; // more parts than a domain can have
      } else {
        keep = Integer.parseInt(d);
      }
      if (keep == 0) {
        throw new SpfSyntaxException("macro keeps zero parts"); // RFC 7208 §7.3
      }
    }
    boolean reverse = false;
    if (j < body.length() && (body.charAt(j) == 'r' || body.charAt(j) == 'R')) {
      reverse = true;
      j++;
    }
    String delims = body.substring(j);
    for (char d : delims.toCharArray()) {
      if (".-+,/_=".indexOf(d) < 0) {
        throw new SpfSyntaxException(
            "bad macro delimiter '" + Names.shorten(String.valueOf(d)) + "'");
      }
    }
    String value = ctx.value(lower);
    if (value == null) {
      value = "";
    }
    String result = value;
    if (keep > 0 || reverse || !delims.isEmpty()) {
      List<String> parts = split(value, delims.isEmpty() ? "." : delims);
      if (reverse) {
        Collections.reverse(parts);
      }
      if (keep > 0 && keep < parts.size()) {
        parts = parts.subList(parts.size() - keep, parts.size());
      }
      result = String.join(".", parts);
    }
    return Character.isUpperCase(letter) ? urlEncode(result) : result;
  }

  private static List<String> split(String value, String delims) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int k = 0; k < value.length(); k++) {
      if (delims.indexOf(value.charAt(k)) >= 0) {
        parts.add(value.substring(start, k));
        start = k + 1;
      }
    }
    parts.add(value.substring(start));
    return parts;
  }

  /** RFC 7208 §7.3: upper-case letters escape the value as a URL does (RFC 3986 unreserved). */
  private static String urlEncode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return sb.toString();
  }

  /** %{i}: dotted quad, or for IPv6 the 32 nibbles separated by dots (RFC 7208 §7.3). */
  public static String ipForMacro(InetAddress ip) {
    if (ip instanceof Inet4Address) {
      return ip.getHostAddress();
    }
    StringBuilder sb = new StringBuilder();
    for (byte b : ip.getAddress()) {
      if (!sb.isEmpty()) {
        sb.append('.');
      }
      sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append('.');
      sb.append(Character.forDigit(b & 0xf, 16));
    }
    return sb.toString();
  }

  /** RFC 7208 §7.3: a domain longer than 253 chars loses labels on the left until it fits. */
  public static String truncateDomain(String d) {
    String s = d;
    while (s.length() > 253) {
      int dot = s.indexOf('.');
      if (dot < 0) {
        return s.substring(s.length() - 253);
      }
      s = s.substring(dot + 1);
    }
    return s;
  }
}
