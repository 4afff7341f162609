package org.carbonio.smtp.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyDecoderTest {

  private static List<ReplyDecoder.Result> decodeAll(ReplyDecoder d, byte[] bytes, int chunk) {
    List<ReplyDecoder.Result> out = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += chunk) {
      ByteBuffer b = ByteBuffer.wrap(bytes, i, Math.min(chunk, bytes.length - i));
      while (b.hasRemaining()) {
        ReplyDecoder.Result r = d.decode(b);
        if (!(r instanceof ReplyDecoder.NeedMore)) {
          out.add(r);
        }
      }
    }
    return out;
  }

  @Test
  void decodeShouldReturnReplyWhenOneLine() {
    List<ReplyDecoder.Result> r =
        decodeAll(new ReplyDecoder(512, 10), "250 2.1.0 Sender ok\r\n".getBytes(UTF_8), 100);
    assertThat(r).singleElement().isInstanceOf(ReplyDecoder.Done.class);
    Reply reply = ((ReplyDecoder.Done) r.getFirst()).reply();
    assertThat(reply.code()).isEqualTo(250);
    assertThat(reply.enhanced()).isEqualTo("2.1.0");
    assertThat(reply.text()).isEqualTo("Sender ok");
  }

  @Test
  void decodeShouldJoinLinesWhenMultiLineAtEveryBoundary() {
    byte[] bytes =
        "250-mx.example.test\r\n250-PIPELINING\r\n250 SIZE 1000\r\n354 go\r\n".getBytes(UTF_8);
    for (int chunk = 1; chunk <= bytes.length; chunk++) {
      List<ReplyDecoder.Result> r = decodeAll(new ReplyDecoder(512, 10), bytes, chunk);
      assertThat(r).hasSize(2);
      Reply ehlo = ((ReplyDecoder.Done) r.get(0)).reply();
      assertThat(ehlo.lines()).containsExactly("mx.example.test", "PIPELINING", "SIZE 1000");
      assertThat(Ehlo.parse(ehlo).maxSize()).isEqualTo(1000);
      assertThat(((ReplyDecoder.Done) r.get(1)).reply().code()).isEqualTo(354);
    }
  }

  @Test
  void decodeShouldAcceptBareCodeAndBareLf() {
    List<ReplyDecoder.Result> r =
        decodeAll(new ReplyDecoder(512, 10), "250\n220 ok\n".getBytes(UTF_8), 3);
    assertThat(r).extracting(x -> ((ReplyDecoder.Done) x).reply().code()).containsExactly(250, 220);
  }

  @Test
  void decodeShouldIgnoreEnhancedCodeWhenClassDiffers() {
    Reply reply =
        ((ReplyDecoder.Done)
                decodeAll(new ReplyDecoder(512, 10), "550 2.0.0 odd\r\n".getBytes(UTF_8), 50)
                    .getFirst())
            .reply();
    assertThat(reply.enhanced()).isEmpty();
    assertThat(reply.enhancedOrDefault()).isEqualTo("5.0.0");
  }

  @Test
  void decodeShouldBeBadWhenLineTooLongOrTooManyLinesOrNoCode() {
    assertThat(
            decodeAll(new ReplyDecoder(10, 10), "250 this is far too long\r\n".getBytes(UTF_8), 5)
                .getFirst())
        .isInstanceOf(ReplyDecoder.Bad.class);
    assertThat(
            decodeAll(new ReplyDecoder(512, 2), "250-a\r\n250-b\r\n250 c\r\n".getBytes(UTF_8), 5)
                .getFirst())
        .isInstanceOf(ReplyDecoder.Bad.class);
    assertThat(decodeAll(new ReplyDecoder(512, 2), "hello\r\n".getBytes(UTF_8), 5).getFirst())
        .isInstanceOf(ReplyDecoder.Bad.class);
    assertThat(decodeAll(new ReplyDecoder(512, 2), "250x\r\n".getBytes(UTF_8), 5).getFirst())
        .isInstanceOf(ReplyDecoder.Bad.class);
  }

  @Test
  void decodeShouldNeverThrowWhenInputIsArbitrary() {
    qt().forAll(
            lists().of(integers().between(0, 255)).ofSizeBetween(0, 300), integers().between(1, 20))
        .checkAssert(
            (ints, chunk) -> {
              byte[] bytes = new byte[ints.size()];
              for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (int) ints.get(i);
              }
              ReplyDecoder d = new ReplyDecoder(64, 4);
              for (ReplyDecoder.Result r : decodeAll(d, bytes, chunk)) {
                if (r instanceof ReplyDecoder.Done done) {
                  assertThat(done.reply().code()).isBetween(200, 599);
                  assertThat(done.reply().lines()).hasSizeBetween(1, 4);
                }
              }
            });
  }

  @Test
  void decodeShouldNotDependOnSplitWhenValidReplies() {
    byte[] bytes = "220-a\r\n220 b\r\n250 2.0.0 ok\r\n".getBytes(UTF_8);
    List<ReplyDecoder.Result> whole = decodeAll(new ReplyDecoder(512, 10), bytes, bytes.length);
    qt().forAll(integers().between(1, bytes.length))
        .checkAssert(
            chunk ->
                assertThat(decodeAll(new ReplyDecoder(512, 10), bytes, chunk)).isEqualTo(whole));
  }
}
