package org.carbonio.store.internal.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.carbonio.store.BlobId;
import org.carbonio.store.BlobStoreOptions;
import org.carbonio.store.BlobStores;
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
  void putShouldWriteZstFileWhenLargeAndCompressible() throws Exception {
    byte[] data = CompressibleContent.bytes(300_000, 1);
    BlobId id = blobs.put(new ByteArrayInputStream(data)).id();
    Path zst = blobs.compressedPath(id);
    assertThat(zst.getFileName().toString()).isEqualTo(id.sha256() + ".zst");
    assertThat(zst.getParent()).isEqualTo(blobs.path(id).getParent());
    assertThat(zst).exists();
    assertThat(blobs.path(id)).doesNotExist();
    assertThat(Files.size(zst)).isLessThan(data.length / 2);
    // a standard zstd frame (RFC 8878 §3.1.1: magic number 0xFD2FB528, little-endian)
    byte[] head = Arrays.copyOf(Files.readAllBytes(zst), 4);
    assertThat(head).containsExactly(0x28, 0xB5, 0x2F, 0xFD);
  }

  @Test
  void putShouldWriteRawFileWhenContentIsIncompressible() throws Exception {
    byte[] data = new byte[300_000];
    new Random(2).nextBytes(data);
    BlobId id = blobs.put(new ByteArrayInputStream(data)).id();
    assertThat(blobs.path(id)).exists().hasSize(data.length);
    assertThat(blobs.compressedPath(id)).doesNotExist();
  }

  @Test
  void storeShouldKeepOneCopyWhenReopenedWithOtherCompressionOptions() throws Exception {
    byte[] text = CompressibleContent.bytes(100_000, 2);
    BlobId compressed = blobs.put(new ByteArrayInputStream(text)).id();
    byte[] other = CompressibleContent.bytes(100_000, 3);
    BlobId raw;
    try (FilesystemBlobStore plain =
        new FilesystemBlobStore(dir.resolve("blobs"), BlobStoreOptions.UNCOMPRESSED)) {
      assertThat(plain.read(compressed)).isEqualTo(text);
      assertThat(plain.put(new ByteArrayInputStream(text)).id()).isEqualTo(compressed);
      raw = plain.put(new ByteArrayInputStream(other)).id();
    }
    assertThat(blobs.path(compressed)).doesNotExist();
    assertThat(blobs.compressedPath(raw)).doesNotExist();
    assertThat(blobs.put(new ByteArrayInputStream(other)).id()).isEqualTo(raw);
    assertThat(blobs.compressedPath(raw)).doesNotExist();
    assertThat(blobs.read(raw)).isEqualTo(other);
    assertThat(storedBlobCount()).isEqualTo(2);
  }

  @Test
  void openShouldFailWhenCompressedFileIsTruncated() throws Exception {
    BlobId id = blobs.put(new ByteArrayInputStream(CompressibleContent.bytes(300_000, 4))).id();
    Path zst = blobs.compressedPath(id);
    byte[] stored = Files.readAllBytes(zst);
    Files.write(zst, Arrays.copyOf(stored, stored.length - 10));
    assertThatThrownBy(() -> blobs.read(id)).isInstanceOf(IOException.class);
  }

  @Test
  void openShouldFailWhenCompressedFileIsCorrupted() throws Exception {
    BlobId id = blobs.put(new ByteArrayInputStream(CompressibleContent.bytes(300_000, 5))).id();
    Path zst = blobs.compressedPath(id);
    byte[] stored = Files.readAllBytes(zst);
    stored[stored.length / 2] ^= 0x55;
    Files.write(zst, stored);
    assertThatThrownBy(() -> blobs.read(id)).isInstanceOf(IOException.class);
  }

  @Test
  void forEachBlobShouldSkipForeignFilesWhenFanOutHoldsThem() throws Exception {
    BlobId id = blobs.put(new ByteArrayInputStream(new byte[] {1, 2, 3})).id();
    Path fan = blobs.path(id).getParent();
    Files.writeString(fan.resolve("notes.txt"), "not a blob");
    Files.writeString(fan.resolve(id.sha256() + ".bak"), "not a blob");
    // a well-formed name in the wrong fan-out directory is not this store's
    String misplaced = (id.sha256().startsWith("00") ? "ff" : "00") + id.sha256().substring(2);
    Files.writeString(fan.resolve(misplaced), "misplaced");
    Files.createDirectories(dir.resolve("blobs/zz/00"));
    Files.writeString(dir.resolve("blobs/zz/00/" + id.sha256()), "not a fan-out");
    Files.writeString(dir.resolve("blobs/tmp/stage-9.tmp"), "staged");
    assertThat(BlobStoreContract.listed(blobs)).containsOnlyKeys(id);
  }

  @Test
  void filesystemFactoryShouldApplyOptionsWhenGiven() throws Exception {
    byte[] text = CompressibleContent.bytes(100_000, 7);
    try (BlobStore plain =
        BlobStores.filesystem(dir.resolve("plain"), BlobStoreOptions.UNCOMPRESSED)) {
      BlobId id = plain.put(new ByteArrayInputStream(text)).id();
      assertThat(BlobStoreContract.listed(plain).get(id).compressed()).isFalse();
    }
    try (BlobStore eager =
        BlobStores.filesystem(
            dir.resolve("eager"), BlobStoreOptions.DEFAULTS.withCompressionThreshold(0))) {
      byte[] small = CompressibleContent.bytes(2_000, 8);
      BlobId id = eager.put(new ByteArrayInputStream(small)).id();
      assertThat(BlobStoreContract.listed(eager).get(id).compressed()).isTrue();
      assertThat(eager.read(id)).isEqualTo(small);
    }
  }

  @Test
  void optionsShouldRejectBadValuesWhenConstructed() {
    assertThatThrownBy(() -> new BlobStoreOptions(-1, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("compressionThreshold");
    assertThatThrownBy(() -> new BlobStoreOptions(0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("compressionLevel");
    assertThatThrownBy(() -> new BlobStoreOptions(0, 23))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(BlobStoreOptions.DEFAULTS.compresses(16 * 1024)).isTrue();
    assertThat(BlobStoreOptions.DEFAULTS.compresses(16 * 1024 - 1)).isFalse();
    assertThat(BlobStoreOptions.UNCOMPRESSED.compresses(Long.MAX_VALUE - 1)).isFalse();
  }

  @Test
  void constructorShouldRemoveStagedLeftoversWhenReopened() throws Exception {
    Files.writeString(dir.resolve("blobs/tmp/stage-123.tmp"), "partial");
    new FilesystemBlobStore(dir.resolve("blobs")).close();
    assertThat(stagedCount()).isZero();
  }
}
