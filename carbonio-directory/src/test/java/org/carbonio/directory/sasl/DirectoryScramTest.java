package org.carbonio.directory.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.carbonio.directory.AccountStatus;
import org.carbonio.directory.DirectoryLimits;
import org.carbonio.directory.EmbeddedDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCRAM-SHA-256 against the directory's stored verifiers, and rehashing of weaker hashes at the
 * next password login.
 */
class DirectoryScramTest {
  @TempDir Path dir;

  private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

  private static EmbeddedDirectory open(Path dir, int iterations) throws Exception {
    return EmbeddedDirectory.builder()
        .dataDir(dir)
        .limits(DirectoryLimits.DEFAULTS.withPbkdf2Iterations(iterations))
        .build();
  }

  private static SaslResult exchange(EmbeddedDirectory d, String user, String password) {
    ScramSha256Mechanism m = new ScramSha256Mechanism(d::scramCredentials, new byte[32]);
    ScramClient c = new ScramClient("n,,", user, "nonce-1", password);
    String first = ((SaslResult.Challenge) m.evaluate(c.clientFirst().getBytes(UTF_8))).message();
    return m.evaluate(c.clientFinal(first).getBytes(UTF_8));
  }

  @Test
  void scramShouldSucceedWithThePasswordSetThroughTheDirectoryOnly() throws Exception {
    try (EmbeddedDirectory d = open(dir, 1_000)) {
      d.createDomain("example.com");
      d.createAccount("alice@example.com", "correct horse");
      assertThat(exchange(d, "alice@example.com", "correct horse"))
          .isInstanceOf(SaslResult.Success.class);
      assertThat(exchange(d, "alice@example.com", "wrong horse"))
          .isInstanceOf(SaslResult.Failure.class);
      d.setPassword("alice@example.com", "battery staple");
      assertThat(exchange(d, "alice@example.com", "correct horse"))
          .isInstanceOf(SaslResult.Failure.class);
      assertThat(exchange(d, "alice@example.com", "battery staple"))
          .isInstanceOf(SaslResult.Success.class);
      d.setStatus("alice@example.com", AccountStatus.LOCKED);
      assertThat(exchange(d, "alice@example.com", "battery staple"))
          .isInstanceOf(SaslResult.Failure.class);
      assertThat(exchange(d, "nobody@example.com", "battery staple"))
          .isInstanceOf(SaslResult.Failure.class);
    }
  }

  @Test
  void loginShouldRehashAPasswordStoredWithFewerIterations() throws Exception {
    try (EmbeddedDirectory d = open(dir, 1_000)) {
      d.createDomain("example.com");
      d.createAccount("alice@example.com", "correct horse");
    }
    assertThat(Files.readString(dir.resolve("directory.ldif"))).contains("{PBKDF2-SHA512}1000$");
    try (EmbeddedDirectory d = open(dir, 2_000)) {
      assertThat(d.authenticate("alice@example.com", "correct horse", CLIENT)).isPresent();
      assertThat(d.authenticate("alice@example.com", "correct horse", CLIENT)).isPresent();
      assertThat(exchange(d, "alice@example.com", "correct horse"))
          .isInstanceOf(SaslResult.Success.class);
    }
    String ldif = Files.readString(dir.resolve("directory.ldif"));
    assertThat(ldif).contains("{PBKDF2-SHA512}2000$").doesNotContain("{PBKDF2-SHA512}1000$");
  }
}
