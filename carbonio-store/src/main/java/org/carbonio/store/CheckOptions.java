package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What {@link MailStore#check(CheckOptions)} checks and whether it repairs.
 *
 * <p>Immutable.
 *
 * @param account only this account's folders, and the blobs its messages reference; empty for the
 *     whole store (only a whole-store check looks for orphan blob files)
 * @param repair fix what is safe to fix (see {@link CheckFinding#repairable()})
 * @param verifyContent also re-hash every referenced blob against its SHA-256 address (reads every
 *     byte of the store)
 */
public record CheckOptions(Optional<String> account, boolean repair, boolean verifyContent) {

  /** Whole store, report only, no content verification. */
  public static final CheckOptions DEFAULTS = new CheckOptions(Optional.empty(), false, false);

  /** Validates the arguments. */
  public CheckOptions {
    requireNonNull(account, "account");
  }

  /** Returns a copy that checks only {@code accountId} (null: the whole store). */
  public CheckOptions withAccount(String accountId) {
    return new CheckOptions(Optional.ofNullable(accountId), repair, verifyContent);
  }

  /** Returns a copy with another {@code repair}. */
  public CheckOptions withRepair(boolean value) {
    return new CheckOptions(account, value, verifyContent);
  }

  /** Returns a copy with another {@code verifyContent}. */
  public CheckOptions withVerifyContent(boolean value) {
    return new CheckOptions(account, repair, value);
  }
}
