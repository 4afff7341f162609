package org.carbonio.mime.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Base64;

/**
 * Content-Transfer-Encoding for composed parts (RFC 2045 §6): choosing one and writing it.
 * Thread-safe (stateless).
 */
public final class TransferEncoder {

  /** RFC 2045 §6.7 (5) and §6.8: encoded lines are at most 76 characters. */
  public static final int MAX_ENCODED_LINE = 76;

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] HEX =
      "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private TransferEncoder() {}

  /**
   * The encoding for {@code data}: {@code 7bit} when it is printable US-ASCII (and tabs), with CRLF
   * line ends only and lines of at most 78 octets (RFC 5322 §2.1.1); {@code quoted-printable} when
   * at most a third of it would need escaping (mostly-ASCII text); {@code base64} otherwise.
   */
  public static String choose(byte[] data) {
    if (isSevenBit(data)) {
      return "7bit";
    }
    int escaped = 0;
    for (int i = 0; i < data.length; i++) {
      int c = data[i] & 0xff;
      boolean crlf =
          (c == '\r' && i + 1 < data.length && data[i + 1] == '\n')
              || (c == '\n' && i > 0 && data[i - 1] == '\r');
      if (c >= 0x80 || (c < 0x20 && c != '\t' && !crlf) || c == 0x7f) {
        escaped++;
      }
    }
    // a third escaped makes quoted-printable about a quarter longer than base64, still readable
    return escaped * 3 <= data.length ? "quoted-printable" : "base64";
  }

  /** Printable US-ASCII and tabs, CRLF line ends only, lines of at most 78 octets. */
  public static boolean isSevenBit(byte[] data) {
    int line = 0;
    for (int i = 0; i < data.length; i++) {
      int c = data[i] & 0xff;
      if (c == '\r') {
        if (i + 1 >= data.length || data[i + 1] != '\n') {
          return false;
        }
        i++;
        line = 0;
        continue;
      }
      if ((c < 0x20 && c != '\t') || c >= 0x7f || ++line > 78) {
        return false;
      }
    }
    return true;
  }

  /**
   * For a message/rfc822 body, which must not be encoded (RFC 2046 §5.2.1): {@code 7bit}, {@code
   * 8bit} when it has 8-bit octets (RFC 6152) but no NUL and lines of at most 998 octets, else
   * {@code binary}.
   */
  public static String identityEncoding(byte[] data) {
    boolean eight = false;
    int line = 0;
    for (int i = 0; i < data.length; i++) {
      int c = data[i] & 0xff;
      if (c == '\r' && i + 1 < data.length && data[i + 1] == '\n') {
        i++;
        line = 0;
        continue;
      }
      if (c == 0 || c == '\r' || c == '\n' || ++line > 998) {
        return "binary";
      }
      eight |= c >= 0x80;
    }
    return eight ? "8bit" : "7bit";
  }

  /** Writes {@code data} in {@code encoding} (as {@link #choose} names it). */
  public static void write(byte[] data, String encoding, OutputStream out) throws IOException {
    switch (encoding) {
      case "quoted-printable" -> quotedPrintable(data, out);
      case "base64" -> base64(data, out);
      default -> out.write(data);
    }
  }

  /** RFC 2045 §6.8 base64 in lines of 76 characters separated by CRLF, no final CRLF. */
  public static void base64(byte[] data, OutputStream out) throws IOException {
    base64(new java.io.ByteArrayInputStream(data), out); // streamed: no encoded copy of data
  }

  /** Streams {@code in} as base64 into {@code out} without buffering more than a few KiB. */
  public static void base64(InputStream in, OutputStream out) throws IOException {
    OutputStream keepOpen =
        new FilterOutputStream(out) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush(); // the caller owns out
          }
        };
    try (OutputStream enc = Base64.getMimeEncoder(MAX_ENCODED_LINE, CRLF).wrap(keepOpen)) {
      in.transferTo(enc);
    }
  }

  /**
   * RFC 2045 §6.7 quoted-printable: CRLF pairs are hard line breaks, bare CR and LF are escaped (so
   * any octets survive), blanks before a line end are escaped (rule 3), soft line breaks keep lines
   * at most 76 characters (rule 5), and "From " at a line start is escaped for mbox safety.
   */
  public static void quotedPrintable(byte[] data, OutputStream out) throws IOException {
    int col = 0;
    int n = data.length;
    for (int i = 0; i < n; i++) {
      int c = data[i] & 0xff;
      if (c == '\r' && i + 1 < n && data[i + 1] == '\n') {
        out.write(CRLF);
        i++;
        col = 0;
        continue;
      }
      boolean lineEndNext = i + 1 == n || (data[i + 1] == '\r' && i + 2 < n && data[i + 2] == '\n');
      boolean literal;
      if (c == ' ' || c == '\t') {
        literal = !lineEndNext;
      } else if (c == 'F' && col == 0 && startsWith(data, i, "From ")) {
        literal = false;
      } else {
        literal = c >= 33 && c <= 126 && c != '=';
      }
      int width = literal ? 1 : 3;
      // keep room for the "=" of a soft break unless this is the line's last character
      int limit = lineEndNext ? MAX_ENCODED_LINE : MAX_ENCODED_LINE - 1;
      if (col + width > limit) {
        out.write('=');
        out.write(CRLF);
        col = 0;
      }
      if (literal) {
        out.write(c);
      } else {
        out.write('=');
        out.write(HEX[c >> 4]);
        out.write(HEX[c & 0xf]);
      }
      col += width;
    }
  }

  private static boolean startsWith(byte[] data, int at, String s) {
    if (at + s.length() > data.length) {
      return false;
    }
    for (int k = 0; k < s.length(); k++) {
      if (data[at + k] != s.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** True when a line of {@code data} (at its start or after an LF) starts with {@code prefix}. */
  public static boolean hasLineStartingWith(byte[] data, byte[] prefix) {
    for (int i = 0; i + prefix.length <= data.length; i++) {
      if (i == 0 || data[i - 1] == '\n') {
        boolean match = true;
        for (int k = 0; k < prefix.length && match; k++) {
          match = data[i + k] == prefix[k];
        }
        if (match) {
          return true;
        }
      }
    }
    return false;
  }
}
