package org.carbonio.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the IMAP side-by-side for a moment (the real server jar and a private Dovecot), so that it
 * cannot rot: every command of the mix must succeed on both servers.
 */
class ImapLoadTest {

  @Test
  void loadShouldRunEveryCommandOnBothServersWhenRunBriefly(@TempDir Path work) throws Exception {
    // Dovecot's unprivileged processes must reach the homes under the work directory.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<ImapLoad.Result> results =
        ImapLoad.run(
            work.resolve("run"),
            ServerJar.path(),
            2,
            12,
            1,
            1,
            1,
            0,
            1,
            new ImapLoad.Mix(true, true),
            true,
            List.of("-Xmx256m"),
            new PrintStream(OutputStream.nullOutputStream()));
    assertThat(results)
        .extracting(r -> r.server() + " " + r.phase())
        .containsExactly(
            "carbonio warm-up 1", "dovecot warm-up", "carbonio round 1", "dovecot round 1");
    assertThat(results).allSatisfy(r -> assertThat(r.commands()).isPositive());
    assertThat(results.get(2).latencies())
        .containsKeys(
            "LOGIN",
            "SELECT",
            "FETCH headers",
            "FETCH body",
            "STORE",
            "NOOP",
            "APPEND",
            "IDLE",
            "EXPUNGE",
            "LOGOUT");
    assertThat(results.get(3).latencies()).containsKeys("APPEND", "IDLE", "EXPUNGE");
    assertThat(ImapLoad.table(results)).contains("carbonio/dovecot");
  }

  @Test
  void flatShouldHoldOnlyWhenTheLastThreeSlicesAreWithinTenPercent() {
    assertThat(ImapLoad.flat(List.of(900.0, 400.0, 410.0))).isFalse();
    assertThat(ImapLoad.flat(List.of(900.0, 400.0, 410.0, 395.0))).isTrue();
    assertThat(ImapLoad.flat(List.of(500.0, 400.0, 300.0))).isFalse();
  }
}
