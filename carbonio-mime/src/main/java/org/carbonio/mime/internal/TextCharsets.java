package org.carbonio.mime.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Locale;
import java.util.Optional;
import org.carbonio.mime.Charsets;

/**
 * Decoding of text bodies for indexing, with the repairs real mail needs: wrong charset labels
 * (valid UTF-8 under another label, Latin-1 labelled UTF-8), unlabelled ISO-2022-JP and Shift_JIS,
 * GBK read as GB18030 and Microsoft's ISO-2022-JP. Thread-safe (stateless).
 */
public final class TextCharsets {

  private TextCharsets() {}

  /**
   * Decodes text octets: {@link Charsets#decode}, except that unlabelled (or US-ASCII labelled)
   * 7-bit text with ISO-2022-JP escape sequences (RFC 1468) is read as ISO-2022-JP.
   */
  public static String decode(byte[] b, int len, String label) {
    String name = label == null ? "" : label.strip().toLowerCase(Locale.ROOT);
    if ((name.isEmpty() || name.equals("us-ascii")) && hasIso2022JpEscape(b, len)) {
      name = "iso-2022-jp";
    }
    if (!isAscii(b, len)) {
      int[] u = utf8Scan(b, len);
      boolean utf8Label = Charsets.lookup(name).map(UTF_8::equals).orElse(false);
      boolean wide =
          name.startsWith("utf-16")
              || name.startsWith("utf-32")
              || name.startsWith("ucs")
              || name.startsWith("unicode");
      if (!utf8Label && !wide && u[0] > 0 && u[1] == 0) {
        return new String(b, 0, len, UTF_8); // valid UTF-8 under another label: the label is wrong
      }
      if (utf8Label && u[0] == 0 && u[1] > 0) {
        return Charsets.decode(b, 0, len, "windows-1252"); // labelled UTF-8, written in Latin-1
      }
      if (name.equals("iso-2022-jp")) {
        // a 7-bit charset holding 8-bit octets: Japanese mail mislabelled, mostly EUC-JP
        String euc = Charsets.decode(b, 0, len, "euc-jp");
        String sjis = Charsets.decode(b, 0, len, "windows-31j");
        return count(euc, '\uFFFD') <= count(sjis, '\uFFFD') ? euc : sjis;
      }
    }
    String s = Charsets.decode(b, 0, len, name);
    if (s.indexOf('\uFFFD') >= 0) {
      Optional<java.nio.charset.Charset> cs = Charsets.lookup(name);
      String retry = null;
      if (cs.isEmpty() || name.contains("ascii")) {
        // unlabelled 8-bit text that is neither UTF-8 nor windows-1252 (which leaves 0x81, 0x8D,
        // 0x8F, 0x90, 0x9D undefined): Japanese Shift_JIS, the commonest such mail
        retry = strict(b, len, "windows-31j");
      } else if (cs.get().name().equals("GBK")) {
        retry = strict(b, len, "GB18030"); // GBK's superset
      }
      if (retry != null) {
        return retry;
      }
    }
    if (name.equals("iso-2022-jp") && s.indexOf('\uFFFD') >= 0) {
      // Microsoft's CP50220 reads the NEC and IBM extensions that Japanese mail uses
      Optional<java.nio.charset.Charset> ms = Charsets.lookup("x-windows-iso2022jp");
      if (ms.isPresent()) {
        String t = Charsets.decode(b, 0, len, "x-windows-iso2022jp");
        return count(t, '\uFFFD') < count(s, '\uFFFD') ? t : s;
      }
    }
    return s;
  }

  /** {@code len} octets in the JDK charset {@code name}, or null when they are not valid in it. */
  private static String strict(byte[] b, int len, String name) {
    try {
      return java.nio.charset.Charset.forName(name)
          .newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(b, 0, len))
          .toString();
    } catch (java.nio.charset.CharacterCodingException | IllegalArgumentException e) {
      return null; // not valid there (or a JDK without that charset)
    }
  }

  /** RFC 3629 §4: {valid multi-octet sequences, octets in no valid sequence}. */
  public static int[] utf8Scan(byte[] b, int len) {
    int multi = 0;
    int bad = 0;
    int i = 0;
    while (i < len) {
      int c = b[i] & 0xff;
      int n =
          c < 0x80
              ? 0
              : c >= 0xc2 && c <= 0xdf
                  ? 1
                  : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
      if (n == 0) {
        i++;
        continue;
      }
      boolean ok = n > 0 && i + n < len;
      for (int k = 1; ok && k <= n; k++) {
        ok = (b[i + k] & 0xc0) == 0x80;
      }
      if (ok && n == 2) {
        int c1 = b[i + 1] & 0xff;
        ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 > 0x9f);
      } else if (ok && n == 3) {
        int c1 = b[i + 1] & 0xff;
        ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 > 0x8f);
      }
      if (ok) {
        multi++;
        i += n + 1;
      } else {
        bad++;
        i++;
      }
    }
    return new int[] {multi, bad};
  }

  private static boolean isAscii(byte[] b, int len) {
    for (int i = 0; i < len; i++) {
      if (b[i] < 0) {
        return false;
      }
    }
    return true;
  }

  private static int count(String s, char c) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == c) {
        n++;
      }
    }
    return n;
  }

  private static boolean hasIso2022JpEscape(byte[] b, int len) {
    for (int i = 0; i + 2 < len; i++) {
      if (b[i] == 0x1b && b[i + 1] == '$' && (b[i + 2] == 'B' || b[i + 2] == '@')) {
        return true;
      }
    }
    return false;
  }
}
