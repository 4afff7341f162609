package org.carbonio.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the LMTP side-by-side for a moment (the real server jar and a private Dovecot), so that it
 * cannot rot. The load program itself checks that Dovecot stored every message it acknowledged.
 */
class LmtpLoadTest {

  @Test
  void loadShouldDeliverToBothServersWhenRunBriefly(@TempDir Path work) throws Exception {
    // Dovecot's unprivileged processes must reach the homes under the work directory.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar =
        Path.of("..", "carbonio-server", "target", "carbonio-server.jar")
            .toAbsolutePath()
            .normalize();
    assertThat(jar).as("built by the reactor before this module").exists();
    List<LmtpLoad.Result> rounds =
        LmtpLoad.run(work.resolve("run"), jar, 1, 1, 2, 2048, 3, 1, List.of("-Xmx256m"));
    assertThat(rounds).extracting(LmtpLoad.Result::server).containsExactly("carbonio", "dovecot");
    assertThat(rounds).allSatisfy(r -> assertThat(r.delivered()).isPositive());
    assertThat(rounds).allSatisfy(r -> assertThat(r.cpuMicrosPerDelivery()).isPositive());
  }
}
