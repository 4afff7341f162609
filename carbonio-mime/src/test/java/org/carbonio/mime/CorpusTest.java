package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the parser over the shared corpus of real messages (see shared/corpus/README.md). */
class CorpusTest {

  private static List<Path> files;

  @BeforeAll
  static void findCorpus() {
    files = Corpus.files();
  }

  @Test
  void everyMessageShouldParseWithInvariantsWhenCorpusIsPresent() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      String p = Invariants.check(bytes);
      if (p != null) {
        problems.add(f + ": " + p);
      }
    }
    assertThat(problems).isEmpty();
    assertThat(files.size()).isGreaterThan(1000);
  }

  @Test
  void crlfCopiesShouldParseWithInvariantsWhenCorpusIsPresent() throws IOException {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < files.size(); i += 5) {
      byte[] bytes = ParsedMessage.toCrlf(Files.readAllBytes(files.get(i)));
      String p = Invariants.check(bytes);
      if (p != null) {
        problems.add(files.get(i) + ": " + p);
      }
    }
    assertThat(problems).isEmpty();
  }

  /**
   * Cross-checks the part tree against Mime4j's token stream: the number of leaf bodies agrees on
   * (nearly) every message. Differences come from malformed messages that the two parsers read
   * differently (Mime4j matches boundaries by prefix, for one).
   */
  @Test
  void leafCountShouldAgreeWithMime4jWhenCorpusIsPresent() throws Exception {
    int agree = 0;
    int total = 0;
    MimeConfig config =
        MimeConfig.custom().setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxHeaderCount(-1).build();
    for (int i = 0; i < files.size(); i += 3) {
      byte[] bytes = Files.readAllBytes(files.get(i));
      MimeTokenStream ts = new MimeTokenStream(config);
      int mime4jLeaves = 0;
      try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
        ts.parse(in);
        for (EntityState s = ts.getState(); s != EntityState.T_END_OF_STREAM; s = ts.next()) {
          if (s == EntityState.T_BODY) {
            mime4jLeaves++;
          }
        }
      } catch (Exception e) {
        continue; // Mime4j gave up; nothing to compare
      }
      total++;
      if (leaves(ParsedMessage.parse(bytes).root()) == mime4jLeaves) {
        agree++;
      }
    }
    assertThat((double) agree / total).isGreaterThan(0.99);
  }

  private static int leaves(MimePart p) {
    if (p.embeddedMessage().isPresent()) {
      return leaves(p.embeddedMessage().get());
    }
    if (p.isMultipart()) {
      int n = 0;
      for (MimePart c : p.children()) {
        n += leaves(c);
      }
      return n;
    }
    return 1;
  }
}
