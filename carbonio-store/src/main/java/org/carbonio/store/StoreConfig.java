package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;
import org.carbonio.store.spi.BlobStore;
import org.carbonio.store.spi.QuotaPolicy;

/**
 * Which backends a {@link MailStore} uses: metadata in an embedded SQLite database or in
 * PostgreSQL, blobs on the filesystem or in a {@link BlobStore} of the caller's (for example {@link
 * BlobStores#s3}).
 *
 * {@snippet :
 * StoreConfig oneMachine = StoreConfig.embedded(Path.of("/var/lib/carbonio/store"));
 * StoreConfig cluster =
 *     StoreConfig.postgres("jdbc:postgresql://db:5432/carbonio", "carbonio", secret)
 *         .withBlobs(BlobStores.s3(s3Config));
 * }
 *
 * <p>Immutable.
 */
public final class StoreConfig {
  private final Optional<Path> directory;
  private final Optional<Postgres> postgres;
  private final Optional<BlobStore> blobs;
  private final QuotaPolicy quotaPolicy;
  private final int inlineLimit;
  private final long blobCacheBytes;

  /**
   * Decompressed contents of recently read blobs kept in memory (64 MiB), least recently used out
   * first; a content larger than 1/16 of it is not kept.
   */
  public static final long DEFAULT_BLOB_CACHE_BYTES = 64L * 1024 * 1024;

  /**
   * Messages up to this size (32 KiB) are kept inline in the metadata database, in the transaction
   * that files them; larger ones go to the blob store.
   */
  public static final int DEFAULT_INLINE_LIMIT = 32 * 1024;

  /** Largest inline limit (1 MiB): larger contents belong in the blob store. */
  public static final int MAX_INLINE_LIMIT = 1024 * 1024;

  /** Where the PostgreSQL metadata lives; the password is never printed. */
  private record Postgres(String jdbcUrl, String user, String password) {
    @Override
    public String toString() {
      // Without the query: it may carry a password= parameter, and this string is logged.
      int query = jdbcUrl.indexOf('?');
      return (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query)) + " as " + user;
    }
  }

  private StoreConfig(
      Optional<Path> directory,
      Optional<Postgres> postgres,
      Optional<BlobStore> blobs,
      QuotaPolicy quotaPolicy,
      int inlineLimit,
      long blobCacheBytes) {
    this.directory = directory;
    this.postgres = postgres;
    this.blobs = blobs;
    this.quotaPolicy = quotaPolicy;
    this.inlineLimit = inlineLimit;
    this.blobCacheBytes = blobCacheBytes;
  }

  /**
   * Everything in {@code dir} (today's default): {@code dir/metadata.db} (SQLite) and {@code
   * dir/blobs}. One store at a time may open the directory ({@code dir/store.lock}).
   */
  public static StoreConfig embedded(Path dir) {
    return new StoreConfig(
        Optional.of(requireNonNull(dir, "dir")),
        Optional.empty(),
        Optional.empty(),
        QuotaPolicy.UNLIMITED,
        DEFAULT_INLINE_LIMIT,
        DEFAULT_BLOB_CACHE_BYTES);
  }

  /**
   * Metadata in a PostgreSQL database that several nodes may share; blobs must be given with {@link
   * #withBlobs} (open fails otherwise).
   */
  public static StoreConfig postgres(String jdbcUrl, String user, String password) {
    return new StoreConfig(
        Optional.empty(),
        Optional.of(postgresOf(jdbcUrl, user, password)),
        Optional.empty(),
        QuotaPolicy.UNLIMITED,
        DEFAULT_INLINE_LIMIT,
        DEFAULT_BLOB_CACHE_BYTES);
  }

  /**
   * Metadata in PostgreSQL instead of the embedded database; the directory keeps the filesystem
   * blobs (unless {@link #withBlobs} replaces them) and is not locked, since several nodes share
   * the database.
   *
   * @param jdbcUrl {@code jdbc:postgresql://host:port/database}
   */
  public StoreConfig withPostgres(String jdbcUrl, String user, String password) {
    return new StoreConfig(
        directory,
        Optional.of(postgresOf(jdbcUrl, user, password)),
        blobs,
        quotaPolicy,
        inlineLimit,
        blobCacheBytes);
  }

  /**
   * Blobs in {@code blobs} instead of the directory. The caller created it and closes it after the
   * store.
   */
  public StoreConfig withBlobs(BlobStore blobs) {
    return new StoreConfig(
        directory,
        postgres,
        Optional.of(requireNonNull(blobs, "blobs")),
        quotaPolicy,
        inlineLimit,
        blobCacheBytes);
  }

  /**
   * Where quota limits come from (the directory, in the server); default {@link
   * QuotaPolicy#UNLIMITED}. Writes that would take an account over its limit fail with {@link
   * StoreException.OverQuota}.
   */
  public StoreConfig withQuotaPolicy(QuotaPolicy quotaPolicy) {
    return new StoreConfig(
        directory,
        postgres,
        blobs,
        requireNonNull(quotaPolicy, "quotaPolicy"),
        inlineLimit,
        blobCacheBytes);
  }

  /**
   * Messages of at most {@code bytes} are stored inline in the metadata database (in the same
   * transaction, so one WAL fsync, shared by concurrent writers, makes them durable) rather than as
   * a blob-store object with fsyncs of its own; default {@value #DEFAULT_INLINE_LIMIT}; 0 stores
   * every message in the blob store.
   *
   * @throws IllegalArgumentException outside 0 to {@value #MAX_INLINE_LIMIT}
   */
  public StoreConfig withInlineLimit(int bytes) {
    if (bytes < 0 || bytes > MAX_INLINE_LIMIT) {
      throw new IllegalArgumentException("inline limit out of range: " + bytes);
    }
    return new StoreConfig(directory, postgres, blobs, quotaPolicy, bytes, blobCacheBytes);
  }

  /**
   * Keeps up to {@code bytes} of recently read message contents in memory (default {@value
   * #DEFAULT_BLOB_CACHE_BYTES}); 0 turns the cache off.
   *
   * @throws IllegalArgumentException if negative
   */
  public StoreConfig withBlobCacheBytes(long bytes) {
    if (bytes < 0) throw new IllegalArgumentException("negative blob cache size: " + bytes);
    return new StoreConfig(directory, postgres, blobs, quotaPolicy, inlineLimit, bytes);
  }

  /** Bytes of message contents kept in memory. */
  public long blobCacheBytes() {
    return blobCacheBytes;
  }

  /** Largest message stored inline in the metadata database. */
  public int inlineLimit() {
    return inlineLimit;
  }

  private static Postgres postgresOf(String jdbcUrl, String user, String password) {
    requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + jdbcUrl);
    }
    return new Postgres(
        jdbcUrl, requireNonNull(user, "user"), requireNonNull(password, "password"));
  }

  /** The directory of the embedded database and filesystem blobs, if any. */
  public Optional<Path> directory() {
    return directory;
  }

  /** The PostgreSQL JDBC URL, if metadata lives in PostgreSQL. */
  public Optional<String> postgresUrl() {
    return postgres.map(Postgres::jdbcUrl);
  }

  /** The PostgreSQL user, if metadata lives in PostgreSQL. */
  public Optional<String> postgresUser() {
    return postgres.map(Postgres::user);
  }

  /** The PostgreSQL password, if metadata lives in PostgreSQL. */
  public Optional<String> postgresPassword() {
    return postgres.map(Postgres::password);
  }

  /** Where quota limits come from. */
  public QuotaPolicy quotaPolicy() {
    return quotaPolicy;
  }

  /** The caller's blob store, if blobs do not live in the directory. */
  public Optional<BlobStore> blobs() {
    return blobs;
  }

  @Override
  public String toString() {
    return "StoreConfig[directory="
        + directory.map(Path::toString).orElse("-")
        + ", metadata="
        + postgres.map(p -> "postgresql " + p).orElse("embedded")
        + ", blobs="
        + blobs.map(b -> b.getClass().getSimpleName()).orElse("filesystem")
        + "]";
  }
}
