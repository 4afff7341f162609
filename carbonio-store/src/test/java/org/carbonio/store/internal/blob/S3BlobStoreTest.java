package org.carbonio.store.internal.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.carbonio.store.BlobId;
import org.carbonio.store.BlobStores;
import org.carbonio.store.S3BlobStoreConfig;
import org.carbonio.store.spi.BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/** The blob store contract against a real S3 server (S3Proxy on 127.0.0.1, data in a temp dir). */
class S3BlobStoreTest implements BlobStoreContract {
  @TempDir static Path s3Data;
  private static S3Fixture s3;

  @TempDir Path staging;
  private String prefix;
  private BlobStore blobs;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Fixture.start(s3Data);
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  @BeforeEach
  void open() throws IOException {
    prefix = s3.newPrefix();
    blobs = BlobStores.s3(config(prefix));
  }

  @AfterEach
  void close() throws IOException {
    blobs.close();
  }

  private S3BlobStoreConfig config(String keyPrefix) {
    return s3.config(keyPrefix, staging.resolve("stage"));
  }

  @Override
  public BlobStore store() {
    return blobs;
  }

  @Override
  public long storedBlobCount() {
    return s3.objectCount(prefix);
  }

  @Override
  public long stagedCount() throws IOException {
    try (Stream<Path> s = Files.list(staging.resolve("stage"))) {
      return s.count();
    }
  }

  @Test
  void commitShouldPutObjectAtPrefixAndHexWhenCommitted() throws Exception {
    BlobId id = blobs.put(new ByteArrayInputStream(new byte[] {1, 2, 3})).id();
    byte[] stored =
        s3.admin()
            .getObjectAsBytes(b -> b.bucket(S3Fixture.BUCKET).key(prefix + id.sha256()))
            .asByteArray();
    assertThat(stored).containsExactly(1, 2, 3);
  }

  @Test
  void commitShouldSkipPutWhenObjectAlreadyExists() throws Exception {
    byte[] data = {4, 5, 6};
    BlobId id = blobs.put(new ByteArrayInputStream(data)).id();
    String key = prefix + id.sha256();
    // a marker in place of the object shows whether a second commit wrote it again
    s3.admin()
        .putObject(b -> b.bucket(S3Fixture.BUCKET).key(key), RequestBody.fromBytes(new byte[] {9}));
    assertThat(blobs.put(new ByteArrayInputStream(data)).id()).isEqualTo(id);
    assertThat(s3.admin().getObjectAsBytes(b -> b.bucket(S3Fixture.BUCKET).key(key)).asByteArray())
        .containsExactly(9);
    assertThat(stagedCount()).isZero();
  }

  @Test
  void constructorShouldRemoveStagedLeftoversWhenReopened() throws Exception {
    Files.writeString(staging.resolve("stage/s3stage-123.tmp"), "partial");
    BlobStores.s3(config(prefix)).close();
    assertThat(stagedCount()).isZero();
  }

  @Test
  void storeShouldFailWithIoExceptionWhenCredentialsAreWrong() throws Exception {
    S3BlobStoreConfig bad =
        new S3BlobStoreConfig(
            s3.endpoint(),
            "us-east-1",
            S3Fixture.BUCKET,
            prefix,
            S3Fixture.IDENTITY,
            "wrong",
            staging.resolve("stage"));
    try (BlobStore wrong = BlobStores.s3(bad)) {
      assertThatThrownBy(() -> wrong.put(new ByteArrayInputStream(new byte[] {1})))
          .isInstanceOf(IOException.class);
    }
    assertThat(stagedCount()).isZero();
  }

  @Test
  void configShouldHideSecretWhenPrinted() {
    assertThat(config(prefix).toString())
        .doesNotContain(S3Fixture.CREDENTIAL)
        .contains("<redacted>");
  }

  @Test
  void operationsShouldFailWhenStoreClosed() throws Exception {
    blobs.close();
    assertThatThrownBy(() -> blobs.stage(InputStream.nullInputStream()))
        .isInstanceOf(IllegalStateException.class);
    blobs.close();
  }
}
