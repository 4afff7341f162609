package org.carbonio.directory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;

/** Shared test settings. */
final class Fixtures {
  /** Low work factor so tests run fast; production uses the default. */
  static final DirectoryLimits FAST = DirectoryLimits.DEFAULTS.withPbkdf2Iterations(1_000);

  static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

  private Fixtures() {}

  static EmbeddedDirectory open(Path dir) throws IOException {
    return EmbeddedDirectory.builder().dataDir(dir).limits(FAST).build();
  }

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal); // literal: no lookup
    } catch (IOException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
