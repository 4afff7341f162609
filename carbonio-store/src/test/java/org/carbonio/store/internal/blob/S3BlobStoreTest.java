package org.carbonio.store.internal.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.carbonio.store.BlobId;
import org.carbonio.store.BlobStoreOptions;
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
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The blob store contract against a real S3 server (S3Proxy on 127.0.0.1, data in a temp dir). */
class S3BlobStoreTest implements BlobStoreContract {
  private static final String BUCKET = S3Fixture.BUCKET;
  @TempDir static Path s3Data;
  private static S3Fixture s3;
  private static S3Client admin;

  @TempDir Path staging;
  private String prefix;
  private BlobStore blobs;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Fixture.start(s3Data);
    admin = s3.admin();
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
  public int propertyExamples() {
    return 20; // about ten requests per example
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
  void commitShouldPutZstObjectWhenLargeAndCompressible() throws Exception {
    byte[] data = CompressibleContent.bytes(300_000, 1);
    BlobId id = blobs.put(new ByteArrayInputStream(data)).id();
    String key = prefix + id.sha256();
    assertThat(exists(key + ".zst")).isTrue();
    assertThat(exists(key)).isFalse();
    byte[] stored = admin.getObjectAsBytes(b -> b.bucket(BUCKET).key(key + ".zst")).asByteArray();
    assertThat(stored.length).isLessThan(data.length / 2);
    // a standard zstd frame (RFC 8878 §3.1.1: magic number 0xFD2FB528, little-endian)
    assertThat(Arrays.copyOf(stored, 4)).containsExactly(0x28, 0xB5, 0x2F, 0xFD);
  }

  @Test
  void storeShouldKeepOneCopyWhenReopenedWithOtherCompressionOptions() throws Exception {
    byte[] text = CompressibleContent.bytes(100_000, 2);
    BlobId id = blobs.put(new ByteArrayInputStream(text)).id();
    try (BlobStore plain =
        BlobStores.s3(config(prefix).withOptions(BlobStoreOptions.UNCOMPRESSED))) {
      assertThat(plain.exists(id)).isTrue();
      assertThat(plain.read(id)).isEqualTo(text);
      assertThat(plain.put(new ByteArrayInputStream(text)).id()).isEqualTo(id);
    }
    assertThat(exists(prefix + id.sha256())).isFalse();
    assertThat(storedBlobCount()).isEqualTo(1);
  }

  @Test
  void commitShouldUploadInPartsWhenAboveMultipartThreshold() throws Exception {
    long size = 13L << 20;
    String expected;
    try (InputStream in = new GeneratedContent(size, 13)) {
      expected = BlobStoreContract.sha256Hex(in);
    }
    try (BlobStore multipart = BlobStores.s3(config(prefix).withMultipart(6L << 20, 5L << 20))) {
      BlobStore.Staged s = multipart.put(new GeneratedContent(size, 13));
      assertThat(s.id().sha256()).isEqualTo(expected);
      String key = prefix + s.id().sha256();
      // a multipart object's ETag is "<md5 of the part md5s>-<part count>"
      assertThat(admin.headObject(b -> b.bucket(BUCKET).key(key)).eTag()).endsWith("-3\"");
      try (InputStream in = multipart.open(s.id())) {
        CountingDigest back = CountingDigest.of(in);
        assertThat(back.count()).isEqualTo(size);
        assertThat(back.hex()).isEqualTo(expected);
      }
    }
    assertThat(pendingUploads()).isEmpty();
    assertThat(stagedCount()).isZero();
  }

  @Test
  void commitShouldAbortMultipartUploadWhenAPartFails() throws Exception {
    try (BlobStore multipart = BlobStores.s3(config(prefix).withMultipart(6L << 20, 5L << 20))) {
      try (BlobStore.Staged s = multipart.stage(new GeneratedContent(13L << 20, 14))) {
        // the staged file shrinks under the upload: the second part cannot be read whole
        Path staged;
        try (Stream<Path> files = Files.list(staging.resolve("stage"))) {
          staged = files.findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(staged, StandardOpenOption.WRITE)) {
          ch.truncate(7L << 20);
        }
        assertThatThrownBy(s::commit)
            .isInstanceOf(IOException.class)
            .hasMessageContaining("UploadPart");
        assertThat(exists(prefix + s.id().sha256())).isFalse();
      }
    }
    assertThat(pendingUploads()).isEmpty();
    assertThat(storedBlobCount()).isZero();
    assertThat(stagedCount()).isZero();
  }

  @Test
  void forEachBlobShouldFollowContinuationWhenListingSpansPages() throws Exception {
    Set<BlobId> put = new HashSet<>();
    try (S3BlobStore paged = new S3BlobStore(config(prefix), 2)) {
      for (int i = 0; i < 5; i++) {
        put.add(paged.put(new ByteArrayInputStream(new byte[] {(byte) i})).id());
      }
      admin.putObject(
          b -> b.bucket(BUCKET).key(prefix + "not-a-blob"), RequestBody.fromBytes(new byte[] {1}));
      admin.putObject(
          b -> b.bucket(BUCKET).key(prefix + "sub/" + put.iterator().next().sha256()),
          RequestBody.fromBytes(new byte[] {1}));
      assertThat(BlobStoreContract.listed(paged).keySet()).isEqualTo(put);
    }
  }

  @Test
  void openShouldNameKeyWhenObjectMissing() throws Exception {
    BlobId missing = new BlobId("ab".repeat(32));
    assertThatThrownBy(() -> blobs.open(missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(BUCKET + "/" + prefix + missing.sha256());
  }

  @Test
  void operationsShouldFailWithStatusWhenServiceAnswers503() throws Exception {
    HttpServer unavailable =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    unavailable.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Content-Type", "application/xml");
          byte[] body =
              ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>ServiceUnavailable</Code>"
                      + "<Message>try later</Message></Error>")
                  .getBytes(StandardCharsets.UTF_8);
          boolean head = "HEAD".equals(exchange.getRequestMethod());
          exchange.sendResponseHeaders(503, head ? -1 : body.length);
          if (!head) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    unavailable.start();
    try {
      URI down = URI.create("http://127.0.0.1:" + unavailable.getAddress().getPort());
      S3BlobStoreConfig config =
          new S3BlobStoreConfig(
              down,
              "us-east-1",
              BUCKET,
              prefix,
              S3Fixture.IDENTITY,
              S3Fixture.CREDENTIAL,
              staging.resolve("down"));
      try (BlobStore broken = BlobStores.s3(config)) {
        BlobId id = new BlobId("cd".repeat(32));
        assertThatThrownBy(() -> broken.open(id))
            .isInstanceOf(IOException.class)
            .isNotInstanceOf(NoSuchFileException.class)
            .hasMessageContaining("S3 GET " + BUCKET + "/" + prefix + id.sha256())
            .hasMessageContaining("HTTP 503");
        assertThatThrownBy(() -> broken.exists(id))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("HEAD")
            .hasMessageContaining("HTTP 503");
        assertThatThrownBy(() -> broken.put(new ByteArrayInputStream(new byte[] {1})))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("HTTP 503");
        assertThatThrownBy(() -> broken.forEachBlob(blob -> {}))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("LIST");
      }
    } finally {
      unavailable.stop(0);
    }
  }

  @Test
  void configShouldRejectBadMultipartSettingsWhenConstructed() {
    S3BlobStoreConfig ok = config(prefix);
    assertThat(ok.options()).isEqualTo(BlobStoreOptions.DEFAULTS);
    assertThat(ok.multipartThreshold()).isEqualTo(64L << 20);
    assertThat(ok.multipartPartSize()).isEqualTo(16L << 20);
    assertThatThrownBy(() -> ok.withMultipart(6L << 20, (5L << 20) - 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multipartPartSize");
    assertThatThrownBy(() -> ok.withMultipart((5L << 30) + 1, 5L << 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multipartThreshold");
    assertThatThrownBy(() -> ok.withOptions(null)).isInstanceOf(NullPointerException.class);
  }

  private boolean exists(String key) {
    try {
      admin.headObject(b -> b.bucket(BUCKET).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  private List<MultipartUpload> pendingUploads() {
    return admin.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads();
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
