package org.carbonio.store.internal.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.carbonio.store.BlobId;
import org.carbonio.store.spi.BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemBlobStoreTest {
  @TempDir Path dir;

  @Test
  void putShouldStoreUnderShardedSha256PathWhenCommitted() throws Exception {
    FilesystemBlobStore blobs = new FilesystemBlobStore(dir.resolve("blobs"));
    byte[] data = new byte[300_000];
    new Random(1).nextBytes(data);
    BlobStore.Staged s = blobs.put(new ByteArrayInputStream(data));
    String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    assertThat(s.id()).isEqualTo(new BlobId(hex));
    assertThat(s.size()).isEqualTo(data.length);
    Path expected =
        dir.resolve("blobs").resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex);
    assertThat(blobs.path(s.id())).isEqualTo(expected);
    assertThat(expected).exists();
    assertThat(blobs.read(s.id())).isEqualTo(data);
    try (InputStream in = blobs.open(s.id())) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    assertThat(tmpFiles()).isZero();
  }

  @Test
  void stageShouldLeaveNothingWhenClosedWithoutCommit() throws Exception {
    FilesystemBlobStore blobs = new FilesystemBlobStore(dir.resolve("blobs"));
    BlobId id;
    try (BlobStore.Staged s = blobs.stage(new ByteArrayInputStream(new byte[] {1, 2}))) {
      id = s.id();
      assertThat(tmpFiles()).isEqualTo(1);
    }
    assertThat(tmpFiles()).isZero();
    assertThat(blobs.exists(id)).isFalse();
    assertThatThrownBy(() -> blobs.read(id)).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void putShouldKeepOneFileWhenSameContentStoredTwice() throws Exception {
    FilesystemBlobStore blobs = new FilesystemBlobStore(dir.resolve("blobs"));
    BlobId a = blobs.put(new ByteArrayInputStream(new byte[] {7})).id();
    BlobId b = blobs.put(new ByteArrayInputStream(new byte[] {7})).id();
    assertThat(a).isEqualTo(b);
    try (Stream<Path> s = Files.walk(dir.resolve("blobs"))) {
      assertThat(s.filter(Files::isRegularFile).count()).isEqualTo(1);
    }
    blobs.delete(a);
    blobs.delete(a);
    assertThat(blobs.exists(a)).isFalse();
  }

  @Test
  void constructorShouldRemoveStagedLeftoversWhenReopened() throws Exception {
    new FilesystemBlobStore(dir.resolve("blobs"));
    Files.writeString(dir.resolve("blobs/tmp/stage-123.tmp"), "partial");
    new FilesystemBlobStore(dir.resolve("blobs"));
    assertThat(tmpFiles()).isZero();
  }

  @Test
  void stageShouldPropagateWhenContentStreamFails() throws Exception {
    FilesystemBlobStore blobs = new FilesystemBlobStore(dir.resolve("blobs"));
    InputStream broken =
        new InputStream() {
          int n;

          @Override
          public int read() throws IOException {
            if (n++ > 10) {
              throw new IOException("client went away");
            }
            return 'x';
          }
        };
    assertThatThrownBy(() -> blobs.stage(broken)).hasMessage("client went away");
    assertThat(tmpFiles()).isZero();
  }

  private long tmpFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("blobs/tmp"))) {
      return s.count();
    }
  }
}
