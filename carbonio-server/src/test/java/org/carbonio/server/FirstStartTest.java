package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the first start leaves in the data directory, and what the launcher says without a JDK. */
class FirstStartTest {

  @TempDir Path tmp;

  private static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void firstStartShouldCreateAdminSecretsAndCertificateWhenDataDirIsNew() throws Exception {
    Path data = tmp.resolve("data");
    String password;
    try (CarbonioServer server =
        CarbonioServer.start(ServerConfig.defaults(data).withEphemeralPorts())) {
      password = Files.readString(data.resolve("admin-password")).strip();
      assertThat(password).hasSizeGreaterThanOrEqualTo(20);
      assertThat(mode(data.resolve("admin-password"))).isEqualTo("rw-------");
      assertThat(mode(data.resolve("server.json"))).isEqualTo("rw-------");
      assertThat(mode(data.resolve("tls/key.pem"))).isEqualTo("rw-------");
      assertThat(Files.readString(data.resolve("tls/cert.pem")))
          .startsWith("-----BEGIN CERTIFICATE");
      assertThat(server.adminAddress()).isEqualTo("admin@localhost");
      assertThat(
              server
                  .directory()
                  .authenticate(
                      server.adminAddress(), password, java.net.InetAddress.getLoopbackAddress()))
          .hasValueSatisfying(a -> assertThat(a.admin()).isTrue());
    }
    assertThat(data.resolve("server.json")).doesNotExist();
    String certificate = Files.readString(data.resolve("tls/cert.pem"));

    try (CarbonioServer again =
        CarbonioServer.start(ServerConfig.defaults(data).withEphemeralPorts())) {
      assertThat(Files.readString(data.resolve("admin-password")).strip()).isEqualTo(password);
      assertThat(Files.readString(data.resolve("tls/cert.pem"))).isEqualTo(certificate);
      assertThat(again.directory().accounts(java.util.Optional.empty())).hasSize(1);
    }
  }

  @Test
  void launcherShouldNameWhatItLookedForWhenNoJdk21IsFound() throws Exception {
    Path launcher = Path.of(System.getProperty("carbonio.root"), "carbonio");
    Path emptyJvmDir = Files.createDirectories(tmp.resolve("jvm"));
    ExternalTool.Result result =
        ExternalTool.run(
            List.of("bash", launcher.toString(), "build"),
            Map.of(
                "JAVA_HOME",
                tmp.resolve("no-such-jdk").toString(),
                "CARBONIO_JVM_DIR",
                emptyJvmDir.toString()),
            tmp);
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stderr())
        .contains("no JDK 21 or newer found")
        .contains(tmp.resolve("no-such-jdk").toString())
        .contains(emptyJvmDir.toString());
  }
}
