package org.carbonio.mime.internal;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Objects;

/**
 * Streaming Content-Transfer-Encoding decoders over a range of a byte array (RFC 2045 §6). The
 * streams read the array in place: nothing is copied up front and memory stays constant. Stateless.
 */
public final class TransferDecoding {

  private TransferDecoding() {}

  /**
   * A stream of the decoded bytes of {@code bytes[start, end)} for a lower-case transfer encoding:
   * {@code base64} and {@code quoted-printable} are decoded, anything else (7bit, 8bit, binary and
   * unknown encodings, RFC 2045 §6.4) is passed through unchanged. Decoding never throws on any
   * input.
   */
  public static InputStream open(byte[] bytes, int start, int end, String encoding) {
    Objects.checkFromToIndex(start, end, bytes.length);
    return switch (encoding) {
      case "base64" -> new Base64Decoder(bytes, start, end);
      case "quoted-printable" -> new QuotedPrintableDecoder(bytes, start, end);
      default -> new ByteArrayInputStream(bytes, start, end - start);
    };
  }
}
