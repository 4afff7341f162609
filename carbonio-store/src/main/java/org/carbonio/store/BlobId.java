package org.carbonio.store;

import static java.util.Objects.requireNonNull;

/**
 * The address of a blob: the lowercase hex SHA-256 of its bytes.
 *
 * <p>Immutable.
 *
 * @param sha256 64 lowercase hexadecimal digits
 */
public record BlobId(String sha256) {
  /** Validates the digest. */
  public BlobId {
    requireNonNull(sha256, "sha256");
    if (sha256.length() != 64) {
      throw new IllegalArgumentException("sha256 length " + sha256.length());
    }
    for (int i = 0; i < 64; i++) {
      char c = sha256.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException(
            "sha256 not lowercase hex: " + StoreException.quote(sha256));
      }
    }
  }

  @Override
  public String toString() {
    return sha256;
  }
}
