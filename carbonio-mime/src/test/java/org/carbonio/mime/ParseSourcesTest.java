package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

/**
 * {@code parse(byte[])}, {@code parse(Path)} and {@code parse(InputStream)} give the same result,
 * however the stream splits its reads and wherever it spills to a file.
 */
class ParseSourcesTest {

  private static final List<String> FRAGMENTS =
      List.of(
          "\r\n",
          "\n",
          " ",
          ":",
          "\"",
          "=",
          "=\r\n",
          "=3D",
          "=C3=A9",
          "QUJD",
          "REVG\r\n",
          "x==",
          "--b\r\n",
          "--b--\r\n",
          "--c\r\n",
          "\r\n\r\n",
          "Content-Type: multipart/mixed; boundary=b\r\n",
          "Content-Type: multipart/alternative; boundary=c\r\n",
          "Content-Type: message/rfc822\r\n",
          "Content-Type: text/plain; charset=utf-8\r\n",
          "Content-Transfer-Encoding: base64\r\n",
          "Content-Transfer-Encoding: quoted-printable\r\n",
          "From: \"A, B\" <a@b.example>\r\n",
          "Subject: =?utf-8?q?a=C3=A9?=\r\n",
          "begin 644 f.txt\r\n#86)C\r\n`\r\nend\r\n",
          "\u00e9",
          "line of text that goes on for a while\r\n",
          "x");

  @TempDir Path dir;

  private static Gen<byte[]> generated() {
    return lists()
        .of(integers().between(0, FRAGMENTS.size() - 1))
        .ofSizeBetween(0, 150)
        .map(
            l -> {
              StringBuilder sb = new StringBuilder();
              l.forEach(i -> sb.append(FRAGMENTS.get(i)));
              return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            });
  }

  @Test
  void parseShouldGiveSameResultWhenGeneratedMessageComesFromAnySource() {
    qt().withExamples(1500)
        .forAll(generated(), integers().between(1, 64), longs().all(), integers().between(0, 100))
        .checkAssert(
            (b, maxRead, seed, percent) -> {
              List<String> expected = fingerprint(ParsedMessage.parse(b));
              int threshold = b.length * percent / 100;
              assertThat(fingerprint(parseChoppy(b, maxRead, seed, threshold))).isEqualTo(expected);
              Path file = write(b);
              assertThat(fingerprint(parse(file))).isEqualTo(expected);
            });
  }

  @Test
  void parseShouldGiveSameResultWhenCorpusMessageIsReadInRandomChunks() {
    List<Path> files = Corpus.files();
    qt().withExamples(400)
        .forAll(
            integers().between(0, files.size() - 1),
            integers().between(1, 4096),
            longs().all(),
            integers().between(0, 100))
        .checkAssert(
            (index, maxRead, seed, percent) -> {
              byte[] b = read(files.get(index));
              List<String> expected = fingerprint(ParsedMessage.parse(b));
              int threshold = b.length * percent / 100;
              assertThat(fingerprint(parseChoppy(b, maxRead, seed, threshold))).isEqualTo(expected);
              assertThat(fingerprint(parse(files.get(index)))).isEqualTo(expected);
            });
  }

  @Test
  void parseShouldGiveSameResultWhenEveryCorpusMessageComesFromMappedFile() throws Exception {
    for (Path f : Corpus.files()) {
      List<String> expected = fingerprint(ParsedMessage.parse(Files.readAllBytes(f)));
      assertThat(fingerprint(ParsedMessage.parse(f))).as(f.toString()).isEqualTo(expected);
    }
  }

  @Test
  void bufferShouldHoldMessageWhateverTheSource() throws Exception {
    byte[] b = Msg.crlf("Subject: hi\n\nbody\n");
    Path file = write(b);
    for (ParsedMessage m :
        List.of(
            ParsedMessage.parse(b),
            ParsedMessage.parse(file),
            ParsedMessage.parse(new ByteArrayInputStream(b)),
            ParsedMessage.parse(new ByteArrayInputStream(b), MimeLimits.DEFAULTS, 3))) {
      ByteBuffer buf = m.buffer();
      assertThat(buf.isReadOnly()).isTrue();
      assertThat(buf.position()).isZero();
      assertThat(buf).isEqualTo(ByteBuffer.wrap(b));
      assertThat(HeaderFields.first(buf, m.root().header(), "subject")).hasValue("hi");
      assertThat(
              new String(
                  HeaderFields.select(buf, m.root().header(), List.of("Subject"), false),
                  StandardCharsets.ISO_8859_1))
          .isEqualTo("Subject: hi\r\n\r\n");
    }
  }

  @Test
  void bytesShouldFailWhenMessageWasParsedFromFileOrStream() throws Exception {
    byte[] b = Msg.crlf("Subject: hi\n\nbody\n");
    assertThat(ParsedMessage.parse(b).bytes()).isSameAs(b);
    assertThatThrownBy(() -> ParsedMessage.parse(write(b)).bytes())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("buffer()");
    assertThatThrownBy(() -> ParsedMessage.parse(new ByteArrayInputStream(b)).bytes())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void parseShouldDeleteSpilledFileWhenStreamIsLong() throws Exception {
    byte[] b = Msg.crlf("Subject: hi\n\n" + "body line\n".repeat(1000));
    String tmp = System.getProperty("java.io.tmpdir");
    try {
      System.setProperty("java.io.tmpdir", dir.toString());
      ParsedMessage m = ParsedMessage.parse(new ByteArrayInputStream(b), MimeLimits.DEFAULTS, 100);
      assertThat(m.root().body().length()).isEqualTo(b.length - "Subject: hi\r\n\r\n".length());
    } finally {
      System.setProperty("java.io.tmpdir", tmp);
    }
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void parseShouldHandleEmptyInputWhenFileOrStreamIsEmpty() throws Exception {
    String expected = ParsedMessage.parse(new byte[0]).bodyStructure();
    assertThat(ParsedMessage.parse(write(new byte[0])).bodyStructure()).isEqualTo(expected);
    assertThat(ParsedMessage.parse(InputStream.nullInputStream()).bodyStructure())
        .isEqualTo(expected);
    assertThat(
            ParsedMessage.parse(InputStream.nullInputStream(), MimeLimits.DEFAULTS, 0)
                .bodyStructure())
        .isEqualTo(expected);
  }

  @Test
  void parseShouldRefuseFileWhenLongerThanMaxSize() throws Exception {
    Path big = dir.resolve("big.eml");
    try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(ParsedMessage.MAX_SIZE + 1L); // sparse: takes no disk space
    }
    assertThatThrownBy(() -> ParsedMessage.parse(big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most " + ParsedMessage.MAX_SIZE + " bytes");
  }

  /** Structure, envelope, every part's ranges and content fields, and its decoded body. */
  static List<String> fingerprint(ParsedMessage m) {
    List<String> out = new ArrayList<>();
    out.add(m.bodyStructure());
    out.add(m.body());
    out.add(m.envelope());
    walk(m, m.root(), out);
    return out;
  }

  private static void walk(ParsedMessage m, MimePart p, List<String> out) {
    out.add(p + " " + p.contentTransferEncoding() + " " + p.parameters());
    try (InputStream in = m.decodedBody(p)) {
      out.add(
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (MimePart c : p.children()) {
      walk(m, c, out);
    }
    p.embeddedMessage().ifPresent(e -> walk(m, e, out));
  }

  /** Parses {@code b} through a stream whose reads return 1 to {@code maxRead} bytes. */
  private static ParsedMessage parseChoppy(byte[] b, int maxRead, long seed, int threshold) {
    try {
      return ParsedMessage.parse(
          new ChoppyStream(b, maxRead, seed), MimeLimits.DEFAULTS, threshold);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ParsedMessage parse(Path file) {
    try {
      return ParsedMessage.parse(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path write(byte[] b) {
    try {
      Path f = Files.createTempFile(dir, "m", ".eml");
      Files.write(f, b);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Serves an array in short reads of random length, as a socket or pipe may. */
  private static final class ChoppyStream extends InputStream {
    private final byte[] b;
    private final int maxRead;
    private final Random random;
    private int pos;

    ChoppyStream(byte[] b, int maxRead, long seed) {
      this.b = b;
      this.maxRead = maxRead;
      this.random = new Random(seed);
    }

    @Override
    public int read() {
      return pos < b.length ? b[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] d, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (pos >= b.length) {
        return -1;
      }
      int n = Math.min(len, Math.min(b.length - pos, 1 + random.nextInt(maxRead)));
      System.arraycopy(b, pos, d, off, n);
      pos += n;
      return n;
    }
  }
}
