package org.carbonio.mime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The decoders read through windows: inputs longer than a window, from every kind of buffer. */
class TransferDecodingBufferTest {

  private static List<ByteBuffer> buffers(byte[] b) {
    return List.of(
        ByteBuffer.wrap(b),
        ByteBuffer.wrap(b).asReadOnlyBuffer(),
        ByteBuffer.allocateDirect(b.length).put(b).clear().asReadOnlyBuffer());
  }

  private static byte[] decode(ByteBuffer b, String encoding, boolean byteAtATime)
      throws IOException {
    try (InputStream in = TransferDecoding.open(b, 0, b.limit(), encoding)) {
      if (!byteAtATime) {
        return in.readAllBytes();
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      for (int c; (c = in.read()) >= 0; ) {
        out.write(c);
      }
      return out.toByteArray();
    }
  }

  @Test
  void base64ShouldMatchJdkWhenBodySpansManyWindows() throws IOException {
    byte[] data = new byte[100_003];
    new Random(5).nextBytes(data);
    byte[] encoded = Base64.getMimeEncoder().encode(data);
    for (ByteBuffer b : buffers(encoded)) {
      assertThat(decode(b, "base64", false)).isEqualTo(data);
      assertThat(decode(b, "base64", true)).isEqualTo(data);
    }
  }

  @Test
  void quotedPrintableShouldDropTrailingBlanksWhenRunIsLongerThanWindow() throws IOException {
    String blanks = " \t".repeat(10_000);
    byte[] qp =
        ("a" + blanks + "\r\nb" + blanks + "c=\r\n" + blanks + "=3D" + blanks)
            .getBytes(StandardCharsets.ISO_8859_1);
    String expected = "a\r\nb" + blanks + "c" + blanks + "=";
    for (ByteBuffer b : buffers(qp)) {
      assertThat(new String(decode(b, "quoted-printable", false), StandardCharsets.ISO_8859_1))
          .isEqualTo(expected);
      assertThat(new String(decode(b, "quoted-printable", true), StandardCharsets.ISO_8859_1))
          .isEqualTo(expected);
    }
  }
}
