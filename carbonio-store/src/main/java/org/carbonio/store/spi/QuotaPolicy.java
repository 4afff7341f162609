package org.carbonio.store.spi;

import java.util.OptionalLong;

/**
 * Where the store gets each account's storage limit, usually the directory (Carbonio's
 * zimbraMailQuota, a class of service). The store keeps the usage; the policy gives the limit.
 *
 * <p>Called before every append, delivery, copy and move, and by {@link
 * org.carbonio.store.Mailbox#quota()}, outside the store's locks; it should answer from memory (a
 * cached directory lookup). An exception it throws fails the operation with {@link
 * org.carbonio.store.StoreException.Unavailable}.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface QuotaPolicy {
  /** No account has a limit. */
  QuotaPolicy UNLIMITED = accountId -> OptionalLong.empty();

  /**
   * The account's limit in octets, or empty for no limit.
   *
   * @param accountId the account, as passed to {@link org.carbonio.store.MailStore#mailbox}
   */
  OptionalLong limitBytes(String accountId);
}
