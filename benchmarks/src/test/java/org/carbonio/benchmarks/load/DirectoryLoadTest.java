package org.carbonio.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the directory side-by-side for a moment (500 accounts, one second per workload) against a
 * private slapd, so that it cannot rot: every login must succeed and every lookup find its account.
 */
class DirectoryLoadTest {

  @Test
  void loadShouldSucceedOnBothSidesWhenRunBriefly(@TempDir Path work) throws Exception {
    // slapd may run as the openldap user: it must reach its directory under the work directory.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Map<DirectoryLoad.Workload, DirectoryLoad.Result> totals;
    try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      totals =
          DirectoryLoad.run(
              work.resolve("run"), new DirectoryLoad.Options(500, 4, 0, 1, 1, 1_000), out);
    }
    String printed = buf.toString(StandardCharsets.UTF_8);
    System.out.print(printed);
    assertThat(totals).containsOnlyKeys(DirectoryLoad.Workload.values());
    assertThat(totals.values())
        .allSatisfy(
            r -> {
              assertThat(r.errors()).as(r.workload() + ": " + r.firstError()).isZero();
              assertThat(r.ops()).as(r.workload().name()).isPositive();
              assertThat(r.directoryMicrosPerOp()).as(r.workload().name()).isPositive();
            });
    assertThat(printed).contains("every operation succeeded", "| login, cache hit | embedded |");
  }
}
