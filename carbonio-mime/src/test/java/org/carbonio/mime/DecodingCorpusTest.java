package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decodes every leaf part of every corpus message (see shared/corpus/README.md). */
class DecodingCorpusTest {

  @Test
  void everyLeafShouldDecodeQuicklyWhenCorpusIsPresent() throws IOException {
    List<Path> files = Corpus.files();
    long started = System.nanoTime();
    int[] counts = new int[4]; // leaves, base64, quoted-printable, uuencoded blocks
    byte[] buf = new byte[8192];
    for (Path f : files) {
      ParsedMessage m = ParsedMessage.parse(Files.readAllBytes(f));
      List<MimePart> leaves = new ArrayList<>();
      collect(m.root(), leaves);
      for (MimePart p : leaves) {
        counts[0]++;
        switch (p.contentTransferEncoding()) {
          case "base64" -> counts[1]++;
          case "quoted-printable" -> counts[2]++;
          default -> {}
        }
        long total = 0;
        try (InputStream in = m.decodedBody(p)) {
          for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
          }
        }
        assertThat(total).as(f + " " + p).isLessThanOrEqualTo(p.body().length());
        if (p.mediaType().equals("text")) {
          for (UuencodedBlock b : Uuencode.find(m.bytes(), p.body())) {
            counts[3]++;
            try (InputStream in = b.decoded()) {
              while (in.read(buf) > 0) {
                // drain
              }
            }
          }
        }
      }
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertThat(millis).isLessThan(20_000);
    assertThat(counts[1]).isGreaterThan(0);
    assertThat(counts[2]).isGreaterThan(0);
    System.out.printf(
        "decoded %d leaves (%d base64, %d quoted-printable, %d uuencoded blocks) of %d messages"
            + " in %d ms%n",
        counts[0], counts[1], counts[2], counts[3], files.size(), millis);
  }

  /**
   * Cross-checks against reference decoders on CRLF copies: the JDK's MIME base64 decoder (where it
   * does not reject the input) and Mime4j's quoted-printable decoder.
   */
  @Test
  void decodingShouldAgreeWithReferenceDecodersWhenCorpusIsPresent() throws IOException {
    List<Path> files = Corpus.files();
    int[] b64 = new int[2]; // compared, equal
    int[] qp = new int[2];
    List<String> diffs = new ArrayList<>();
    for (Path f : files) {
      ParsedMessage m = ParsedMessage.parse(ParsedMessage.toCrlf(Files.readAllBytes(f)));
      List<MimePart> leaves = new ArrayList<>();
      collect(m.root(), leaves);
      for (MimePart p : leaves) {
        byte[] ours;
        try (InputStream in = m.decodedBody(p)) {
          ours = in.readAllBytes();
        }
        InputStream raw =
            new java.io.ByteArrayInputStream(m.bytes(), p.body().start(), p.body().length());
        byte[] ref;
        int[] tally;
        if (p.contentTransferEncoding().equals("base64")) {
          try {
            ref = java.util.Base64.getMimeDecoder().wrap(raw).readAllBytes();
          } catch (IOException e) {
            continue; // the JDK rejects it; ours is lenient
          }
          tally = b64;
        } else if (p.contentTransferEncoding().equals("quoted-printable")) {
          ref = new org.apache.james.mime4j.codec.QuotedPrintableInputStream(raw).readAllBytes();
          tally = qp;
        } else {
          continue;
        }
        tally[0]++;
        if (java.util.Arrays.equals(ours, ref)) {
          tally[1]++;
        } else if (diffs.size() < 20) {
          diffs.add(f + " " + p + " ours " + ours.length + " ref " + ref.length);
        }
      }
    }
    System.out.printf(
        "base64 %d/%d equal, quoted-printable %d/%d equal%n", b64[1], b64[0], qp[1], qp[0]);
    diffs.forEach(System.out::println);
    assertThat(b64[1]).isEqualTo(b64[0]);
    assertThat((double) qp[1] / qp[0]).isGreaterThan(0.99);
  }

  private static void collect(MimePart p, List<MimePart> out) {
    if (p.embeddedMessage().isPresent()) {
      collect(p.embeddedMessage().get(), out);
    } else if (p.isMultipart()) {
      p.children().forEach(c -> collect(c, out));
    } else {
      out.add(p);
    }
  }
}
