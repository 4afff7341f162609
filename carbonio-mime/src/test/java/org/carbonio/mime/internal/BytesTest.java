package org.carbonio.mime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BytesTest {

  /** The same bytes as array-backed, read-only heap, and direct buffers in both byte orders. */
  private static List<ByteBuffer> views(byte[] b, int pad) {
    byte[] padded = new byte[b.length + pad];
    System.arraycopy(b, 0, padded, pad, b.length);
    ByteBuffer sliced = ByteBuffer.wrap(padded, pad, b.length).slice(); // arrayOffset = pad
    ByteBuffer direct = ByteBuffer.allocateDirect(b.length).put(b).clear();
    return List.of(
        ByteBuffer.wrap(b),
        sliced,
        ByteBuffer.wrap(b).asReadOnlyBuffer(),
        ByteBuffer.wrap(b).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN),
        direct.duplicate().order(ByteOrder.BIG_ENDIAN),
        direct.duplicate().order(ByteOrder.LITTLE_ENDIAN));
  }

  @Test
  void indexOfAndCountShouldMatchNaiveScanWhenBufferKindVaries() {
    qt().withExamples(1000)
        .forAll(
            lists().of(integers().between(0, 3)).ofSizeBetween(0, 70),
            integers().between(0, 70),
            integers().between(0, 70),
            integers().between(0, 9))
        .checkAssert(
            (l, x, y, pad) -> {
              // few distinct values so that matches are frequent; 0xff and 0x8a test sign handling
              byte[] values = {'\n', 'a', (byte) 0xff, (byte) 0x8a};
              byte[] b = new byte[l.size()];
              for (int i = 0; i < b.length; i++) {
                b[i] = values[l.get(i)];
              }
              int from = Math.min(x, b.length);
              int to = Math.max(from, Math.min(y, b.length));
              for (byte c : values) {
                int first = -1;
                int count = 0;
                for (int i = from; i < to; i++) {
                  if (b[i] == c) {
                    first = first < 0 ? i : first;
                    count++;
                  }
                }
                for (ByteBuffer v : views(b, pad)) {
                  assertThat(Bytes.indexOf(v, c, from, to)).as(v.toString()).isEqualTo(first);
                  assertThat(Bytes.count(v, c, from, to)).as(v.toString()).isEqualTo(count);
                }
              }
            });
  }

  @Test
  void regionEqualsAndLatin1ShouldReadAbsoluteIndexWhenBufferIsSliced() {
    byte[] b = "xx--boundary\u00e9".getBytes(StandardCharsets.ISO_8859_1);
    for (ByteBuffer v : views(b, 3)) {
      v.position(5); // ignored: reads are absolute
      assertThat(Bytes.regionEquals(v, 4, "boundary".getBytes(StandardCharsets.US_ASCII))).isTrue();
      assertThat(Bytes.regionEquals(v, 4, "boundarz".getBytes(StandardCharsets.US_ASCII)))
          .isFalse();
      assertThat(Bytes.latin1(v, 2, b.length)).isEqualTo("--boundary\u00e9");
      assertThat(v.position()).isEqualTo(5);
    }
  }
}
