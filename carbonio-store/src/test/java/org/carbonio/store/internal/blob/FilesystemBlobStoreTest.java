package org.carbonio.store.internal.blob;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.carbonio.store.spi.BlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBlobStoreTest implements BlobStoreContract {
  @TempDir Path dir;
  private FilesystemBlobStore blobs;

  @BeforeEach
  void open() throws IOException {
    blobs = new FilesystemBlobStore(dir.resolve("blobs"));
  }

  @AfterEach
  void close() {
    blobs.close();
  }

  @Override
  public BlobStore store() {
    return blobs;
  }

  @Override
  public long storedBlobCount() throws IOException {
    Path tmp = dir.resolve("blobs/tmp");
    try (Stream<Path> s = Files.walk(dir.resolve("blobs"))) {
      return s.filter(p -> !p.startsWith(tmp)).filter(Files::isRegularFile).count();
    }
  }

  @Override
  public long stagedCount() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("blobs/tmp"))) {
      return s.count();
    }
  }

  @Test
  void putShouldStoreUnderShardedSha256PathWhenCommitted() throws Exception {
    byte[] data = new byte[300_000];
    new Random(1).nextBytes(data);
    BlobStore.Staged s = blobs.put(new ByteArrayInputStream(data));
    String hex = s.id().sha256();
    Path expected =
        dir.resolve("blobs").resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex);
    assertThat(blobs.path(s.id())).isEqualTo(expected);
    assertThat(expected).exists();
  }

  @Test
  void constructorShouldRemoveStagedLeftoversWhenReopened() throws Exception {
    Files.writeString(dir.resolve("blobs/tmp/stage-123.tmp"), "partial");
    new FilesystemBlobStore(dir.resolve("blobs")).close();
    assertThat(stagedCount()).isZero();
  }
}
