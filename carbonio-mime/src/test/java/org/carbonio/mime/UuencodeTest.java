package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.carbonio.mime.internal.UudecodeStream;
import org.junit.jupiter.api.Test;

class UuencodeTest {

  /** Data lines as POSIX uuencode writes them (backquote for 0), ending with the "`" line. */
  static byte[] uuencode(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < b.length; i += 45) {
      int n = Math.min(45, b.length - i);
      out.write(enc(n));
      for (int j = i; j < i + n; j += 3) {
        int v = (b[j] & 0xff) << 16;
        v |= j + 1 < i + n ? (b[j + 1] & 0xff) << 8 : 0;
        v |= j + 2 < i + n ? b[j + 2] & 0xff : 0;
        for (int k = 18; k >= 0; k -= 6) {
          out.write(enc(v >>> k & 0x3f));
        }
      }
      out.write('\n');
    }
    out.write('`');
    out.write('\n');
    return out.toByteArray();
  }

  private static int enc(int v) {
    return v == 0 ? '`' : v + ' ';
  }

  static byte[] uudecode(byte[] b) {
    try (InputStream in = new UudecodeStream(b, 0, b.length)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(UuencodedBlock block) {
    try (InputStream in = block.decoded()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<UuencodedBlock> find(String text) {
    byte[] b = text.getBytes(ISO_8859_1);
    return Uuencode.find(b, new ByteRange(0, b.length));
  }

  @Test
  void findShouldDecodeBlockWhenTextHoldsOne() {
    // output of `printf 'Cat' | uuencode cat.txt`
    String text =
        "Hello,\r\nsee attached.\r\n\r\nbegin 644 cat.txt\r\n#0V%T\r\n`\r\nend\r\nBye\r\n";
    List<UuencodedBlock> blocks = find(text);
    assertThat(blocks).hasSize(1);
    UuencodedBlock b = blocks.get(0);
    assertThat(b.filename()).isEqualTo("cat.txt");
    assertThat(b.mode()).isEqualTo(0644);
    assertThat(read(b)).isEqualTo("Cat".getBytes(ISO_8859_1));
    int begin = text.indexOf("begin");
    assertThat(b.range()).isEqualTo(new ByteRange(begin, text.indexOf("Bye")));
    assertThat(b.data()).isEqualTo(new ByteRange(text.indexOf("#0V"), text.indexOf("end\r\n")));
  }

  @Test
  void findShouldRoundTripWhenDataIsLong() {
    byte[] data = new byte[1000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7);
    }
    String text = "begin 600 a b.bin \n" + new String(uuencode(data), ISO_8859_1) + "end\n";
    UuencodedBlock b = find(text).get(0);
    assertThat(b.filename()).isEqualTo("a b.bin");
    assertThat(b.mode()).isEqualTo(0600);
    assertThat(read(b)).isEqualTo(data);
  }

  @Test
  void findShouldReturnEveryBlockWhenSeveral() {
    String text =
        "begin 644 one\n#0V%T\n`\nend\ntext\nbegin 755 two\n#0V%T\n`\nbegin 644 three\n#0V%T\n";
    List<UuencodedBlock> blocks = find(text);
    assertThat(blocks).extracting(UuencodedBlock::filename).containsExactly("one", "two", "three");
    assertThat(blocks).allSatisfy(b -> assertThat(read(b)).isEqualTo("Cat".getBytes(ISO_8859_1)));
  }

  @Test
  void findShouldSkipBadLinesWhenBlockIsDamaged() {
    String text =
        "begin 644 cat.txt\n#0V%T\nthis is no uuencode\n#0V\n\n"
            + "#0V%T   \n#0V%T\u00ff\n#0V%T\n`\nend\n";
    // kept: the first line, the one with trailing blanks and the last; skipped: prose, a line too
    // short for its length, an empty line, a line with an 8-bit octet
    assertThat(read(find(text).get(0))).isEqualTo("CatCatCat".getBytes(ISO_8859_1));
  }

  @Test
  void findShouldTakeMissingTrailingCharactersAsZeroWhenBlanksWereStripped() {
    // "A" is "!00" plus a padding character; a mailer stripped a trailing blank
    assertThat(uudecode("!00\n".getBytes(ISO_8859_1))).isEqualTo(new byte[] {'A'});
    assertThat(uudecode("!00 \n".getBytes(ISO_8859_1))).isEqualTo(new byte[] {'A'});
  }

  @Test
  void findShouldIgnoreLinesWhenNotABeginLine() {
    assertThat(find("begin\nbegin 644\nbegin x file\n begin 644 f\nbegin 8 f\nbegin 644x f\n"))
        .isEmpty();
  }

  @Test
  void findShouldIgnoreBeginWhenFileNameIsMissing() {
    assertThat(find("begin 644\r\n#0V%T\r\nend\r\n")).isEmpty();
    assertThat(find("begin 644   \r\n#0V%T\r\nend\r\n")).isEmpty();
  }

  @Test
  void findShouldLookOnlyInRangeWhenGivenPartBody() {
    String msg =
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nbegin 644 in.txt\r\n"
            + "#0V%T\r\n`\r\nend\r\n--b\r\n\r\nbegin 644 other.txt\r\n#0V%T\r\nend\r\n--b--\r\n";
    ParsedMessage m = ParsedMessage.parse(msg.getBytes(ISO_8859_1));
    MimePart p = m.part(List.of(1)).orElseThrow();
    assertThat(Uuencode.find(m.bytes(), p.body()))
        .extracting(UuencodedBlock::filename)
        .containsExactly("in.txt");
  }
}
