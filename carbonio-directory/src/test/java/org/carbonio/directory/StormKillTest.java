package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL during a provisioning storm (API and LDAP writers at once, snapshots rotating) loses no
 * acknowledged change, and the directory always opens cleanly afterwards.
 */
class StormKillTest {
  static final int ROUNDS = 20;

  @TempDir Path dir;

  record Ack(String kind, String address) {}

  @Test
  void acknowledgedChangesShouldSurviveWhenKilledDuringProvisioningStorm() throws Exception {
    Random random = new Random();
    long seed = random.nextLong();
    random.setSeed(seed);
    List<Ack> all = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      int killAfter = 5 + random.nextInt(60); // acknowledgements before the kill
      int snapshotEvery = 10 + random.nextInt(30);
      List<Ack> acked = runAndKill(round, killAfter, snapshotEvery);
      all.addAll(acked);
      try (EmbeddedDirectory d = Fixtures.open(dir)) { // opens cleanly
        for (Ack a : all) {
          Optional<Account> found = d.findAccount(a.address());
          assertThat(found).as("seed %d round %d: %s", seed, round, a).isPresent();
          if (a.kind().equals("admin")) {
            assertThat(found.orElseThrow().admin()).as("seed %d: %s", seed, a).isTrue();
          }
        }
        for (Ack a : acked) {
          assertThat(d.authenticate(a.address(), "pw-" + a.address(), Fixtures.CLIENT))
              .as("seed %d round %d: %s", seed, round, a)
              .isPresent();
        }
        assertThat(d.accounts(Optional.of("example.com")).size())
            .isGreaterThanOrEqualTo(
                (int) all.stream().filter(a -> !a.kind().equals("admin")).count());
      }
    }
    assertThat(all).extracting(Ack::kind).contains("api", "ldap", "admin");
  }

  private List<Ack> runAndKill(int round, int n, int snapshotEvery) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-XX:TieredStopAtLevel=1", // starts faster; 20 JVMs per run
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                StormKillChild.class.getName(),
                dir.toString(),
                Integer.toString(round),
                Integer.toString(snapshotEvery))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    List<Ack> acked = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acked.size() < n && (line = r.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          String[] parts = line.split(" ", 3);
          acked.add(new Ack(parts[1], parts[2]));
        } else if (line.startsWith("ERR ")) {
          errors.add(line);
        }
      }
      p.destroyForcibly(); // SIGKILL on POSIX
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertThat(errors).as("round %d", round).isEmpty();
    assertThat(acked).as("round %d", round).hasSize(n);
    return acked;
  }
}
