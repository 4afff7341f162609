package org.carbonio.store;

/**
 * How the built-in blob stores keep content at rest: content of at least {@code
 * compressionThreshold} octets is stored zstd-compressed at {@code compressionLevel}, unless
 * compression saves less than 10% (then it stays raw). A blob's address and {@link
 * org.carbonio.store.spi.BlobStore.Staged#size} are always those of the raw content, and reads
 * always return the raw content, so changing these options never invalidates stored blobs.
 *
 * <table>
 *   <caption>Defaults ({@link #DEFAULTS})</caption>
 *   <tr><th>component</th><th>default</th></tr>
 *   <tr><td>{@code compressionThreshold}</td><td>{@value #DEFAULT_COMPRESSION_THRESHOLD} octets
 *       (16 KiB)</td></tr>
 *   <tr><td>{@code compressionLevel}</td><td>{@value #DEFAULT_COMPRESSION_LEVEL}</td></tr>
 * </table>
 *
 * <p>Immutable.
 *
 * @param compressionThreshold the raw size from which content is compressed, in octets; {@link
 *     Long#MAX_VALUE} turns compression off (see {@link #UNCOMPRESSED})
 * @param compressionLevel the zstd level, {@value #MIN_COMPRESSION_LEVEL} (fastest) to {@value
 *     #MAX_COMPRESSION_LEVEL} (smallest)
 */
public record BlobStoreOptions(long compressionThreshold, int compressionLevel) {

  /** Default {@link #compressionThreshold}: 16 KiB. */
  public static final long DEFAULT_COMPRESSION_THRESHOLD = 16 * 1024;

  /** Default {@link #compressionLevel}: zstd level 3 (zstd's own default). */
  public static final int DEFAULT_COMPRESSION_LEVEL = 3;

  /** Lowest accepted {@link #compressionLevel}. */
  public static final int MIN_COMPRESSION_LEVEL = 1;

  /** Highest accepted {@link #compressionLevel}. */
  public static final int MAX_COMPRESSION_LEVEL = 22;

  /** Compress content of 16 KiB and more at level 3. */
  public static final BlobStoreOptions DEFAULTS =
      new BlobStoreOptions(DEFAULT_COMPRESSION_THRESHOLD, DEFAULT_COMPRESSION_LEVEL);

  /** Never compress (blobs stored compressed earlier remain readable). */
  public static final BlobStoreOptions UNCOMPRESSED =
      new BlobStoreOptions(Long.MAX_VALUE, DEFAULT_COMPRESSION_LEVEL);

  /** Validates; names the bad component. */
  public BlobStoreOptions {
    if (compressionThreshold < 0) {
      throw new IllegalArgumentException(
          "compressionThreshold is negative: " + compressionThreshold);
    }
    if (compressionLevel < MIN_COMPRESSION_LEVEL || compressionLevel > MAX_COMPRESSION_LEVEL) {
      throw new IllegalArgumentException(
          "compressionLevel must be "
              + MIN_COMPRESSION_LEVEL
              + ".."
              + MAX_COMPRESSION_LEVEL
              + ": "
              + compressionLevel);
    }
  }

  /** Whether content of {@code size} octets is a candidate for compression. */
  public boolean compresses(long size) {
    return size >= compressionThreshold;
  }

  /** A copy with another {@link #compressionThreshold}. */
  public BlobStoreOptions withCompressionThreshold(long threshold) {
    return new BlobStoreOptions(threshold, compressionLevel);
  }

  /** A copy with another {@link #compressionLevel}. */
  public BlobStoreOptions withCompressionLevel(int level) {
    return new BlobStoreOptions(compressionThreshold, level);
  }
}
