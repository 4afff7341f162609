package org.carbonio.mime.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;

/**
 * UTF-7 (RFC 2152), which the JDK does not provide. Immutable and thread-safe; its decoders and
 * encoders are not thread-safe (as every {@link CharsetDecoder}).
 *
 * <p>The decoder is lenient and never reports an error: an 8-bit byte, a base64 run whose leftover
 * bits are not zero, or a run cut off at the end of the input becomes U+FFFD; a {@code '+'}
 * followed by a character that is neither base64 nor {@code '-'} is read as a literal {@code '+'}.
 * The encoder writes set D, space, tab, CR and LF directly (RFC 2152 rule 1 and 3), {@code '+'} as
 * {@code "+-"}, and every other UTF-16 code unit, paired or not, in base64 runs that it always
 * closes with {@code '-'} (rule 2), so that the output is safe in mail headers.
 */
public final class Utf7Charset extends Charset {

  /** The one instance. */
  public static final Utf7Charset INSTANCE = new Utf7Charset();

  private static final String BASE64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  private static final byte[] VALUE = new byte[128];

  static {
    java.util.Arrays.fill(VALUE, (byte) -1);
    for (int i = 0; i < BASE64.length(); i++) {
      VALUE[BASE64.charAt(i)] = (byte) i;
    }
  }

  private Utf7Charset() {
    super("UTF-7", new String[] {"unicode-1-1-utf-7", "x-unicode-2-0-utf-7"});
  }

  @Override
  public boolean contains(Charset cs) {
    return true; // every UTF-16 code unit has a UTF-7 form
  }

  @Override
  public CharsetDecoder newDecoder() {
    return new Decoder(this);
  }

  @Override
  public CharsetEncoder newEncoder() {
    return new Encoder(this);
  }

  private static int value(int b) {
    return b >= 0 && b < 128 ? VALUE[b] : -1;
  }

  // RFC 2152 rule 1: set D, plus rule 3: space, tab, CR, LF
  private static boolean direct(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || "'(),-./:? \t\r\n".indexOf(c) >= 0;
  }

  private static final class Decoder extends CharsetDecoder {
    private boolean inBase64;
    private boolean justStarted; // right after '+': "+-" is '+'
    private int bits;
    private int nbits;

    Decoder(Charset cs) {
      super(cs, 1.0f, 2.0f);
    }

    @Override
    protected CoderResult decodeLoop(ByteBuffer in, CharBuffer out) {
      while (in.hasRemaining()) {
        int b = in.get(in.position()) & 0xff;
        if (inBase64) {
          int v = value(b);
          if (v >= 0) {
            if (nbits + 6 >= 16 && !out.hasRemaining()) {
              return CoderResult.OVERFLOW;
            }
            in.get();
            justStarted = false;
            bits = (bits << 6) | v;
            nbits += 6;
            if (nbits >= 16) {
              nbits -= 16;
              out.put((char) (bits >>> nbits));
              bits &= (1 << nbits) - 1;
            }
            continue;
          }
          // RFC 2152 rule 2: any non-base64 character ends the run; '-' is absorbed
          if ((justStarted || leftoverIsBad()) && !out.hasRemaining()) {
            return CoderResult.OVERFLOW;
          }
          if (justStarted) {
            out.put('+'); // "+-" is '+'; a lone '+' before other text is read literally
            if (b == '-') {
              in.get();
            }
          } else {
            if (leftoverIsBad()) {
              out.put('\uFFFD');
            }
            if (b == '-') {
              in.get();
            }
          }
          inBase64 = false;
          justStarted = false;
          bits = 0;
          nbits = 0;
          continue;
        }
        if (!out.hasRemaining()) {
          return CoderResult.OVERFLOW;
        }
        in.get();
        if (b == '+') {
          inBase64 = true;
          justStarted = true;
        } else if (b >= 0x80) {
          out.put('\uFFFD');
        } else {
          out.put((char) b);
        }
      }
      return CoderResult.UNDERFLOW;
    }

    // RFC 2152: leftover bits at the end of a run must be fewer than 6, and zero
    private boolean leftoverIsBad() {
      return nbits >= 6 || bits != 0;
    }

    @Override
    protected CoderResult implFlush(CharBuffer out) {
      if (inBase64 && (justStarted || leftoverIsBad())) {
        if (!out.hasRemaining()) {
          return CoderResult.OVERFLOW;
        }
        out.put(justStarted ? '+' : '\uFFFD');
      }
      implReset();
      return CoderResult.UNDERFLOW;
    }

    @Override
    protected void implReset() {
      inBase64 = false;
      justStarted = false;
      bits = 0;
      nbits = 0;
    }
  }

  private static final class Encoder extends CharsetEncoder {
    private boolean inBase64;
    private int bits;
    private int nbits;

    Encoder(Charset cs) {
      super(cs, 2.0f, 5.0f, new byte[] {'?'});
    }

    @Override
    protected CoderResult encodeLoop(CharBuffer in, ByteBuffer out) {
      while (in.hasRemaining()) {
        char c = in.get(in.position());
        if (direct(c) || c == '+') {
          int need = (inBase64 ? (nbits > 0 ? 2 : 1) : 0) + (c == '+' ? 2 : 1);
          if (out.remaining() < need) {
            return CoderResult.OVERFLOW;
          }
          in.get();
          closeRun(out);
          out.put((byte) c);
          if (c == '+') {
            out.put((byte) '-');
          }
        } else {
          int need = (inBase64 ? 0 : 1) + (nbits + 16) / 6;
          if (out.remaining() < need) {
            return CoderResult.OVERFLOW;
          }
          in.get();
          if (!inBase64) {
            out.put((byte) '+');
            inBase64 = true;
          }
          bits = (bits << 16) | c;
          nbits += 16;
          while (nbits >= 6) {
            nbits -= 6;
            out.put((byte) BASE64.charAt((bits >>> nbits) & 0x3f));
          }
          bits &= (1 << nbits) - 1;
        }
      }
      return CoderResult.UNDERFLOW;
    }

    private void closeRun(ByteBuffer out) {
      if (!inBase64) {
        return;
      }
      if (nbits > 0) {
        out.put((byte) BASE64.charAt((bits << (6 - nbits)) & 0x3f));
      }
      out.put((byte) '-');
      inBase64 = false;
      bits = 0;
      nbits = 0;
    }

    @Override
    protected CoderResult implFlush(ByteBuffer out) {
      if (inBase64 && out.remaining() < (nbits > 0 ? 2 : 1)) {
        return CoderResult.OVERFLOW;
      }
      closeRun(out);
      return CoderResult.UNDERFLOW;
    }

    @Override
    protected void implReset() {
      inBase64 = false;
      bits = 0;
      nbits = 0;
    }

    @Override
    public boolean canEncode(char c) {
      return true;
    }
  }
}
