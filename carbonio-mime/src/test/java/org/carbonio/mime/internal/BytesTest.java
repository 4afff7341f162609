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
  void lineStartScansShouldMatchNaiveScanWhenBufferKindVaries() {
    qt().withExamples(1000)
        .forAll(
            lists().of(integers().between(0, 5)).ofSizeBetween(0, 70),
            integers().between(0, 70),
            integers().between(0, 70),
            integers().between(0, 9))
        .checkAssert(
            (l, x, y, pad) -> {
              byte[] values = {'\n', '\r', '-', 'c', 'C', (byte) 0xe3};
              byte[] b = new byte[l.size()];
              for (int i = 0; i < b.length; i++) {
                b[i] = values[l.get(i)];
              }
              int from = Math.min(x, b.length);
              int to = Math.max(from, Math.min(y, b.length));
              int dashAtLineStart = -1;
              int cAfterLf = -1;
              int blank = -1;
              int lineBreak = -1;
              for (int i = from; i < to; i++) {
                if (lineBreak < 0 && (b[i] == '\r' || b[i] == '\n')) {
                  lineBreak = i;
                }
                boolean lineStart = i == from || b[i - 1] == '\n';
                if (dashAtLineStart < 0 && lineStart && b[i] == '-') {
                  dashAtLineStart = i;
                }
                if (cAfterLf < 0 && i > from && b[i - 1] == '\n' && (b[i] == 'c' || b[i] == 'C')) {
                  cAfterLf = i;
                }
                boolean blankLine =
                    b[i] == '\n' || (b[i] == '\r' && i + 1 < b.length && b[i + 1] == '\n');
                if (blank < 0 && lineStart && blankLine) {
                  blank = i;
                }
              }
              for (ByteBuffer v : views(b, pad)) {
                assertThat(Bytes.indexOfAtLineStart(v, (byte) '-', from, to))
                    .as(v.toString())
                    .isEqualTo(dashAtLineStart);
                if (from < to) {
                  assertThat(Bytes.indexOfAfterLfIgnoreCase(v, (byte) 'c', from + 1, to))
                      .as(v.toString())
                      .isEqualTo(cAfterLf);
                }
                assertThat(Bytes.indexOfBlankLine(v, from, to)).as(v.toString()).isEqualTo(blank);
                assertThat(Bytes.indexOfLineBreak(v, from, to))
                    .as(v.toString())
                    .isEqualTo(lineBreak);
              }
            });
  }

  @Test
  void countShouldCountEveryOctetWhenMatchesRunPastTheLaneLimit() {
    byte[] b = new byte[20_011];
    java.util.Arrays.fill(b, (byte) '\n');
    b[7] = 'x';
    for (ByteBuffer v : views(b, 5)) {
      assertThat(Bytes.count(v, (byte) '\n', 0, b.length)).isEqualTo(b.length - 1);
      assertThat(Bytes.count(v, (byte) '\n', 3, b.length - 2)).isEqualTo(b.length - 6);
    }
  }

  @Test
  void copyShouldCopyAbsoluteRangeWhenBufferIsSlicedOrDirect() {
    byte[] b = "0123456789".getBytes(StandardCharsets.US_ASCII);
    for (ByteBuffer v : views(b, 3)) {
      byte[] out = new byte[6];
      Bytes.copy(v, 2, out, 1, 4);
      assertThat(new String(out, 1, 4, StandardCharsets.US_ASCII)).isEqualTo("2345");
      assertThat(out[0]).isZero();
      assertThat(out[5]).isZero();
    }
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
