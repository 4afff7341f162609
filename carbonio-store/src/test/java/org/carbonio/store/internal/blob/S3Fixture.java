package org.carbonio.store.internal.blob;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.store.S3BlobStoreConfig;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An embedded S3 server for tests: S3Proxy on 127.0.0.1 and a free port, objects in a directory,
 * one bucket, and an admin client. Shared with carbonio-store-testkit's tests through the test-jar.
 *
 * <p>Thread-safe.
 */
public final class S3Fixture implements AutoCloseable {
  public static final String BUCKET = "carbonio-blobs";
  public static final String IDENTITY = "test-identity";
  public static final String CREDENTIAL = "test-credential";

  private final AtomicInteger prefixes = new AtomicInteger();
  private final S3Proxy proxy;
  private final URI endpoint;
  private final S3Client admin;

  private S3Fixture(S3Proxy proxy, URI endpoint, S3Client admin) {
    this.proxy = proxy;
    this.endpoint = endpoint;
    this.admin = admin;
  }

  /** Starts S3Proxy with its objects under {@code dir} and creates {@link #BUCKET}. */
  public static S3Fixture start(Path dir) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(new FilesystemNio2BlobStore(data.toString()))
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, IDENTITY, CREDENTIAL)
            .build();
    proxy.start();
    if (!"STARTED".equals(proxy.getState())) {
      proxy.stop();
      throw new IOException("S3Proxy did not start: " + proxy.getState());
    }
    URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    S3Client admin =
        S3Client.builder()
            .endpointOverride(endpoint)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
            .forcePathStyle(true)
            .httpClientBuilder(Apache5HttpClient.builder())
            .build();
    admin.createBucket(b -> b.bucket(BUCKET));
    return new S3Fixture(proxy, endpoint, admin);
  }

  public URI endpoint() {
    return endpoint;
  }

  public S3Client admin() {
    return admin;
  }

  /** A key prefix no other caller of this fixture got, for example {@code t7/}. */
  public String newPrefix() {
    return "t" + prefixes.incrementAndGet() + "/";
  }

  /** The blob store configuration for {@code keyPrefix}, staging under {@code staging}. */
  public S3BlobStoreConfig config(String keyPrefix, Path staging) {
    return new S3BlobStoreConfig(
        endpoint, "us-east-1", BUCKET, keyPrefix, IDENTITY, CREDENTIAL, staging);
  }

  /** How many objects lie under {@code prefix}. */
  public long objectCount(String prefix) {
    return admin.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
        .count();
  }

  @Override
  public void close() throws IOException {
    admin.close();
    try {
      proxy.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IOException("stopping S3Proxy failed", e);
    }
  }
}
