package org.carbonio.server;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.carbonio.store.BlobStores;
import org.carbonio.store.MailStore;
import org.carbonio.store.S3BlobStoreConfig;
import org.carbonio.store.StoreConfig;
import org.carbonio.store.spi.BlobStore;
import org.carbonio.store.spi.QuotaPolicy;

/**
 * Where the server keeps mail. By default everything is embedded under {@code DIR/store} (SQLite
 * metadata, filesystem blobs); an installation that grows to several nodes puts metadata in
 * PostgreSQL and blobs in S3-compatible storage. Secrets are read from files (mode 0600 is the
 * operator's job), never from the command line. Immutable.
 *
 * @param postgres metadata in PostgreSQL instead of {@code DIR/store/metadata.db}
 * @param s3 blobs in S3 instead of {@code DIR/store/blobs}
 */
public record StoreBackends(Optional<Postgres> postgres, Optional<S3> s3) {

  /** Everything under {@code DIR/store}. */
  public static final StoreBackends EMBEDDED =
      new StoreBackends(Optional.empty(), Optional.empty());

  public StoreBackends {
    requireNonNull(postgres, "postgres");
    requireNonNull(s3, "s3");
  }

  /**
   * A PostgreSQL database for the metadata.
   *
   * @param jdbcUrl {@code jdbc:postgresql://host:port/database}
   * @param user the database user
   * @param passwordFile a file holding the password (surrounding whitespace ignored)
   */
  public record Postgres(String jdbcUrl, String user, Path passwordFile) {
    public Postgres {
      requireNonNull(jdbcUrl, "jdbcUrl");
      requireNonNull(user, "user");
      requireNonNull(passwordFile, "passwordFile");
      if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + jdbcUrl);
      }
    }
  }

  /**
   * An S3 bucket for the blobs (path-style requests, so any S3-compatible service works).
   *
   * @param endpoint the service, e.g. {@code https://s3.eu-west-1.amazonaws.com}
   * @param region the signing region
   * @param bucket an existing bucket
   * @param keyPrefix prepended to every object key (may be empty)
   * @param accessKeyId the access key id
   * @param secretKeyFile a file holding the secret access key
   */
  public record S3(
      URI endpoint,
      String region,
      String bucket,
      String keyPrefix,
      String accessKeyId,
      Path secretKeyFile) {
    public S3 {
      requireNonNull(endpoint, "endpoint");
      requireNonNull(region, "region");
      requireNonNull(bucket, "bucket");
      requireNonNull(keyPrefix, "keyPrefix");
      requireNonNull(accessKeyId, "accessKeyId");
      requireNonNull(secretKeyFile, "secretKeyFile");
    }
  }

  public StoreBackends withPostgres(Postgres p) {
    return new StoreBackends(Optional.of(p), s3);
  }

  public StoreBackends withS3(S3 bucket) {
    return new StoreBackends(postgres, Optional.of(bucket));
  }

  /**
   * A store opened on these backends, with the blob client it owns (S3); closing it closes both,
   * the store first.
   */
  public record OpenedStore(MailStore store, Optional<BlobStore> blobs) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try {
        store.close();
      } finally {
        if (blobs.isPresent()) {
          blobs.get().close();
        }
      }
    }
  }

  /**
   * Opens the store these backends name; what stays local (the embedded database, filesystem blobs,
   * S3 staging) lives under {@code dir}. Secrets are read from their files now.
   */
  public OpenedStore open(Path dir) throws IOException {
    return open(dir, QuotaPolicy.UNLIMITED);
  }

  /** Opens the store with storage limits from {@code quotas}. */
  public OpenedStore open(Path dir, QuotaPolicy quotas) throws IOException {
    StoreConfig storeConfig = StoreConfig.embedded(dir).withQuotaPolicy(quotas);
    if (postgres.isPresent()) {
      Postgres pg = postgres.get();
      storeConfig = storeConfig.withPostgres(pg.jdbcUrl(), pg.user(), secret(pg.passwordFile()));
    }
    BlobStore blobs = null;
    if (s3.isPresent()) {
      S3 bucket = s3.get();
      blobs =
          BlobStores.s3(
              new S3BlobStoreConfig(
                  bucket.endpoint(),
                  bucket.region(),
                  bucket.bucket(),
                  bucket.keyPrefix(),
                  bucket.accessKeyId(),
                  secret(bucket.secretKeyFile()),
                  Files.createDirectories(dir.resolve("s3-staging"))));
      storeConfig = storeConfig.withBlobs(blobs);
    }
    try {
      return new OpenedStore(MailStore.open(storeConfig), Optional.ofNullable(blobs));
    } catch (RuntimeException e) {
      if (blobs != null) {
        blobs.close();
      }
      throw e;
    }
  }

  private static String secret(Path file) throws IOException {
    return Files.readString(file).strip();
  }
}
