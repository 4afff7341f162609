package org.carbonio.mime.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.apache.james.mime4j.util.CharsetUtil;

/** Charset lookup and tolerant decoding for header text. Thread-safe (stateless). */
public final class Charsets {

  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  // labels seen in real mail that the JDK does not know, mapped to what senders mean
  private static final Map<String, String> ALIASES =
      Map.of(
          "iso-8859-8-i", "ISO-8859-8",
          "ks_c_5601-1987", "x-windows-949",
          "gb2312", "GBK",
          "unicode-1-1-utf-7", "UTF-8",
          "utf8", "UTF-8",
          "x-user-defined", "windows-1252");

  private Charsets() {}

  /**
   * The charset named {@code label} (an RFC 2231 "*language" suffix is ignored), or null when
   * unknown. Never throws.
   */
  public static Charset lookup(String label) {
    if (label == null) {
      return null;
    }
    String name = label.strip();
    int star = name.indexOf('*');
    if (star >= 0) {
      name = name.substring(0, star);
    }
    if (name.isEmpty()) {
      return null;
    }
    String alias = ALIASES.get(name.toLowerCase(Locale.ROOT));
    try {
      return CharsetUtil.lookup(alias != null ? alias : name);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Decodes {@code bytes} in {@code cs}, replacing malformed input. When {@code cs} is null
   * (unknown), US-ASCII or ISO-8859-1, bytes that form valid UTF-8 are read as UTF-8 and others as
   * windows-1252 (a superset of ISO-8859-1), which is what mislabelled mail means.
   */
  public static String decode(byte[] bytes, Charset cs) {
    if (cs == null
        || cs.equals(StandardCharsets.US_ASCII)
        || cs.equals(StandardCharsets.ISO_8859_1)) {
      if (isAscii(bytes)) {
        return new String(bytes, StandardCharsets.US_ASCII);
      }
      String utf8 = strictUtf8(bytes);
      if (utf8 != null && cs == null) {
        return utf8;
      }
      if (utf8 != null && cs.equals(StandardCharsets.US_ASCII)) {
        return utf8;
      }
      return new String(bytes, WINDOWS_1252);
    }
    try {
      return new String(bytes, cs);
    } catch (RuntimeException e) {
      return new String(bytes, WINDOWS_1252);
    }
  }

  /** {@code bytes} decoded as UTF-8, or null when they are not valid UTF-8. */
  public static String strictUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }
}
