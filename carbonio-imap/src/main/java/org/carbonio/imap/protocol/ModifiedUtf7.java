package org.carbonio.imap.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Modified UTF-7 for mailbox names (RFC 3501 §5.1.3). Thread-safe (stateless). */
public final class ModifiedUtf7 {
  private ModifiedUtf7() {}

  /** Encodes a Unicode name for the wire. */
  public static String encode(String name) {
    StringBuilder out = new StringBuilder(name.length() + 8);
    int i = 0;
    while (i < name.length()) {
      char c = name.charAt(i);
      if (c == '&') {
        out.append("&-");
        i++;
      } else if (c >= 0x20 && c <= 0x7e) {
        out.append(c);
        i++;
      } else {
        int j = i;
        while (j < name.length() && (name.charAt(j) < 0x20 || name.charAt(j) > 0x7e)) j++;
        byte[] utf16 = name.substring(i, j).getBytes(StandardCharsets.UTF_16BE);
        String b64 = Base64.getEncoder().withoutPadding().encodeToString(utf16).replace('/', ',');
        out.append('&').append(b64).append('-');
        i = j;
      }
    }
    return out.toString();
  }

  /**
   * Decodes a wire name; a malformed shift sequence is kept as is (lenient, RFC 3501 §5.1.3 only
   * says clients SHOULD use it correctly).
   */
  public static String decode(String wire) {
    if (wire.indexOf('&') < 0) return wire;
    StringBuilder out = new StringBuilder(wire.length());
    int i = 0;
    while (i < wire.length()) {
      char c = wire.charAt(i);
      if (c != '&') {
        out.append(c);
        i++;
        continue;
      }
      int end = wire.indexOf('-', i + 1);
      if (end < 0) {
        out.append(wire, i, wire.length());
        break;
      }
      if (end == i + 1) {
        out.append('&');
      } else {
        String b64 = wire.substring(i + 1, end).replace(',', '/');
        String decoded = decodeBase64Utf16(b64);
        if (decoded == null) out.append(wire, i, end + 1);
        else out.append(decoded);
      }
      i = end + 1;
    }
    return out.toString();
  }

  private static String decodeBase64Utf16(String b64) {
    for (int k = 0; k < b64.length(); k++) {
      char ch = b64.charAt(k);
      if (!(Character.isLetterOrDigit(ch) && ch < 128) && ch != '+' && ch != '/') return null;
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(pad(b64));
      if (bytes.length % 2 != 0) return null;
      return new String(bytes, StandardCharsets.UTF_16BE);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String pad(String s) {
    return switch (s.length() % 4) {
      case 2 -> s + "==";
      case 3 -> s + "=";
      default -> s;
    };
  }
}
