package org.carbonio.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the SMTP side-by-side for a moment (the real server jar and a private Postfix, driven by
 * smtp-source), so that it cannot rot. The program itself checks that each side stored exactly what
 * it acknowledged.
 */
class SmtpLoadTest {

  @Test
  void loadShouldStoreEveryAcknowledgedMessageOnBothSidesWhenRunBriefly(@TempDir Path work)
      throws Exception {
    // Postfix's unprivileged processes must reach its directory under the work directory.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar =
        Path.of("..", "carbonio-server", "target", "carbonio-server.jar")
            .toAbsolutePath()
            .normalize();
    assertThat(jar).as("built by the reactor before this module").exists();
    SmtpLoad.Options o =
        new SmtpLoad.Options(
            work.resolve("run"), jar, 10, 30, 4, 2048, 1, false, List.of("-Xmx256m"));

    SmtpLoad.Outcome out = SmtpLoad.run(o);

    assertThat(out.rounds())
        .extracting(SmtpLoad.Result::server)
        .containsExactly("carbonio", "postfix");
    assertThat(out.rounds()).allSatisfy(r -> assertThat(r.cpuMicrosPerMessage()).isPositive());
    assertThat(out.rounds()).allSatisfy(r -> assertThat(r.storedPerSecond()).isPositive());
    assertThat(out.acknowledged()).isEqualTo(40);
    assertThat(out.carbonioStored()).isEqualTo(40);
    assertThat(out.postfixStored()).isEqualTo(40);
    assertThat(SmtpLoad.table(out)).contains("| carbonio | 1 |").contains("| postfix | 1 |");
  }
}
