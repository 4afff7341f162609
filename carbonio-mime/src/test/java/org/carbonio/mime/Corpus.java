package org.carbonio.mime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shared corpus of 5,000 real messages (../shared/corpus, see its README): the build passes its
 * place as system property {@code carbonio.shared}. Missing corpus fails the tests that need it
 * rather than skipping them.
 */
final class Corpus {

  private Corpus() {}

  /** The corpus folder. */
  static Path dir() {
    String shared = System.getProperty("carbonio.shared");
    for (Path candidate :
        List.of(
            Path.of(shared == null ? "../shared" : shared, "corpus"),
            Path.of("/work/shared/corpus"))) {
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "shared corpus not found: set -Dcarbonio.shared to the folder that holds corpus/");
  }

  /** Every message file, sorted by path. */
  static List<Path> files() {
    try (Stream<Path> s = Files.walk(dir())) {
      return s.filter(p -> p.toString().endsWith(".eml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
