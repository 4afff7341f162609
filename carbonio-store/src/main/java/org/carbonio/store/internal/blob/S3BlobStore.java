package org.carbonio.store.internal.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.carbonio.store.BlobId;
import org.carbonio.store.S3BlobStoreConfig;
import org.carbonio.store.spi.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Blobs as objects {@code keyPrefix + <sha256-hex>} in one bucket of an S3-compatible service,
 * through the AWS SDK v2 synchronous client (Apache HttpClient 5, which streams a request body of
 * known length rather than buffering it as the URL-connection client does; path-style requests).
 *
 * <p>Staging streams the content to a file in the configured local staging directory while hashing
 * it, so content is never held whole in memory; {@link Staged#commit} sends one PUT with the
 * content length (skipped when a HEAD finds the object already there) and then drops the file.
 *
 * <p>Durability: a blob is durable once the service acknowledged its PUT; that is the service's
 * guarantee (Amazon S3 stores the object redundantly before it answers 200), not something this
 * class can check. Equal content has an equal key, so concurrent commits of the same content write
 * identical bytes and either PUT may win.
 *
 * <p>Limits: one PUT per blob, so a blob may be at most 5 GiB (S3's single-PUT limit; no multipart
 * upload); staging needs local disk space for the content; {@link #read} holds a blob whole in
 * memory, so it suits only blobs well below 2 GiB; every request is bounded by the configured
 * connect and socket timeouts; the SDK retries failed requests with its standard policy. Deleting a
 * blob that a stream is still reading depends on the service (S3 lets the GET finish).
 *
 * <p>Thread-safe.
 */
public final class S3BlobStore implements BlobStore {
  private static final String STAGE_PREFIX = "s3stage-";

  private final S3Client client;
  private final String bucket;
  private final String keyPrefix;
  private final Path staging;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Connects (lazily) to the service and prepares the staging directory. */
  public S3BlobStore(S3BlobStoreConfig config) throws IOException {
    this.bucket = config.bucket();
    this.keyPrefix = config.keyPrefix();
    this.staging = config.stagingDirectory();
    Files.createDirectories(staging);
    StagedFile.deleteLeftovers(staging, STAGE_PREFIX);
    this.client =
        S3Client.builder()
            .endpointOverride(config.endpoint())
            .region(Region.of(config.region()))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey())))
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
            // S3-compatible services do not all accept the SDK's default trailing checksums
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClientBuilder(
                Apache5HttpClient.builder()
                    .connectionTimeout(config.connectTimeout())
                    .socketTimeout(config.socketTimeout()))
            .build();
  }

  /** The object key that holds {@code id}. */
  public String key(BlobId id) {
    return keyPrefix + id.sha256();
  }

  @Override
  public Staged stage(InputStream content) throws IOException {
    checkOpen();
    return new S3Staged(StagedFile.write(staging, STAGE_PREFIX, content));
  }

  @Override
  public InputStream open(BlobId id) throws IOException {
    checkOpen();
    String key = key(id);
    try {
      ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(bucket).key(key));
      return in;
    } catch (NoSuchKeyException e) {
      throw noSuchBlob(key, e);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw noSuchBlob(key, e);
      }
      throw io("GET", key, e);
    } catch (SdkException e) {
      throw io("GET", key, e);
    }
  }

  @Override
  public byte[] read(BlobId id) throws IOException {
    try (InputStream in = open(id)) {
      return in.readAllBytes();
    }
  }

  @Override
  public boolean exists(BlobId id) throws IOException {
    checkOpen();
    return exists(key(id));
  }

  private boolean exists(String key) throws IOException {
    try {
      client.headObject(b -> b.bucket(bucket).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false; // HEAD responses have no body, so no NoSuchKey code
      }
      throw io("HEAD", key, e);
    } catch (SdkException e) {
      throw io("HEAD", key, e);
    }
  }

  @Override
  public void delete(BlobId id) throws IOException {
    checkOpen();
    String key = key(id);
    try {
      client.deleteObject(b -> b.bucket(bucket).key(key)); // S3 DELETE of a missing key succeeds
    } catch (NoSuchKeyException e) {
      return;
    } catch (SdkException e) {
      throw io("DELETE", key, e);
    }
  }

  /** Closes the HTTP client. Idempotent; streams already open may fail afterwards. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      client.close();
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("S3 blob store is closed");
    }
  }

  private final class S3Staged extends StagedFile {

    S3Staged(Content content) {
      super(content);
    }

    @Override
    void publish() throws IOException {
      checkOpen();
      String key = key(id());
      if (!exists(key)) {
        try {
          client.putObject(
              b -> b.bucket(bucket).key(key).contentLength(size()), RequestBody.fromFile(file));
        } catch (SdkException e) {
          throw io("PUT", key, e);
        }
      }
      Files.deleteIfExists(file);
    }
  }

  private static NoSuchFileException noSuchBlob(String key, Exception cause) {
    NoSuchFileException e = new NoSuchFileException(key, null, "no such S3 object");
    e.initCause(cause);
    return e;
  }

  private IOException io(String method, String key, SdkException e) {
    return new IOException("S3 " + method + " " + bucket + "/" + key + " failed: " + e, e);
  }
}
