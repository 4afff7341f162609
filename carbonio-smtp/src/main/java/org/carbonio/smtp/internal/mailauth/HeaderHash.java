package org.carbonio.smtp.internal.mailauth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the header data a DKIM or ARC signature covers (RFC 6376 §3.7, §5.4.2). Immutable. */
public final class HeaderHash {
  private HeaderHash() {}

  /**
   * The canonical fields named by {@code signed}, each name taking the next instance from the
   * bottom (a name with no instance left adds nothing), then the signature field itself with its b=
   * value removed and without its final CRLF.
   */
  public static byte[] data(
      List<HeaderField> headers, List<String> signed, String signatureRaw, boolean relaxed) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Map<String, Integer> used = new HashMap<>();
    for (String name : signed) {
      String key = name.toLowerCase(Locale.ROOT);
      int skip = used.getOrDefault(key, 0);
      int seen = 0;
      for (int i = headers.size() - 1; i >= 0; i--) {
        HeaderField f = headers.get(i);
        if (f.is(name)) {
          if (seen++ == skip) {
            out.writeBytes(latin1(Canonical.header(f, relaxed)));
            break;
          }
        }
      }
      used.put(key, skip + 1);
    }
    String sig = Canonical.withoutSignature(signatureRaw);
    String c = relaxed ? Canonical.relaxedHeader(sig) : sig;
    if (c.endsWith("\r\n")) {
      c = c.substring(0, c.length() - 2);
    }
    out.writeBytes(latin1(c));
    return out.toByteArray();
  }

  /** The chars as bytes, one per char (the fields were read as ISO-8859-1). */
  public static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
