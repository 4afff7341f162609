package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * An account's storage use and its limit (RFC 9208 resources STORAGE and MESSAGE; the IMAP layer
 * reports STORAGE in units of 1024 octets, the store counts octets).
 *
 * <p>Immutable.
 *
 * @param bytes total size in octets of all messages in all folders (a message copied into two
 *     folders counts twice, although its blob is stored once)
 * @param messages number of messages in all folders
 * @param limit the limit in octets from the {@link org.carbonio.store.spi.QuotaPolicy}, empty when
 *     unlimited
 */
public record QuotaUsage(long bytes, long messages, OptionalLong limit) {
  /** Validates the fields. */
  public QuotaUsage {
    requireNonNull(limit, "limit");
    if (bytes < 0 || messages < 0 || (limit.isPresent() && limit.getAsLong() < 0)) {
      throw new IllegalArgumentException(
          "negative usage or limit: " + bytes + ", " + messages + ", " + limit);
    }
  }
}
