package org.carbonio.mime.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

/**
 * The WHATWG Encoding Standard's x-user-defined (§14.5): bytes 0x00-0x7F are ASCII, bytes 0x80-0xFF
 * are U+F780-U+F7FF. Every byte maps, so decoding never fails. Immutable and thread-safe; its
 * decoders and encoders are not thread-safe.
 */
public final class XUserDefinedCharset extends Charset {

  /** The one instance. */
  public static final XUserDefinedCharset INSTANCE = new XUserDefinedCharset();

  private XUserDefinedCharset() {
    super("x-user-defined", new String[0]);
  }

  @Override
  public boolean contains(Charset cs) {
    return cs instanceof XUserDefinedCharset || cs.equals(StandardCharsets.US_ASCII);
  }

  @Override
  public CharsetDecoder newDecoder() {
    return new CharsetDecoder(this, 1.0f, 1.0f) {
      @Override
      protected CoderResult decodeLoop(ByteBuffer in, CharBuffer out) {
        while (in.hasRemaining()) {
          if (!out.hasRemaining()) {
            return CoderResult.OVERFLOW;
          }
          int b = in.get() & 0xff;
          out.put(b < 0x80 ? (char) b : (char) (0xF780 + b - 0x80));
        }
        return CoderResult.UNDERFLOW;
      }
    };
  }

  @Override
  public CharsetEncoder newEncoder() {
    return new CharsetEncoder(this, 1.0f, 1.0f) {
      @Override
      protected CoderResult encodeLoop(CharBuffer in, ByteBuffer out) {
        while (in.hasRemaining()) {
          char c = in.get(in.position());
          int b;
          if (c < 0x80) {
            b = c;
          } else if (c >= 0xF780 && c <= 0xF7FF) {
            b = c - 0xF780 + 0x80;
          } else {
            return CoderResult.unmappableForLength(1);
          }
          if (!out.hasRemaining()) {
            return CoderResult.OVERFLOW;
          }
          in.get();
          out.put((byte) b);
        }
        return CoderResult.UNDERFLOW;
      }
    };
  }
}
