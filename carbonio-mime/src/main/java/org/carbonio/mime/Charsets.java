package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.carbonio.mime.internal.Utf7Charset;
import org.carbonio.mime.internal.XUserDefinedCharset;

/**
 * Charset labels as they appear in real mail ({@code charset=} parameters, RFC 2047 encoded words,
 * RFC 2231 values), resolved for <em>decoding</em>. Thread-safe (stateless).
 *
 * <p>Besides every name and alias the JDK knows, labels that senders use for something else are
 * mapped to what they mean, mostly as the WHATWG Encoding Standard does:
 *
 * <ul>
 *   <li>{@code iso-8859-1}, {@code latin1}, {@code us-ascii}, {@code ascii}, {@code ansi_x3.4-1968}
 *       are windows-1252 (a superset: mail labelled Latin-1 routinely holds windows-1252 quotes and
 *       dashes in 0x80-0x9F);
 *   <li>{@code gb2312}, {@code gb_2312-80}, {@code euc-cn} are GBK; {@code ks_c_5601-1987}, {@code
 *       ks_c_5601}, {@code ksc5601}, {@code korean}, {@code euc-kr} are windows-949; {@code
 *       shift_jis} is windows-31j; {@code big5} is Big5-HKSCS (each a superset of the label);
 *   <li>{@code utf-7}, {@code unicode-1-1-utf-7}, {@code x-unicode-2-0-utf-7} are UTF-7 (RFC 2152,
 *       this module's codec); {@code x-user-defined} maps 0x80-0xFF to U+F780-U+F7FF (WHATWG);
 *   <li>{@code unicode} (Outlook's name for Windows code page 1200) is UTF-16 little-endian, a byte
 *       order mark still deciding; {@code utf-16} stays RFC 2781 UTF-16 (big-endian without a
 *       mark);
 *   <li>spellings such as {@code utf8}, {@code utf_8}, {@code cp1252}, {@code windows1252}, {@code
 *       win-1251}, {@code x-mac-roman}, {@code macintosh}.
 * </ul>
 *
 * Labels are trimmed, unquoted and compared case-insensitively, and an RFC 2231 language suffix
 * ({@code utf-8*en}) is ignored.
 */
public final class Charsets {

  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  private static final Pattern CODE_PAGE =
      Pattern.compile("(?:windows|win|cp|ms|x-cp)[-_ ]?(\\d{3,5})");

  private static final Map<String, Charset> WILD = wild();

  private Charsets() {}

  private static Map<String, Charset> wild() {
    Map<String, Charset> m = new HashMap<>();
    put(m, "windows-1252", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "us-ascii");
    put(m, "windows-1252", "ascii", "ansi_x3.4-1968", "us", "iso646-us", "cp819", "ibm819");
    put(m, "GBK", "gb2312", "gb_2312-80", "gb_2312", "euc-cn", "x-gbk", "csgb2312", "chinese");
    put(m, "x-windows-949", "ks_c_5601-1987", "ks_c_5601", "ksc5601", "ksc_5601", "korean");
    put(m, "x-windows-949", "euc-kr", "cseuckr", "windows-949", "iso-ir-149", "cp949");
    put(m, "windows-31j", "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis");
    put(m, "Big5-HKSCS", "big5", "big5-hkscs", "x-x-big5", "cn-big5", "csbig5");
    put(m, "x-windows-874", "tis-620", "iso-8859-11", "dos-874", "windows-874");
    put(m, "windows-1254", "iso-8859-9", "latin5", "l5");
    put(m, "ISO-8859-8", "iso-8859-8-i", "csiso88598i", "logical");
    put(m, "x-UTF-16LE-BOM", "unicode", "unicodefeff", "ucs-2", "csunicode", "iso-10646-ucs-2");
    put(m, "UTF-8", "utf8", "utf_8", "x-utf-8", "unicode11utf8", "unicode20utf8");
    put(m, "UTF-8", "x-unicode20utf8");
    put(m, "x-MacRoman", "macintosh", "mac", "x-mac-roman", "csmacintosh");
    put(m, "x-MacCyrillic", "x-mac-cyrillic");
    put(m, "x-MacUkraine", "x-mac-ukrainian");
    put(m, "x-MacCentralEurope", "x-mac-ce", "x-mac-centraleurroman");
    put(m, "x-MacGreek", "x-mac-greek");
    put(m, "x-MacTurkish", "x-mac-turkish");
    put(m, "x-MacIceland", "x-mac-icelandic");
    put(m, "x-MacCroatian", "x-mac-croatian");
    put(m, "x-MacRomania", "x-mac-romanian");
    put(m, "x-MacHebrew", "x-mac-hebrew");
    put(m, "x-MacArabic", "x-mac-arabic");
    put(m, "x-MacThai", "x-mac-thai");
    for (String label :
        new String[] {"utf-7", "utf7", "unicode-1-1-utf-7", "x-unicode-2-0-utf-7"}) {
      m.put(label, Utf7Charset.INSTANCE);
    }
    m.put("x-user-defined", XUserDefinedCharset.INSTANCE);
    return Map.copyOf(m);
  }

  private static void put(Map<String, Charset> m, String target, String... labels) {
    Charset cs = jdk(target);
    if (cs == null) {
      return; // a JDK without jdk.charsets: the label stays unknown
    }
    for (String label : labels) {
      m.put(label, cs);
    }
  }

  /**
   * The charset to decode text labelled {@code label} with, or empty when the label is unknown or
   * unsupported (or null or blank). Never throws.
   */
  public static Optional<Charset> lookup(String label) {
    String name = normalize(label);
    if (name.isEmpty()) {
      return Optional.empty();
    }
    Charset cs = WILD.get(name);
    Matcher m = CODE_PAGE.matcher(name);
    if (cs == null && m.matches()) {
      // Windows code pages first: mail's cp932 and cp949 are Microsoft's, not the JDK's IBM ones
      cs = jdk("windows-" + m.group(1));
      if (cs == null) {
        cs = jdk("cp" + m.group(1));
      }
    }
    if (cs == null) {
      cs = jdk(name);
    }
    return Optional.ofNullable(cs);
  }

  /**
   * The charset to decode text labelled {@code label} with: {@link #lookup}, else windows-1252,
   * which maps every byte to a character (undefined 0x81, 0x8D, 0x8F, 0x90, 0x9D become U+FFFD) and
   * is what unlabelled or mislabelled 8-bit Western mail mostly is. When the bytes are at hand,
   * {@link #decode} makes a better guess. Never throws.
   */
  public static Charset forDecoding(String label) {
    return lookup(label).orElse(WINDOWS_1252);
  }

  /**
   * Decodes {@code len} bytes of {@code b} from {@code off}, labelled {@code label} (may be null):
   *
   * <ol>
   *   <li>in the {@linkplain #lookup looked-up} charset when the label is known, malformed input
   *       becoming U+FFFD; but bytes labelled US-ASCII (or an alias) that are not ASCII are read as
   *       if the label were unknown, since such mail is mostly UTF-8 sent by a client that never
   *       set a charset;
   *   <li>else as UTF-8 when the bytes are valid UTF-8 (RFC 6532 and what Thunderbird guesses);
   *   <li>else as windows-1252.
   * </ol>
   *
   * Never throws on any input bytes.
   *
   * @throws IndexOutOfBoundsException when {@code off} and {@code len} are outside {@code b}
   */
  public static String decode(byte[] b, int off, int len, String label) {
    Objects.checkFromIndexSize(off, len, b.length);
    String name = normalize(label);
    Optional<Charset> cs = lookup(name);
    boolean ascii = isAscii(b, off, len);
    if (ascii && isAsciiLabel(name)) {
      return new String(b, off, len, US_ASCII);
    }
    if (cs.isPresent() && !isAsciiLabel(name)) {
      try {
        return new String(b, off, len, cs.get());
      } catch (RuntimeException e) {
        // a broken codec: fall through to the guess below
      }
    }
    if (ascii) {
      return new String(b, off, len, US_ASCII);
    }
    String utf8 = strictUtf8(b, off, len);
    return utf8 != null ? utf8 : new String(b, off, len, WINDOWS_1252);
  }

  /**
   * Reads a byte string (one char per octet, ISO-8859-1, as {@link HeaderFields#first} returns)
   * holding raw 8-bit header text: as UTF-8 when its octets are valid UTF-8 (RFC 6532), else as
   * windows-1252. A string that is all ASCII, or that already holds a char above U+00FF (so it is
   * text, not octets), comes back unchanged. Never throws.
   */
  public static String decodeOctets(String byteString) {
    boolean eight = false;
    for (int i = 0; i < byteString.length(); i++) {
      char c = byteString.charAt(i);
      if (c > 0xff) {
        return byteString; // already text
      }
      if (c > 0x7f) {
        eight = true;
      }
    }
    if (!eight) {
      return byteString;
    }
    byte[] b = new byte[byteString.length()];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) byteString.charAt(i);
    }
    return decode(b, 0, b.length, null);
  }

  private static boolean isAsciiLabel(String name) {
    return switch (name) {
      case "us-ascii",
          "ascii",
          "ansi_x3.4-1968",
          "us",
          "iso646-us",
          "iso-ir-6",
          "csascii",
          "iso_646.irv:1991",
          "646",
          "ascii7",
          "default" ->
          true;
      default -> false;
    };
  }

  private static String normalize(String label) {
    if (label == null) {
      return "";
    }
    String s = label.strip();
    // quoted labels: charset="utf-8", charset='utf-8'
    while (s.length() >= 1 && (s.charAt(0) == '"' || s.charAt(0) == '\'')) {
      s = s.substring(1);
    }
    while (!s.isEmpty() && (s.charAt(s.length() - 1) == '"' || s.charAt(s.length() - 1) == '\'')) {
      s = s.substring(0, s.length() - 1);
    }
    int star = s.indexOf('*'); // RFC 2231 §5: charset*language
    if (star >= 0) {
      s = s.substring(0, star);
    }
    return s.strip().toLowerCase(Locale.ROOT);
  }

  private static Charset jdk(String name) {
    try {
      return Charset.isSupported(name) ? Charset.forName(name) : null;
    } catch (IllegalArgumentException e) { // IllegalCharsetNameException included
      return null;
    }
  }

  private static boolean isAscii(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (b[i] < 0) {
        return false;
      }
    }
    return true;
  }

  private static String strictUtf8(byte[] b, int off, int len) {
    try {
      return UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, off, len))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
