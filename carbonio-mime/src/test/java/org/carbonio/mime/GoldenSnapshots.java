package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The golden snapshots of src/test/resources/golden: INDEX.tsv names corpus messages and the kinds
 * each covers; {@code <name>.txt} holds the message's BODYSTRUCTURE, ENVELOPE and extracted text.
 */
final class GoldenSnapshots {

  /** Where the snapshots live, relative to the module (Surefire runs tests there). */
  static final Path DIR = Path.of("src/test/resources/golden");

  /** Every kind of message the golden set must cover at least once. */
  static final List<String> KINDS =
      List.of(
          "nested-rfc822",
          "cte-7bit",
          "cte-8bit",
          "cte-binary",
          "cte-quoted-printable",
          "cte-base64",
          "cte-uuencode",
          "cte-invalid",
          "charset-iso-8859-x",
          "charset-windows-125x",
          "charset-koi8-r",
          "charset-gb2312-gbk",
          "charset-big5",
          "charset-iso-2022-jp",
          "charset-shift_jis",
          "charset-euc-kr",
          "charset-utf-7",
          "malformed",
          "truncated",
          "smime",
          "pgp-inline",
          "pgp-mime",
          "tnef",
          "dsn-report",
          "delivery-status",
          "calendar",
          "digest",
          "partial",
          "html-only",
          "rfc2231");

  /** One INDEX.tsv row. */
  record Entry(String name, String corpusPath, List<String> kinds) {}

  private GoldenSnapshots() {}

  static List<Entry> index() {
    List<Entry> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(DIR.resolve("INDEX.tsv"), UTF_8)) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        out.add(new Entry(f[0], f[1], List.of(f[2].split(","))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The snapshot text of one corpus message. */
  static String render(Entry e) throws IOException {
    byte[] bytes = ParsedMessage.toCrlf(Files.readAllBytes(Corpus.dir().resolve(e.corpusPath())));
    ParsedMessage m = ParsedMessage.parse(bytes);
    ExtractedText t = TextExtractor.builder().build().extract(m);
    StringBuilder sb = new StringBuilder();
    sb.append("# corpus: ").append(e.corpusPath()).append('\n');
    sb.append("# kinds: ").append(String.join(",", e.kinds())).append('\n');
    sb.append("== BODYSTRUCTURE\n").append(escapeLineEnds(m.bodyStructure())).append('\n');
    sb.append("== ENVELOPE\n").append(escapeLineEnds(m.envelope())).append('\n');
    sb.append("== EXTRACTED\n");
    sb.append("subject: ").append(t.subject()).append('\n');
    sb.append("from: ").append(t.from()).append('\n');
    sb.append("to: ").append(t.to()).append('\n');
    sb.append("cc: ").append(t.cc()).append('\n');
    sb.append("truncated: ").append(t.truncated()).append('\n');
    sb.append("attachments:\n");
    for (ExtractedText.Attachment a : t.attachments()) {
      sb.append("  - ")
          .append(a.fileName().isEmpty() ? "(no name)" : a.fileName())
          .append(" | ")
          .append(a.mediaType())
          .append(" | ")
          .append(a.size())
          .append('\n');
    }
    sb.append("== BODY\n").append(t.body()).append('\n');
    return sb.toString();
  }

  /** IMAP literals ({n}CRLF...) hold line ends: shown as \r and \n so the file stays one line. */
  private static String escapeLineEnds(String s) {
    return s.replace("\r", "\\r").replace("\n", "\\n");
  }

  /** A readable diff: the first differing line with three lines of context on each side. */
  static String diff(String expected, String actual) {
    String[] a = expected.split("\n", -1);
    String[] b = actual.split("\n", -1);
    int i = 0;
    while (i < a.length && i < b.length && a[i].equals(b[i])) {
      i++;
    }
    int j = 0; // common suffix
    while (j < a.length - i
        && j < b.length - i
        && a[a.length - 1 - j].equals(b[b.length - 1 - j])) {
      j++;
    }
    StringBuilder sb = new StringBuilder();
    sb.append("first difference at line ").append(i + 1).append('\n');
    for (int k = Math.max(0, i - 3); k < i; k++) {
      sb.append("  ").append(a[k]).append('\n');
    }
    for (int k = i; k < a.length - j && k < i + 40; k++) {
      sb.append("- ").append(a[k]).append('\n');
    }
    for (int k = i; k < b.length - j && k < i + 40; k++) {
      sb.append("+ ").append(b[k]).append('\n');
    }
    for (int k = a.length - j; k < Math.min(a.length, a.length - j + 3); k++) {
      sb.append("  ").append(a[k]).append('\n');
    }
    return sb.toString();
  }
}
