package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs the text extractor over the whole shared corpus. */
class TextExtractorCorpusTest {

  /**
   * Most messages whose body text may hold U+FFFD: 1%. They are messages whose octets are broken in
   * their declared charset (truncated multi-octet sequences, mislabelled spam), where no decoding
   * is right; the README lists the share measured.
   */
  static final double MAX_REPLACEMENT_SHARE = 0.01;

  @Test
  void everyMessageShouldExtractWithinCapsWhenCorpusIsRead() throws Exception {
    TextExtractor extractor = TextExtractor.builder().build();
    TextExtractor small = TextExtractor.builder().maxChars(2000).maxParts(20).build();
    List<Path> files = Corpus.files();
    List<String> problems = new ArrayList<>();
    List<String> replacement = new ArrayList<>();
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      ParsedMessage m = ParsedMessage.parse(bytes);
      ExtractedText t = extractor.extract(m);
      if (t.body().length() > extractor.maxChars()) {
        problems.add(f + ": body of " + t.body().length() + " chars");
      }
      if (t.body().indexOf('\uFFFD') >= 0) {
        replacement.add(Corpus.dir().relativize(f).toString());
      }
      ExtractedText s = small.extract(m);
      if (s.body().length() > 2000) {
        problems.add(f + ": small body of " + s.body().length() + " chars");
      }
      if (t.body().length() > 2000 && !s.truncated()) {
        problems.add(f + ": cut body not flagged truncated");
      }
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(5000);
    assertThat(problems).isEmpty();
    System.out.println(
        "TextExtractorCorpusTest: "
            + replacement.size()
            + " of "
            + files.size()
            + " bodies hold U+FFFD: "
            + replacement);
    assertThat((double) replacement.size() / files.size())
        .as("share of bodies with U+FFFD: %s", replacement)
        .isLessThanOrEqualTo(MAX_REPLACEMENT_SHARE);
  }
}
