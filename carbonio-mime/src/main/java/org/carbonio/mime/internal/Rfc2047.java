package org.carbonio.mime.internal;

import java.io.ByteArrayOutputStream;
import java.util.Locale;
import org.carbonio.mime.Charsets;

/** Tolerant RFC 2047 encoded-word decoder. Thread-safe (stateless). */
public final class Rfc2047 {

  private Rfc2047() {}

  /**
   * Decodes encoded words in {@code s}. See {@code org.carbonio.mime.EncodedWords#decode} for the
   * tolerance rules. Never throws.
   */
  public static String decode(String s) {
    if (s.indexOf("=?") < 0) {
      return rawText(s);
    }
    StringBuilder out = new StringBuilder(s.length());
    StringBuilder pendingText = new StringBuilder();
    // bytes of adjacent encoded words in one charset, decoded together so that a multi-byte
    // sequence split across words survives (RFC 2047 §5 forbids the split; senders do it anyway)
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    String pendingCharset = null;
    boolean lastWasWord = false;
    // no "?=" after this: words starting later are not looked for (keeps the scan linear)
    int lastEndMark = s.lastIndexOf("?=");
    int i = 0;
    int n = s.length();
    while (i < n) {
      int start = s.indexOf("=?", i);
      Word w = start < 0 || start + 2 > lastEndMark ? null : word(s, start);
      if (w == null) {
        int next = start < 0 ? n : start + 2;
        pendingText.append(s, i, next);
        i = next;
        continue;
      }
      pendingText.append(s, i, start);
      // RFC 2047 §6.2: whitespace between adjacent encoded words is ignored
      boolean onlyWs = lastWasWord && pendingText.toString().isBlank();
      if (!onlyWs || !w.charset.equalsIgnoreCase(pendingCharset == null ? "" : pendingCharset)) {
        flush(out, pending, pendingCharset);
        pendingCharset = null;
        if (!onlyWs) {
          out.append(rawText(pendingText.toString()));
        }
      }
      pendingText.setLength(0);
      pendingCharset = w.charset;
      w.decodeInto(pending);
      lastWasWord = true;
      i = w.end;
    }
    flush(out, pending, pendingCharset);
    out.append(rawText(pendingText.toString()));
    return out.toString();
  }

  private static void flush(StringBuilder out, ByteArrayOutputStream pending, String charset) {
    if (pending.size() == 0) {
      return;
    }
    byte[] b = pending.toByteArray();
    out.append(Charsets.decode(b, 0, b.length, charset));
    pending.reset();
  }

  /** Raw header text: a byte string whose 8-bit octets form UTF-8 is read as UTF-8 (RFC 6532). */
  static String rawText(String s) {
    return Charsets.decodeOctets(s);
  }

  private record Word(String charset, char encoding, String text, int end) {
    void decodeInto(ByteArrayOutputStream out) {
      if (encoding == 'b') {
        base64(text, out);
      } else {
        q(text, out);
      }
    }
  }

  /** Parses "=?charset?e?text?=" at {@code start}, or null. */
  private static Word word(String s, int start) {
    int q1 = s.indexOf('?', start + 2);
    if (q1 < 0 || q1 == start + 2 || q1 + 2 >= s.length() || s.charAt(q1 + 2) != '?') {
      return null;
    }
    String charset = s.substring(start + 2, q1);
    for (int k = 0; k < charset.length(); k++) {
      char c = charset.charAt(k);
      if (c <= ' ' || c >= 0x7f) {
        return null;
      }
    }
    char enc = Character.toLowerCase(s.charAt(q1 + 1));
    if (enc != 'b' && enc != 'q') {
      return null;
    }
    int textStart = q1 + 3;
    int endMark = s.indexOf("?=", textStart);
    if (endMark < 0) {
      return null;
    }
    String text = s.substring(textStart, endMark);
    if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      return null;
    }
    return new Word(charset.toLowerCase(Locale.ROOT), enc, text, endMark + 2);
  }

  private static void q(String t, ByteArrayOutputStream out) {
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '_') {
        out.write(' ');
      } else if (c == '=' && i + 2 < t.length()) {
        int h = Character.digit(t.charAt(i + 1), 16);
        int l = Character.digit(t.charAt(i + 2), 16);
        if (h >= 0 && l >= 0) {
          out.write(h * 16 + l);
          i += 2;
        } else {
          out.write('=');
        }
      } else {
        out.write(c & 0xff);
      }
    }
  }

  private static void base64(String t, ByteArrayOutputStream out) {
    int acc = 0;
    int bits = 0;
    for (int i = 0; i < t.length(); i++) {
      int v = value(t.charAt(i));
      if (v < 0) {
        if (t.charAt(i) == '=') {
          break;
        }
        continue;
      }
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.write((acc >> bits) & 0xff);
      }
    }
  }

  private static int value(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '+') {
      return 62;
    }
    if (c == '/') {
      return 63;
    }
    return -1;
  }
}
