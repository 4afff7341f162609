package org.carbonio.store.internal.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.carbonio.store.BlobId;
import org.carbonio.store.BlobStores;
import org.carbonio.store.S3BlobStoreConfig;
import org.carbonio.store.spi.BlobStore;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The blob store contract against a real S3 server (S3Proxy on 127.0.0.1, data in a temp dir). */
class S3BlobStoreTest implements BlobStoreContract {
  private static final String BUCKET = "carbonio-blobs";
  private static final String IDENTITY = "test-identity";
  private static final String CREDENTIAL = "test-credential";
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  @TempDir static Path s3Data;
  private static S3Proxy proxy;
  private static URI endpoint;
  private static S3Client admin;

  @TempDir Path staging;
  private String prefix;
  private BlobStore blobs;

  @BeforeAll
  static void startS3() throws Exception {
    Path data = Files.createDirectories(s3Data.resolve("data"));
    proxy =
        S3Proxy.builder()
            .blobStore(new FilesystemNio2BlobStore(data.toString()))
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, IDENTITY, CREDENTIAL)
            .build();
    proxy.start();
    assertThat(proxy.getState()).isEqualTo("STARTED");
    endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    admin =
        S3Client.builder()
            .endpointOverride(endpoint)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
            .forcePathStyle(true)
            .httpClientBuilder(Apache5HttpClient.builder())
            .build();
    admin.createBucket(b -> b.bucket(BUCKET));
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (admin != null) {
      admin.close();
    }
    if (proxy != null) {
      proxy.stop();
    }
  }

  @BeforeEach
  void open() throws IOException {
    prefix = "t" + PREFIXES.incrementAndGet() + "/";
    blobs = BlobStores.s3(config(prefix));
  }

  @AfterEach
  void close() throws IOException {
    blobs.close();
  }

  private S3BlobStoreConfig config(String keyPrefix) {
    return new S3BlobStoreConfig(
        endpoint, "us-east-1", BUCKET, keyPrefix, IDENTITY, CREDENTIAL, staging.resolve("stage"));
  }

  @Override
  public BlobStore store() {
    return blobs;
  }

  @Override
  public long storedBlobCount() {
    return admin.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
        .count();
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
        admin.getObjectAsBytes(b -> b.bucket(BUCKET).key(prefix + id.sha256())).asByteArray();
    assertThat(stored).containsExactly(1, 2, 3);
  }

  @Test
  void commitShouldSkipPutWhenObjectAlreadyExists() throws Exception {
    byte[] data = {4, 5, 6};
    BlobId id = blobs.put(new ByteArrayInputStream(data)).id();
    String key = prefix + id.sha256();
    // a marker in place of the object shows whether a second commit wrote it again
    admin.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(new byte[] {9}));
    assertThat(blobs.put(new ByteArrayInputStream(data)).id()).isEqualTo(id);
    assertThat(admin.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray())
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
            endpoint, "us-east-1", BUCKET, prefix, IDENTITY, "wrong", staging.resolve("stage"));
    try (BlobStore wrong = BlobStores.s3(bad)) {
      assertThatThrownBy(() -> wrong.put(new ByteArrayInputStream(new byte[] {1})))
          .isInstanceOf(IOException.class);
    }
    assertThat(stagedCount()).isZero();
  }

  @Test
  void configShouldHideSecretWhenPrinted() {
    assertThat(config(prefix).toString()).doesNotContain(CREDENTIAL).contains("<redacted>");
  }

  @Test
  void operationsShouldFailWhenStoreClosed() throws Exception {
    blobs.close();
    assertThatThrownBy(() -> blobs.stage(InputStream.nullInputStream()))
        .isInstanceOf(IllegalStateException.class);
    blobs.close();
  }
}
