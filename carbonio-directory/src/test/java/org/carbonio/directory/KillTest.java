package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An acknowledged change survives kill -9 of the process. */
class KillTest {
  @TempDir Path dir;

  @Test
  void acknowledgedAccountsShouldSurviveWhenProcessIsKilled() throws Exception {
    List<String> acked = new ArrayList<>();
    for (int round = 0; round < 2; round++) { // second round: restart from a killed state
      acked.addAll(runAndKill(25));
    }
    try (EmbeddedDirectory d = Fixtures.open(dir)) {
      for (String address : acked) {
        assertThat(d.findAccount(address)).as(address).isPresent();
        int i = Integer.parseInt(address.substring(4, address.indexOf('@')));
        assertThat(d.authenticate(address, "pw" + i, Fixtures.CLIENT)).as(address).isPresent();
      }
      // the child went on creating accounts until the kill landed; none was lost or torn
      assertThat(d.accounts(Optional.of("example.com")).size())
          .isGreaterThanOrEqualTo(acked.size());
    }
  }

  private List<String> runAndKill(int n) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                KillChild.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    List<String> acked = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acked.size() < n && (line = r.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          acked.add(line.substring(4));
        }
      }
      p.destroyForcibly(); // SIGKILL on POSIX
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertThat(acked).hasSize(n);
    return acked;
  }
}
