package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how an S3-compatible blob store keeps blobs: objects {@code keyPrefix + sha256-hex} in
 * {@code bucket} at {@code endpoint}, reached with path-style requests ({@code
 * endpoint/bucket/key}) signed with the given static credentials.
 *
 * <p>Immutable. {@link #toString} does not show the secret key.
 *
 * @param endpoint the service's base URI, e.g. {@code http://127.0.0.1:9000}
 * @param region the signing region, e.g. {@code us-east-1}
 * @param bucket the bucket; must already exist
 * @param keyPrefix prepended to every object key (may be empty), e.g. {@code "blobs/"}
 * @param accessKeyId the access key id
 * @param secretAccessKey the secret access key
 * @param stagingDirectory a local directory that belongs to this store, for staged content; it is
 *     created if missing and emptied of leftovers when the store opens
 * @param connectTimeout timeout to connect to the endpoint
 * @param socketTimeout timeout for each read from the endpoint
 * @param options compression at rest; compressed blobs are objects {@code keyPrefix + sha256-hex +
 *     ".zst"}
 * @param multipartThreshold a blob whose stored size exceeds this many octets is uploaded in parts
 *     (S3 multipart upload) rather than with one PUT; at most {@value #MAX_SINGLE_PUT} (5 GiB, the
 *     single-PUT limit)
 * @param multipartPartSize the size of each part but the last, {@value #MIN_PART_SIZE} (5 MiB) to
 *     {@value #MAX_PART_SIZE} (5 GiB) octets (the S3 API's part limits); raised automatically when
 *     a blob would otherwise need more than {@value #MAX_PARTS} parts
 */
public record S3BlobStoreConfig(
    URI endpoint,
    String region,
    String bucket,
    String keyPrefix,
    String accessKeyId,
    String secretAccessKey,
    Path stagingDirectory,
    Duration connectTimeout,
    Duration socketTimeout,
    BlobStoreOptions options,
    long multipartThreshold,
    long multipartPartSize) {

  /** Default {@link #connectTimeout}: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default {@link #socketTimeout}: 60 seconds. */
  public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(60);

  /** Default {@link #multipartThreshold}: 64 MiB. */
  public static final long DEFAULT_MULTIPART_THRESHOLD = 64L << 20;

  /** Default {@link #multipartPartSize}: 16 MiB. */
  public static final long DEFAULT_MULTIPART_PART_SIZE = 16L << 20;

  /** Smallest part the S3 API accepts (but for the last part): 5 MiB. */
  public static final long MIN_PART_SIZE = 5L << 20;

  /** Largest part the S3 API accepts: 5 GiB. */
  public static final long MAX_PART_SIZE = 5L << 30;

  /** Largest object a single PUT may create: 5 GiB. */
  public static final long MAX_SINGLE_PUT = 5L << 30;

  /** Most parts one multipart upload may have. */
  public static final int MAX_PARTS = 10_000;

  /** Validates; names the first missing or bad component. */
  public S3BlobStoreConfig {
    requireNonNull(endpoint, "endpoint");
    requireNonNull(region, "region");
    requireNonNull(bucket, "bucket");
    requireNonNull(keyPrefix, "keyPrefix");
    requireNonNull(accessKeyId, "accessKeyId");
    requireNonNull(secretAccessKey, "secretAccessKey");
    requireNonNull(stagingDirectory, "stagingDirectory");
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(socketTimeout, "socketTimeout");
    requireNonNull(options, "options");
    if (!"http".equalsIgnoreCase(endpoint.getScheme())
        && !"https".equalsIgnoreCase(endpoint.getScheme())) {
      throw new IllegalArgumentException("endpoint must be http or https: " + endpoint);
    }
    if (region.isBlank()) {
      throw new IllegalArgumentException("region is blank");
    }
    if (bucket.isBlank()) {
      throw new IllegalArgumentException("bucket is blank");
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
    }
    if (socketTimeout.isNegative() || socketTimeout.isZero()) {
      throw new IllegalArgumentException("socketTimeout must be positive: " + socketTimeout);
    }
    if (multipartThreshold < 0 || multipartThreshold > MAX_SINGLE_PUT) {
      throw new IllegalArgumentException(
          "multipartThreshold must be 0.." + MAX_SINGLE_PUT + ": " + multipartThreshold);
    }
    if (multipartPartSize < MIN_PART_SIZE || multipartPartSize > MAX_PART_SIZE) {
      throw new IllegalArgumentException(
          "multipartPartSize must be "
              + MIN_PART_SIZE
              + ".."
              + MAX_PART_SIZE
              + ": "
              + multipartPartSize);
    }
  }

  /**
   * A configuration with the given timeouts, {@link BlobStoreOptions#DEFAULTS} and the default
   * multipart settings.
   */
  public S3BlobStoreConfig(
      URI endpoint,
      String region,
      String bucket,
      String keyPrefix,
      String accessKeyId,
      String secretAccessKey,
      Path stagingDirectory,
      Duration connectTimeout,
      Duration socketTimeout) {
    this(
        endpoint,
        region,
        bucket,
        keyPrefix,
        accessKeyId,
        secretAccessKey,
        stagingDirectory,
        connectTimeout,
        socketTimeout,
        BlobStoreOptions.DEFAULTS,
        DEFAULT_MULTIPART_THRESHOLD,
        DEFAULT_MULTIPART_PART_SIZE);
  }

  /** A configuration with the default timeouts, compression and multipart settings. */
  public S3BlobStoreConfig(
      URI endpoint,
      String region,
      String bucket,
      String keyPrefix,
      String accessKeyId,
      String secretAccessKey,
      Path stagingDirectory) {
    this(
        endpoint,
        region,
        bucket,
        keyPrefix,
        accessKeyId,
        secretAccessKey,
        stagingDirectory,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_SOCKET_TIMEOUT);
  }

  /** A copy with other compression options. */
  public S3BlobStoreConfig withOptions(BlobStoreOptions newOptions) {
    return new S3BlobStoreConfig(
        endpoint,
        region,
        bucket,
        keyPrefix,
        accessKeyId,
        secretAccessKey,
        stagingDirectory,
        connectTimeout,
        socketTimeout,
        newOptions,
        multipartThreshold,
        multipartPartSize);
  }

  /** A copy with other multipart settings. */
  public S3BlobStoreConfig withMultipart(long threshold, long partSize) {
    return new S3BlobStoreConfig(
        endpoint,
        region,
        bucket,
        keyPrefix,
        accessKeyId,
        secretAccessKey,
        stagingDirectory,
        connectTimeout,
        socketTimeout,
        options,
        threshold,
        partSize);
  }

  @Override
  public String toString() {
    return "S3BlobStoreConfig[endpoint="
        + endpoint
        + ", region="
        + region
        + ", bucket="
        + bucket
        + ", keyPrefix="
        + keyPrefix
        + ", accessKeyId="
        + accessKeyId
        + ", secretAccessKey=<redacted>, stagingDirectory="
        + stagingDirectory
        + ", connectTimeout="
        + connectTimeout
        + ", socketTimeout="
        + socketTimeout
        + ", options="
        + options
        + ", multipartThreshold="
        + multipartThreshold
        + ", multipartPartSize="
        + multipartPartSize
        + "]";
  }
}
