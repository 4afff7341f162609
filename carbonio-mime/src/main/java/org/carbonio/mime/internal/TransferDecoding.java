package org.carbonio.mime.internal;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Streaming Content-Transfer-Encoding decoders over a range of a buffer or array (RFC 2045 §6). The
 * streams read the bytes in place: nothing is copied up front and memory stays constant. Stateless.
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
    return open(ByteBuffer.wrap(bytes), start, end, encoding);
  }

  /**
   * {@link #open(byte[], int, int, String)} over {@code bytes[start, end)} by absolute index (the
   * buffer's position is ignored and never changed).
   */
  public static InputStream open(ByteBuffer bytes, int start, int end, String encoding) {
    Objects.checkFromToIndex(start, end, bytes.limit());
    return switch (encoding) {
      case "base64" -> new Base64Decoder(bytes, start, end);
      case "quoted-printable" -> new QuotedPrintableDecoder(bytes, start, end);
      default -> new RangeInputStream(bytes, start, end);
    };
  }

  /** The octets of a range as they are, copied out in bulk. Not thread-safe. */
  private static final class RangeInputStream extends InputStream {

    private final ByteBuffer in;
    private int pos;
    private final int end;

    RangeInputStream(ByteBuffer in, int start, int end) {
      this.in = in;
      this.pos = start;
      this.end = end;
    }

    @Override
    public int read() {
      return pos < end ? in.get(pos++) & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (pos >= end) {
        return -1;
      }
      int n = Math.min(len, end - pos);
      in.get(pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public long skip(long n) {
      long k = Math.max(0, Math.min(n, end - pos));
      pos += (int) k;
      return k;
    }

    @Override
    public int available() {
      return end - pos;
    }
  }
}
