package org.carbonio.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class GrowingBufferedOutputTest {

  @Test
  void bufferShouldBeAllocatedWhenFirstWritten() throws IOException {
    GrowingBufferedOutput out = new GrowingBufferedOutput(new ByteArrayOutputStream(), 8, 64);
    assertThat(out.bufferSize()).isZero();
    out.write('x');
    assertThat(out.bufferSize()).isEqualTo(8);
  }

  @Test
  void bufferShouldGrowToMaxWhenWritesAccumulate() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    GrowingBufferedOutput out = new GrowingBufferedOutput(sink, 8, 64);
    out.write(new byte[20]);
    assertThat(out.bufferSize()).isEqualTo(32);
    out.write(new byte[40]);
    assertThat(out.bufferSize()).isEqualTo(64);
    assertThat(sink.size()).isZero();
    out.write(new byte[10]); // over the maximum: the buffer goes out first
    assertThat(sink.size()).isEqualTo(60);
    out.flush();
    assertThat(sink.size()).isEqualTo(70);
  }

  @Test
  void writeShouldBypassBufferWhenAtLeastMax() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    GrowingBufferedOutput out = new GrowingBufferedOutput(sink, 8, 64);
    out.write(1);
    out.write(new byte[64]);
    assertThat(sink.size()).isEqualTo(65);
    assertThat(out.bufferSize()).isEqualTo(8);
  }

  @Test
  void outputShouldEqualInputWhenWritesAreMixed() {
    qt().forAll(lists().of(integers().between(0, 200)).ofSizeBetween(0, 40))
        .checkAssert(
            sizes -> {
              try {
                ByteArrayOutputStream sink = new ByteArrayOutputStream();
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                GrowingBufferedOutput out = new GrowingBufferedOutput(sink, 4, 50);
                int next = 0;
                for (int size : sizes) {
                  byte[] b = new byte[size];
                  for (int i = 0; i < size; i++) {
                    b[i] = (byte) next++;
                  }
                  if (size == 1) {
                    out.write(b[0]);
                  } else {
                    out.write(b, 0, size);
                  }
                  expected.write(b, 0, size);
                  assertThat(out.bufferSize()).isLessThanOrEqualTo(50);
                }
                out.flush();
                assertThat(sink.toByteArray()).isEqualTo(expected.toByteArray());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }
}
