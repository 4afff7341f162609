package org.carbonio.store.internal.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.carbonio.store.BlobId;
import org.carbonio.store.BlobStoreOptions;
import org.carbonio.store.S3BlobStoreConfig;
import org.carbonio.store.spi.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs as objects {@code keyPrefix + <sha256-hex>} in one bucket of an S3-compatible service, or
 * {@code keyPrefix + <sha256-hex> + ".zst"} when stored zstd-compressed ({@link BlobStoreOptions}),
 * through the AWS SDK v2 synchronous client (Apache HttpClient 5, which streams a request body of
 * known length rather than buffering it as the URL-connection client does; path-style requests).
 *
 * <p>Staging streams the content to a file in the configured local staging directory while hashing
 * (and compressing) it, so content is never held whole in memory; {@link Staged#commit} sends one
 * PUT with the content length, or a multipart upload when the stored size exceeds {@link
 * S3BlobStoreConfig#multipartThreshold} (skipped when a HEAD finds the object already there in
 * either form), and then drops the file. A failed multipart upload is aborted, so no parts are left
 * behind.
 *
 * <p>Durability: a blob is durable once the service acknowledged its PUT (or completed its
 * multipart upload); that is the service's guarantee (Amazon S3 stores the object redundantly
 * before it answers 200), not something this class can check. Equal content has an equal key, so
 * concurrent commits of the same content write identical bytes and either PUT may win.
 *
 * <p>Limits: a blob may be at most 5 TiB at rest (10,000 parts of at most 5 GiB; the part size is
 * raised from the configured one when needed); staging needs local disk space for the content;
 * {@link #read} holds a blob whole in memory, so it suits only blobs well below 2 GiB; every
 * request is bounded by the configured connect and socket timeouts; the SDK retries failed requests
 * with its standard policy. Deleting a blob that a stream is still reading depends on the service
 * (S3 lets the GET finish).
 *
 * <p>Thread-safe.
 */
public final class S3BlobStore implements BlobStore {
  private static final String STAGE_PREFIX = "s3stage-";
  private static final String ZST = ".zst";

  private final S3Client client;
  private final String bucket;
  private final String keyPrefix;
  private final Path staging;
  private final BlobStoreOptions options;
  private final long multipartThreshold;
  private final long partSize;
  private final int listPageSize;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Connects (lazily) to the service and prepares the staging directory. */
  public S3BlobStore(S3BlobStoreConfig config) throws IOException {
    this(config, 1000);
  }

  /** As {@link #S3BlobStore(S3BlobStoreConfig)}, listing {@code listPageSize} keys per request. */
  S3BlobStore(S3BlobStoreConfig config, int listPageSize) throws IOException {
    this.listPageSize = listPageSize;
    this.bucket = config.bucket();
    this.keyPrefix = config.keyPrefix();
    this.staging = config.stagingDirectory();
    this.options = config.options();
    this.multipartThreshold = config.multipartThreshold();
    this.partSize = config.multipartPartSize();
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

  /** The object key that holds {@code id} when it is stored raw. */
  public String key(BlobId id) {
    return keyPrefix + id.sha256();
  }

  /** The object key that holds {@code id} when it is stored zstd-compressed. */
  public String compressedKey(BlobId id) {
    return key(id) + ZST;
  }

  @Override
  public Staged stage(InputStream content) throws IOException {
    checkOpen();
    return new S3Staged(StagedFile.write(staging, STAGE_PREFIX, content, options));
  }

  /**
   * Streams a GET of the raw object, or of the compressed one (decompressed as it is read).
   *
   * @throws NoSuchFileException naming the raw key when neither object exists
   */
  @Override
  public InputStream open(BlobId id) throws IOException {
    checkOpen();
    InputStream raw = get(key(id));
    if (raw != null) {
      return raw;
    }
    InputStream compressed = get(compressedKey(id));
    if (compressed != null) {
      return ZstdCodec.decompressing(compressed);
    }
    throw new NoSuchFileException(
        bucket + "/" + key(id), null, "no such S3 object, raw or " + ZST + " compressed");
  }

  /** A streaming GET, or null when the object does not exist. */
  private InputStream get(String key) throws IOException {
    try {
      ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(bucket).key(key));
      return in;
    } catch (NoSuchKeyException e) {
      return null;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return null;
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
    return exists(key(id)) || exists(compressedKey(id));
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
    deleteObject(key(id));
    deleteObject(compressedKey(id));
  }

  private void deleteObject(String key) throws IOException {
    try {
      client.deleteObject(b -> b.bucket(bucket).key(key)); // S3 DELETE of a missing key succeeds
    } catch (NoSuchKeyException e) {
      return;
    } catch (SdkException e) {
      throw io("DELETE", key, e);
    }
  }

  /**
   * Lists the objects under the key prefix with ListObjectsV2, page by page (1,000 keys per page);
   * keys that are not {@code <sha256-hex>} or {@code <sha256-hex>.zst} right under the prefix are
   * skipped. {@link StoredBlob#lastModified} has the service's precision (seconds on S3).
   */
  @Override
  public void forEachBlob(BlobVisitor visitor) throws IOException {
    checkOpen();
    String token = null;
    do {
      String continuation = token;
      ListObjectsV2Response page;
      try {
        page =
            client.listObjectsV2(
                b ->
                    b.bucket(bucket)
                        .prefix(keyPrefix)
                        .maxKeys(listPageSize)
                        .continuationToken(continuation));
      } catch (SdkException e) {
        throw io("LIST", keyPrefix, e);
      }
      for (S3Object o : page.contents()) {
        String name = o.key().substring(keyPrefix.length());
        boolean compressed = name.endsWith(ZST);
        String hex = compressed ? name.substring(0, name.length() - ZST.length()) : name;
        if (isSha256Hex(hex)) {
          visitor.visit(new StoredBlob(new BlobId(hex), o.size(), compressed, o.lastModified()));
        }
      }
      token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
    } while (token != null);
  }

  private static boolean isSha256Hex(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
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
      String key = compressed() ? compressedKey(id()) : key(id());
      String other = compressed() ? key(id()) : compressedKey(id());
      if (!exists(key) && !exists(other)) {
        if (storedSize() > multipartThreshold) {
          uploadMultipart(key, file, storedSize());
        } else {
          try {
            client.putObject(
                b -> b.bucket(bucket).key(key).contentLength(storedSize()),
                RequestBody.fromFile(file));
          } catch (SdkException e) {
            throw io("PUT", key, e);
          }
        }
      }
    }
  }

  /**
   * Uploads {@code length} octets of {@code file} as a multipart upload: CreateMultipartUpload, one
   * UploadPart per slice of the file, CompleteMultipartUpload. Any failure aborts the upload, so
   * the service drops the parts already sent.
   */
  private void uploadMultipart(String key, Path file, long length) throws IOException {
    long size = partSize(length);
    String uploadId;
    try {
      uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    } catch (SdkException e) {
      throw io("CreateMultipartUpload", key, e);
    }
    String step = "UploadPart";
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 1;
      for (long offset = 0; offset < length; offset += size, number++) {
        long len = Math.min(size, length - offset);
        int partNumber = number;
        try (FileSlice slice = new FileSlice(file, offset, len)) {
          String etag =
              client
                  .uploadPart(
                      b ->
                          b.bucket(bucket)
                              .key(key)
                              .uploadId(uploadId)
                              .partNumber(partNumber)
                              .contentLength(len),
                      RequestBody.fromContentProvider(slice, len, "application/octet-stream"))
                  .eTag();
          parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
        }
      }
      step = "CompleteMultipartUpload";
      client.completeMultipartUpload(
          b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
    } catch (SdkException e) {
      IOException failure = io(step, key, e);
      abort(key, uploadId, failure);
      throw failure;
    } catch (UncheckedIOException e) {
      abort(key, uploadId, e.getCause()); // from FileSlice.newStream: the staged file is gone
      throw e.getCause();
    } catch (RuntimeException | Error e) {
      abort(key, uploadId, e);
      throw e;
    }
  }

  /** The part size for {@code length} octets: the configured one, or more to stay in 10,000. */
  private long partSize(long length) throws IOException {
    long needed = (length + S3BlobStoreConfig.MAX_PARTS - 1) / S3BlobStoreConfig.MAX_PARTS;
    long size = Math.max(partSize, needed);
    if (size > S3BlobStoreConfig.MAX_PART_SIZE) {
      throw new IOException("blob of " + length + " octets exceeds the S3 multipart limit");
    }
    return size;
  }

  private void abort(String key, String uploadId, Throwable failure) {
    try {
      client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
    } catch (SdkException e) {
      failure.addSuppressed(io("AbortMultipartUpload", key, e));
    }
  }

  /** An error naming the operation, object and, for a service answer, its HTTP status and code. */
  private IOException io(String operation, String key, SdkException e) {
    StringBuilder msg =
        new StringBuilder("S3 ").append(operation).append(' ').append(bucket).append('/');
    msg.append(key).append(" failed: ");
    if (e instanceof AwsServiceException s) {
      msg.append("HTTP ").append(s.statusCode());
      if (s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null) {
        msg.append(' ').append(s.awsErrorDetails().errorCode());
      }
      if (s.statusCode() >= 500) {
        msg.append(" (server error; gave up after the SDK's retries)");
      }
    } else {
      msg.append(e.getMessage());
    }
    return new IOException(msg.toString(), e);
  }
}
