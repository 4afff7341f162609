package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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

  /** The address of {@code content}. */
  public static BlobId of(byte[] content) {
    try {
      return new BlobId(
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return sha256;
  }
}
