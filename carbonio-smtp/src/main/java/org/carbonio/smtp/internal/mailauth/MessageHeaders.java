package org.carbonio.smtp.internal.mailauth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the header section of a message (RFC 5322 §2.2) from a stream and leaves the stream at the
 * first byte of the body. Bare LF line ends are read as CRLF. Not thread-safe.
 */
public final class MessageHeaders {
  private MessageHeaders() {}

  /**
   * Reads header fields up to and including the empty line that ends them.
   *
   * @param in a buffered stream (it is read one byte at a time)
   * @param maxBytes the most bytes the header section may have
   * @return the fields in order, top first
   * @throws HeaderLimitException when the header section is longer than {@code maxBytes}
   */
  public static List<HeaderField> read(InputStream in, int maxBytes) throws IOException {
    List<HeaderField> fields = new ArrayList<>();
    StringBuilder current = null;
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    long total = 0;
    while (true) {
      line.reset();
      int c;
      boolean eof = false;
      while (true) {
        c = in.read();
        if (c < 0) {
          eof = true;
          break;
        }
        if (++total > maxBytes) {
          throw new HeaderLimitException(maxBytes);
        }
        if (c == '\n') {
          break;
        }
        line.write(c);
      }
      byte[] bytes = line.toByteArray();
      int len = bytes.length;
      if (len > 0 && bytes[len - 1] == '\r') {
        len--;
      }
      String text = new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
      if (eof && text.isEmpty()) {
        break;
      }
      if (text.isEmpty()) {
        break; // the empty line between header and body (RFC 5322 §2.1)
      }
      if ((text.charAt(0) == ' ' || text.charAt(0) == '\t') && current != null) {
        current.append(text).append("\r\n"); // folding (RFC 5322 §2.2.3)
      } else {
        if (current != null) {
          fields.add(HeaderField.of(current.toString()));
        }
        current = new StringBuilder(text).append("\r\n");
      }
      if (eof) {
        break;
      }
    }
    if (current != null) {
      fields.add(HeaderField.of(current.toString()));
    }
    return fields;
  }
}
