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
    Duration socketTimeout) {

  /** Default {@link #connectTimeout}: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default {@link #socketTimeout}: 60 seconds. */
  public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(60);

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
  }

  /** A configuration with the default timeouts. */
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
        + "]";
  }
}
