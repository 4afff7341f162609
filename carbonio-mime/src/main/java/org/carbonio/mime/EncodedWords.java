package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import org.carbonio.mime.internal.Rfc2047;

/** RFC 2047 encoded-word decoding for display. Thread-safe (stateless). */
public final class EncodedWords {

  private EncodedWords() {}

  /**
   * Decodes the encoded words ({@code =?charset?B|Q?text?=}) of a header value. Tolerant:
   *
   * <ul>
   *   <li>whitespace between adjacent encoded words is dropped (RFC 2047 §6.2);
   *   <li>adjacent words in one charset are decoded together, so a multi-byte character split
   *       across two words survives;
   *   <li>encoded words glued to other text (no surrounding space) are decoded;
   *   <li>an RFC 2231 language suffix ({@code =?utf-8*en?Q?...?=}) is ignored;
   *   <li>the charset is resolved by {@link Charsets#decode}: real-world aliases such as {@code
   *       ks_c_5601-1987} and {@code unicode-1-1-utf-7} work, and an unknown charset falls back to
   *       UTF-8 when the bytes are valid UTF-8, else to windows-1252; malformed sequences become
   *       U+FFFD; bad base64 characters are skipped;
   *   <li>raw 8-bit octets in the value (a byte string, one char per octet, as {@link
   *       HeaderFields#first} returns) are read as UTF-8 when valid (RFC 6532), else as
   *       windows-1252.
   * </ul>
   *
   * Never throws.
   */
  public static String decode(String headerValue) {
    requireNonNull(headerValue, "headerValue");
    return Rfc2047.decode(headerValue);
  }
}
