package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quicktheories.core.Gen;

class CharsetsTest {

  private static final Charset UTF_7 = Charsets.lookup("utf-7").orElseThrow();

  @ParameterizedTest
  @CsvSource({
    "utf-8, UTF-8",
    "UTF8, UTF-8",
    "utf_8, UTF-8",
    "' \"utf-8\" ', UTF-8",
    "'utf-8*en', UTF-8",
    "unicode-1-1-utf-8, UTF-8",
    "x-unicode20utf8, UTF-8",
    "gb2312, GBK",
    "GB_2312-80, GBK",
    "euc-cn, GBK",
    "ks_c_5601-1987, x-windows-949",
    "KS_C_5601, x-windows-949",
    "ksc5601, x-windows-949",
    "korean, x-windows-949",
    "euc-kr, x-windows-949",
    "cp949, x-windows-949",
    "iso-8859-1, windows-1252",
    "ISO_8859-1, windows-1252",
    "latin1, windows-1252",
    "us-ascii, windows-1252",
    "ascii, windows-1252",
    "ANSI_X3.4-1968, windows-1252",
    "cp1252, windows-1252",
    "windows1252, windows-1252",
    "win-1251, windows-1251",
    "cp932, windows-31j",
    "shift_jis, windows-31j",
    "cp850, IBM850",
    "iso-8859-15, ISO-8859-15",
    "koi8-r, KOI8-R",
    "iso-8859-8-i, ISO-8859-8",
    "big5, Big5-HKSCS",
    "unicode, x-UTF-16LE-BOM",
    "utf-16, UTF-16",
    "x-mac-roman, x-MacRoman",
    "macintosh, x-MacRoman",
    "x-mac-cyrillic, x-MacCyrillic",
    "utf-7, UTF-7",
    "UNICODE-1-1-UTF-7, UTF-7",
    "x-unicode-2-0-utf-7, UTF-7",
    "x-user-defined, x-user-defined",
  })
  void lookupShouldResolveLabelWhenAliasIsKnown(String label, String expected) {
    assertThat(Charsets.lookup(label)).map(Charset::name).contains(expected);
  }

  @ParameterizedTest
  @CsvSource({"x-nonsense", "''", "'  '", "'\"\"'", "utf-8?", "cp99999", "=?"})
  void lookupShouldBeEmptyWhenLabelIsUnknown(String label) {
    assertThat(Charsets.lookup(label)).isEmpty();
    assertThat(Charsets.forDecoding(label).name()).isEqualTo("windows-1252");
  }

  @Test
  void lookupShouldBeEmptyWhenLabelIsNull() {
    assertThat(Charsets.lookup(null)).isEqualTo(Optional.empty());
    assertThat(Charsets.forDecoding(null).name()).isEqualTo("windows-1252");
  }

  @Test
  void decodeShouldUseSupersetWhenLabelIsNarrower() {
    // 똠 (U+B620) exists in windows-949 but not in KS C 5601 / EUC-KR
    byte[] b = {(byte) 0xbe, (byte) 0xc8, (byte) 0x8c, 0x63};
    assertThat(Charsets.decode(b, 0, b.length, "ks_c_5601-1987")).isEqualTo("안똠");
    // windows-1252 quotes in text labelled Latin-1
    byte[] q = {(byte) 0x93, 'a', (byte) 0x94};
    assertThat(Charsets.decode(q, 0, q.length, "iso-8859-1")).isEqualTo("\u201ca\u201d");
  }

  @Test
  void decodeShouldGuessWhenLabelIsUnknownOrAscii() {
    byte[] utf8 = "café".getBytes(UTF_8);
    byte[] latin = "café".getBytes(ISO_8859_1);
    for (String label : new String[] {null, "", "x-nonsense", "us-ascii"}) {
      assertThat(Charsets.decode(utf8, 0, utf8.length, label)).isEqualTo("café");
      assertThat(Charsets.decode(latin, 0, latin.length, label)).isEqualTo("café");
    }
    // a known 8-bit label is trusted even when the bytes happen to be valid UTF-8
    assertThat(Charsets.decode(utf8, 0, utf8.length, "iso-8859-1")).isEqualTo("cafÃ©");
  }

  @Test
  void decodeShouldHonourOffsetAndLength() {
    byte[] b = "xxcaféyy".getBytes(UTF_8);
    assertThat(Charsets.decode(b, 2, 5, "utf-8")).isEqualTo("café");
  }

  @Test
  void decodeShouldReadUnicodeAsLittleEndianWhenNoByteOrderMark() {
    byte[] le = {'H', 0, 'i', 0};
    byte[] be = {(byte) 0xfe, (byte) 0xff, 0, 'H', 0, 'i'};
    assertThat(Charsets.decode(le, 0, le.length, "unicode")).isEqualTo("Hi");
    assertThat(Charsets.decode(be, 0, be.length, "unicode")).isEqualTo("Hi");
  }

  @Test
  void decodeShouldMapHighBytesToPrivateUseWhenCharsetIsXUserDefined() {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    String s = Charsets.decode(all, 0, all.length, "x-user-defined");
    assertThat(s).hasSize(256);
    for (int i = 0; i < 256; i++) {
      assertThat((int) s.charAt(i)).isEqualTo(i < 0x80 ? i : 0xF780 + i - 0x80);
    }
    // WHATWG Encoding §14.5: the encoder is the inverse
    assertThat(s.getBytes(Charsets.lookup("x-user-defined").orElseThrow())).isEqualTo(all);
  }

  // RFC 2152 §"Examples" (Hi Mom -☺-!, 日本語, A≢Α.)
  @ParameterizedTest
  @CsvSource({
    "'Hi Mom -+Jjo--!', 'Hi Mom -\u263a-!'",
    "'+ZeVnLIqe-', '\u65e5\u672c\u8a9e'",
    "'A+ImIDkQ.', 'A\u2262\u0391.'",
    "'Item 3 is +AKM-1.', 'Item 3 is \u00a31.'",
    "'1 +- 1 = 2', '1 + 1 = 2'",
    "'+ZeVnLIqe', '\u65e5\u672c\u8a9e'",
    "'a+ b', 'a+ b'",
    "'a+', 'a+'",
    "'+AGF', 'a\ufffd'",
  })
  void utf7ShouldDecodeRfc2152Examples(String encoded, String text) {
    assertThat(new String(encoded.getBytes(US_ASCII), UTF_7)).isEqualTo(text);
  }

  @Test
  void utf7ShouldEncodeWithClosedRunsWhenTextIsNotDirect() {
    assertThat(new String("Hi Mom -\u263a-!".getBytes(UTF_7), US_ASCII))
        .isEqualTo("Hi Mom -+Jjo--+ACE-");
    assertThat(new String("\u65e5\u672c\u8a9e".getBytes(UTF_7), US_ASCII)).isEqualTo("+ZeVnLIqe-");
    assertThat(new String("1 + 1".getBytes(UTF_7), US_ASCII)).isEqualTo("1 +- 1");
    assertThat(new String("\uD83D\uDE00".getBytes(UTF_7), US_ASCII)).isEqualTo("+2D3eAA-");
  }

  @Test
  void utf7ShouldRoundTripWhenTextIsArbitrary() {
    qt().withExamples(2000)
        .forAll(strings().allPossible().ofLengthBetween(0, 40))
        .checkAssert(s -> assertThat(new String(s.getBytes(UTF_7), UTF_7)).isEqualTo(s));
  }

  @Test
  void utf7ShouldRoundTripWhenTextMixesDirectAndBase64Characters() {
    Gen<String> mixed =
        lists()
            .of(integers().between(0, 9))
            .ofSizeBetween(0, 30)
            .map(
                l -> {
                  StringBuilder sb = new StringBuilder();
                  for (int k : l) {
                    sb.append("a+-é ☺\uD83D\uDE00\r\n~".charAt(k));
                  }
                  return sb.toString();
                });
    qt().withExamples(2000)
        .forAll(mixed)
        .checkAssert(s -> assertThat(new String(s.getBytes(UTF_7), UTF_7)).isEqualTo(s));
  }

  @Test
  void utf7DecoderShouldNeverThrowWhenBytesAreArbitrary() {
    qt().withExamples(2000)
        .forAll(lists().of(integers().between(0, 255)).ofSizeBetween(0, 60))
        .checkAssert(
            l -> {
              byte[] b = new byte[l.size()];
              for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (int) l.get(i);
              }
              assertThat(new String(b, UTF_7)).isNotNull();
              assertThat(Charsets.decode(b, 0, b.length, "unicode-1-1-utf-7")).isNotNull();
              assertThat(decodeByteByByte(b)).isEqualTo(new String(b, UTF_7));
            });
  }

  @Test
  void utf7EncoderShouldGiveSameBytesWhenFedOneCharAtATime() {
    qt().withExamples(1000)
        .forAll(strings().allPossible().ofLengthBetween(0, 30))
        .checkAssert(s -> assertThat(encodeCharByChar(s)).isEqualTo(s.getBytes(UTF_7)));
  }

  /**
   * Feeds the encoder one char at a time with a five-byte output buffer (the most one char needs).
   */
  private static byte[] encodeCharByChar(String s) {
    java.nio.charset.CharsetEncoder e = UTF_7.newEncoder();
    java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
    ByteBuffer out = ByteBuffer.allocate(5);
    for (int i = 0; i <= s.length(); i++) {
      boolean end = i == s.length();
      CharBuffer in = CharBuffer.wrap(end ? "" : s.substring(i, i + 1));
      CoderResult r;
      do {
        r = e.encode(in, out, end);
        drainBytes(out, sink);
      } while (r.isOverflow());
    }
    CoderResult r;
    do {
      r = e.flush(out);
      drainBytes(out, sink);
    } while (r.isOverflow());
    return sink.toByteArray();
  }

  private static void drainBytes(ByteBuffer out, java.io.ByteArrayOutputStream sink) {
    out.flip();
    while (out.hasRemaining()) {
      sink.write(out.get());
    }
    out.clear();
  }

  /** Feeds the decoder one byte at a time with a one-char output buffer. */
  private static String decodeByteByByte(byte[] b) {
    CharsetDecoder d = UTF_7.newDecoder();
    StringBuilder sb = new StringBuilder();
    CharBuffer out = CharBuffer.allocate(1);
    ByteBuffer in = ByteBuffer.allocate(b.length);
    for (int i = 0; i <= b.length; i++) {
      boolean end = i == b.length;
      if (!end) {
        in.put(b[i]);
      }
      in.flip();
      CoderResult r;
      do {
        r = d.decode(in, out, end);
        drain(out, sb);
      } while (r.isOverflow());
      in.compact();
    }
    CoderResult r;
    do {
      r = d.flush(out);
      drain(out, sb);
    } while (r.isOverflow());
    return sb.toString();
  }

  private static void drain(CharBuffer out, StringBuilder sb) {
    out.flip();
    sb.append(out);
    out.clear();
  }

  @Test
  void lookupShouldKnowEveryJdkCharsetName() {
    List<String> unknown =
        Charset.availableCharsets().keySet().stream()
            .filter(n -> Charsets.lookup(n).isEmpty())
            .toList();
    assertThat(unknown).isEmpty();
  }
}
