package org.carbonio.directory.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.carbonio.directory.Directory;
import org.carbonio.directory.DirectoryLimits;
import org.carbonio.directory.EmbeddedDirectory;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the embedded directory (UnboundID in-memory server, durable on disk). */
class EmbeddedDirectoryContractTest implements DirectoryContract {
  @TempDir Path dir;

  @Override
  public Directory newDirectory() throws Exception {
    return EmbeddedDirectory.builder()
        .dataDir(Files.createTempDirectory(dir, "directory"))
        .limits(DirectoryLimits.DEFAULTS.withPbkdf2Iterations(1_000))
        .build();
  }
}
