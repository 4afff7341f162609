package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares BODYSTRUCTURE, ENVELOPE and extracted text of the golden corpus messages with their
 * snapshots. Run with {@code -Dgolden.update=true} to rewrite the snapshots, then read the diff.
 */
class GoldenSnapshotTest {

  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  @TestFactory
  Stream<DynamicTest> snapshotShouldMatchWhenMessageIsExtracted() {
    return GoldenSnapshots.index().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.name(),
                    () -> {
                      String actual = GoldenSnapshots.render(e);
                      Path file = GoldenSnapshots.DIR.resolve(e.name() + ".txt");
                      if (UPDATE) {
                        Files.writeString(file, actual, UTF_8);
                        return;
                      }
                      if (!Files.exists(file)) {
                        fail("no snapshot " + file + "; run with -Dgolden.update=true");
                      }
                      String expected = Files.readString(file, UTF_8);
                      if (!expected.equals(actual)) {
                        fail(
                            "snapshot "
                                + file
                                + " differs (run with -Dgolden.update=true to accept):\n"
                                + GoldenSnapshots.diff(expected, actual));
                      }
                    }));
  }

  @Test
  void indexShouldCoverEveryKindWhenGoldenSetIsChecked() {
    List<GoldenSnapshots.Entry> index = GoldenSnapshots.index();
    Set<String> covered = new HashSet<>();
    index.forEach(e -> covered.addAll(e.kinds()));
    assertThat(index).hasSizeGreaterThanOrEqualTo(60);
    assertThat(covered).containsAll(GoldenSnapshots.KINDS);
    assertThat(GoldenSnapshots.KINDS).containsAll(covered);
    assertThat(index.stream().map(GoldenSnapshots.Entry::name).distinct()).hasSize(index.size());
    for (GoldenSnapshots.Entry e : index) {
      assertThat(Corpus.dir().resolve(e.corpusPath())).isRegularFile();
    }
  }

  @Test
  void everySnapshotShouldBeListedWhenGoldenFolderIsRead() throws Exception {
    Set<String> names = new HashSet<>();
    GoldenSnapshots.index().forEach(e -> names.add(e.name() + ".txt"));
    try (Stream<Path> s = Files.list(GoldenSnapshots.DIR)) {
      List<String> orphans =
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".txt") && !names.contains(n))
              .toList();
      if (!UPDATE) {
        assertThat(orphans).isEmpty();
      }
    }
  }
}
