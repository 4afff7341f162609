package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import org.carbonio.mime.internal.TransferDecoding;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class DecodingPropertiesTest {

  private static final String B64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

  /** Random octets. */
  private static Gen<byte[]> bytes() {
    return lists().of(integers().between(0, 255)).ofSizeBetween(0, 400).map(l -> toBytes(l));
  }

  /** Random octets biased towards what the decoders look at. */
  private static Gen<byte[]> tricky() {
    String alphabet = B64 + "= \t\r\n\r\n=\u00ff\u0000-";
    return lists()
        .of(integers().between(0, alphabet.length() - 1))
        .ofSizeBetween(0, 400)
        .map(
            l -> {
              byte[] b = new byte[l.size()];
              for (int i = 0; i < b.length; i++) {
                b[i] = (byte) alphabet.charAt(l.get(i));
              }
              return b;
            });
  }

  private static Gen<List<Integer>> chunks() {
    return lists().of(integers().between(1, 9)).ofSizeBetween(1, 20);
  }

  private static byte[] toBytes(List<Integer> l) {
    byte[] b = new byte[l.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (int) l.get(i);
    }
    return b;
  }

  private static byte[] decode(byte[] in, String encoding) {
    try (InputStream s = TransferDecoding.open(in, 0, in.length, encoding)) {
      return s.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads with the given buffer sizes in turn, mixing in single-byte read() calls. */
  private static byte[] decodeChunked(byte[] in, String encoding, List<Integer> sizes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream s = TransferDecoding.open(in, 0, in.length, encoding)) {
      for (int i = 0; ; i++) {
        int size = sizes.get(i % sizes.size());
        if (size == 1) {
          int c = s.read();
          if (c < 0) {
            break;
          }
          out.write(c);
        } else {
          byte[] buf = new byte[size + 2];
          int n = s.read(buf, 1, size);
          if (n < 0) {
            break;
          }
          assertThat(n).isBetween(1, size);
          out.write(buf, 1, n);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A small quoted-printable encoder (RFC 2045 §6.7), with soft line breaks every 76 columns. */
  static byte[] qpEncode(byte[] in, boolean lf) {
    StringBuilder sb = new StringBuilder();
    int col = 0;
    for (int i = 0; i < in.length; i++) {
      int c = in[i] & 0xff;
      String piece =
          (c >= 33 && c <= 126 && c != '=') || (c == ' ' && i + 1 < in.length)
              ? String.valueOf((char) c)
              : String.format("=%02X", c);
      if (col + piece.length() > 75) {
        sb.append(lf ? "=\n" : "=\r\n");
        col = 0;
      }
      sb.append(piece);
      col += piece.length();
    }
    return sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  @Test
  void base64ShouldRoundTripWhenEncodedByJdkMimeEncoder() {
    qt().forAll(bytes())
        .checkAssert(
            b -> assertThat(decode(Base64.getMimeEncoder().encode(b), "base64")).isEqualTo(b));
  }

  @Test
  void base64ShouldRoundTripWhenUnpaddedAndSplitOddly() {
    qt().forAll(bytes(), integers().between(1, 80))
        .checkAssert(
            (b, width) -> {
              String s = Base64.getEncoder().withoutPadding().encodeToString(b);
              StringBuilder lines = new StringBuilder();
              for (int i = 0; i < s.length(); i += width) {
                lines.append(s, i, Math.min(s.length(), i + width)).append("\n");
              }
              assertThat(decode(lines.toString().getBytes(), "base64")).isEqualTo(b);
            });
  }

  @Test
  void quotedPrintableShouldRoundTripWhenEncodedByTestEncoder() {
    qt().forAll(bytes())
        .checkAssert(
            b -> {
              assertThat(decode(qpEncode(b, false), "quoted-printable")).isEqualTo(b);
              assertThat(decode(qpEncode(b, true), "quoted-printable")).isEqualTo(b);
            });
  }

  @Test
  void base64ShouldBeBoundedWhenInputIsArbitrary() {
    qt().forAll(tricky())
        .checkAssert(
            b -> assertThat(decode(b, "base64").length).isLessThanOrEqualTo(b.length * 3 / 4));
    qt().forAll(bytes())
        .checkAssert(
            b -> assertThat(decode(b, "base64").length).isLessThanOrEqualTo(b.length * 3 / 4));
  }

  @Test
  void quotedPrintableShouldBeBoundedWhenInputIsArbitrary() {
    qt().forAll(tricky())
        .checkAssert(
            b -> assertThat(decode(b, "quoted-printable").length).isLessThanOrEqualTo(b.length));
    qt().forAll(bytes())
        .checkAssert(
            b -> assertThat(decode(b, "quoted-printable").length).isLessThanOrEqualTo(b.length));
  }

  @Test
  void decodingShouldNotDependOnChunkSizeWhenReadInPieces() {
    for (String enc : List.of("base64", "quoted-printable", "7bit")) {
      qt().forAll(tricky(), chunks())
          .checkAssert(
              (b, sizes) -> assertThat(decodeChunked(b, enc, sizes)).isEqualTo(decode(b, enc)));
    }
  }

  @Test
  void uudecodeShouldNotDependOnChunkSizeWhenReadInPieces() {
    qt().forAll(bytes(), chunks())
        .checkAssert(
            (b, sizes) -> {
              byte[] enc = UuencodeTest.uuencode(b);
              byte[] whole = UuencodeTest.uudecode(enc);
              assertThat(whole).isEqualTo(b);
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              var s = new org.carbonio.mime.internal.UudecodeStream(enc, 0, enc.length);
              byte[] buf = new byte[10];
              for (int i = 0; ; i++) {
                int n = s.read(buf, 0, sizes.get(i % sizes.size()));
                if (n < 0) {
                  break;
                }
                out.write(buf, 0, n);
              }
              assertThat(out.toByteArray()).isEqualTo(b);
            });
  }

  @Test
  void uudecodeShouldBeBoundedWhenInputIsArbitrary() {
    qt().forAll(bytes())
        .checkAssert(
            b -> {
              byte[] out = UuencodeTest.uudecode(b);
              assertThat(out.length).isLessThanOrEqualTo(b.length);
              assertThat(Uuencode.find(b, new ByteRange(0, b.length))).isNotNull();
            });
  }
}
