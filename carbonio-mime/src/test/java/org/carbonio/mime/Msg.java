package org.carbonio.mime;

import java.nio.charset.StandardCharsets;

/** Test helpers: build messages from text. */
final class Msg {

  private Msg() {}

  /** The text with every LF turned into CRLF, as ISO-8859-1 bytes. */
  static byte[] crlf(String text) {
    return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The text as ISO-8859-1 bytes, line endings untouched. */
  static byte[] raw(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String str(byte[] b, ByteRange r) {
    return new String(b, r.start(), r.length(), StandardCharsets.ISO_8859_1);
  }
}
