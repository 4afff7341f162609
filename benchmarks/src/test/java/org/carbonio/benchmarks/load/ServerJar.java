package org.carbonio.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/** The server jar the reactor built before this module. */
final class ServerJar {
  private ServerJar() {}

  static Path path() {
    Path jar =
        Path.of("..", "carbonio-server", "target", "carbonio-server.jar")
            .toAbsolutePath()
            .normalize();
    assertThat(jar).as("built by the reactor before this module").exists();
    return jar;
  }
}
