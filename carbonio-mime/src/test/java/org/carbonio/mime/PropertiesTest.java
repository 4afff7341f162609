package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class PropertiesTest {

  private static final List<String> FRAGMENTS =
      List.of(
          "\r\n",
          "\n",
          "\r",
          " ",
          "\t",
          ":",
          ";",
          "\"",
          "(",
          ")",
          "<",
          ">",
          "@",
          ",",
          "=?",
          "?=",
          "=?utf-8?q?a=C3?=",
          "=?utf-8?b?w6k=?=",
          "--b",
          "--b--",
          "--c",
          "Content-Type: multipart/mixed; boundary=b\r\n",
          "Content-Type: multipart/digest; boundary=c\r\n",
          "Content-Type: message/rfc822\r\n",
          "Content-Type: text/plain; charset*0*=utf-8''%C3; charset*1=x\r\n",
          "Content-Transfer-Encoding: base64\r\n",
          "Content-Disposition: attachment; filename=\"a\\\"b\"\r\n",
          "Content-Language: en, fr\r\n",
          "From: \"A, B\" <a@b.example>\r\n",
          "To: g: a@b, c@d;\r\n",
          "Subject: x\r\n",
          "\u00e9",
          "\u0000",
          "x");

  private static Gen<byte[]> arbitraryBytes() {
    return lists()
        .of(integers().between(0, 255))
        .ofSizeBetween(0, 600)
        .map(
            l -> {
              byte[] b = new byte[l.size()];
              for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (int) l.get(i);
              }
              return b;
            });
  }

  private static Gen<byte[]> mimeLike() {
    return lists()
        .of(integers().between(0, FRAGMENTS.size() - 1))
        .ofSizeBetween(0, 120)
        .map(
            l -> {
              StringBuilder sb = new StringBuilder();
              l.forEach(i -> sb.append(FRAGMENTS.get(i)));
              return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            });
  }

  /** The Dovecot test message with random edits: replaced, deleted and inserted bytes. */
  private static Gen<byte[]> mutatedMessage() {
    byte[] base = Msg.crlf(BodyStructureTest.DOVECOT_MSG);
    return lists()
        .of(integers().between(0, Integer.MAX_VALUE - 1))
        .ofSizeBetween(1, 12)
        .map(
            edits -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              out.writeBytes(base);
              byte[] b = out.toByteArray();
              for (int e : edits) {
                int pos = e % (b.length + 1);
                byte[] frag =
                    FRAGMENTS.get((e / 7) % FRAGMENTS.size()).getBytes(StandardCharsets.ISO_8859_1);
                ByteArrayOutputStream next = new ByteArrayOutputStream();
                switch ((e / 3) % 3) {
                  case 0 -> {
                    next.write(b, 0, pos);
                    next.writeBytes(frag);
                    next.write(b, pos, b.length - pos);
                  }
                  case 1 -> {
                    int cut = Math.min(b.length - pos, (e / 11) % 40);
                    next.write(b, 0, pos);
                    next.write(b, pos + cut, b.length - pos - cut);
                  }
                  default -> next.write(b, 0, pos); // truncate
                }
                b = next.toByteArray();
              }
              return b;
            });
  }

  @Test
  void parseShouldKeepInvariantsWhenBytesAreArbitrary() {
    qt().withExamples(2000)
        .forAll(arbitraryBytes())
        .checkAssert(b -> assertThat(Invariants.check(b)).isNull());
  }

  @Test
  void parseShouldKeepInvariantsWhenInputIsMimeLike() {
    qt().withExamples(3000)
        .forAll(mimeLike())
        .checkAssert(b -> assertThat(Invariants.check(b)).isNull());
  }

  @Test
  void parseShouldKeepInvariantsWhenRealMessageIsMutated() {
    qt().withExamples(2000)
        .forAll(mutatedMessage())
        .checkAssert(b -> assertThat(Invariants.check(b)).isNull());
  }

  @Test
  void partRangesShouldStayInsideBytesWhenPathIsArbitrary() {
    qt().withExamples(2000)
        .forAll(mimeLike(), lists().of(integers().between(-1, 4)).ofSizeBetween(0, 5))
        .checkAssert(
            (b, path) -> {
              ParsedMessage m = ParsedMessage.parse(b);
              m.part(path)
                  .ifPresent(
                      p -> assertThat(new ByteRange(0, b.length).contains(p.whole())).isTrue());
            });
  }

  @Test
  void decodeShouldNeverThrowWhenHeaderValueIsArbitrary() {
    qt().withExamples(2000)
        .forAll(mimeLike())
        .checkAssert(
            b ->
                assertThat(EncodedWords.decode(new String(b, StandardCharsets.ISO_8859_1)))
                    .isNotNull());
  }

  @Test
  void toCrlfShouldLeaveNoBareLineEndingWhenInputIsArbitrary() {
    qt().withExamples(500)
        .forAll(arbitraryBytes())
        .checkAssert(
            b -> {
              byte[] c = ParsedMessage.toCrlf(b);
              for (int i = 0; i < c.length; i++) {
                if (c[i] == '\n') {
                  assertThat(i > 0 && c[i - 1] == '\r').isTrue();
                }
                if (c[i] == '\r') {
                  assertThat(i + 1 < c.length && c[i + 1] == '\n').isTrue();
                }
              }
              assertThat(ParsedMessage.toCrlf(c)).isSameAs(c);
            });
  }
}
