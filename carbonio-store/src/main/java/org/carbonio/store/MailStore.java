package org.carbonio.store;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.carbonio.store.internal.StoreImpl;
import org.carbonio.store.spi.QuotaPolicy;

/**
 * The durable store of every account's mailbox: blobs content-addressed and stored once (on the
 * filesystem or in S3), metadata in an embedded SQLite database or in PostgreSQL shared by several
 * nodes ({@link StoreConfig}).
 *
 * {@snippet :
 * try (MailStore store = MailStore.open(Path.of("/var/lib/carbonio/store"))) {
 *   Mailbox box = store.mailbox("alice@example.org");
 *   AppendResult r = box.append("INBOX", in, Set.of(Flags.SEEN), Instant.now());
 *   byte[] bytes = box.read("INBOX", r.uid());
 * }
 * }
 *
 * <p>An embedded {@code MailStore} owns its directory: a second open on the same directory, in this
 * or another process, fails with {@link StoreException.Unavailable} until the first is closed (or
 * its process dies).
 *
 * <p>Thread-safe.
 */
public interface MailStore extends AutoCloseable {

  /**
   * Opens the store in {@code dir}, creating the directory, the database and the schema if needed.
   * Layout: {@code dir/metadata.db} (SQLite, WAL) and {@code dir/blobs/ab/cd/<sha256>}.
   *
   * @throws StoreException.Unavailable on I/O or database failure, or if the directory is in use
   */
  static MailStore open(Path dir) throws StoreException {
    return StoreImpl.open(StoreConfig.embedded(dir));
  }

  /**
   * Opens the store as {@link #open(Path)} does, with each account's storage limit taken from
   * {@code quota}: an append, delivery, copy or move that would raise an account's usage above its
   * limit fails with {@link StoreException.OverQuota} and changes nothing.
   */
  static MailStore open(Path dir, QuotaPolicy quota) throws StoreException {
    return StoreImpl.open(StoreConfig.embedded(dir).withQuotaPolicy(quota));
  }

  /**
   * Opens a store on the backends {@code config} names, creating the schema if needed. With
   * PostgreSQL, several stores (on several nodes) may open the same database at once: writes to one
   * account are serialized across them, and a {@link Mailbox#watch watch} fires for changes
   * committed by any of them.
   *
   * @throws StoreException.Unavailable on I/O or database failure, or if the embedded directory is
   *     in use
   * @throws IllegalStateException if {@code config} names no place for blobs
   */
  static MailStore open(StoreConfig config) throws StoreException {
    return StoreImpl.open(config);
  }

  /**
   * Returns the mailbox of an account, creating the account with an empty, subscribed {@code INBOX}
   * on first use. The returned object is cheap; calling this again returns an equivalent one.
   *
   * @param accountId the account's identifier, for example its canonical address; compared exactly
   *     (case-sensitively), 1 to 320 characters, no control characters
   * @throws StoreException.Invalid if the identifier is not acceptable
   */
  Mailbox mailbox(String accountId) throws StoreException;

  /**
   * Deletes an account with all its folders and messages. Blobs no longer referenced by any account
   * are deleted after the commit. Mailboxes already handed out for the account throw {@link
   * StoreException.NotFound} afterwards.
   *
   * @throws StoreException.NotFound if the account does not exist
   */
  void deleteAccount(String accountId) throws StoreException;

  /**
   * Delivers one message into the same folder (usually INBOX) of several accounts, all or none: the
   * blob is written once and every account's copy is committed in one transaction, so a failure
   * leaves no account with the message and a retry cannot duplicate it. Accounts are created on
   * first use, as by {@link #mailbox}. Durable on return.
   *
   * @return one result per account id, in the order given (pass distinct ids)
   */
  List<AppendResult> deliver(
      Collection<String> accountIds, String folder, InputStream content, Instant internalDate)
      throws StoreException;

  /**
   * The folders of other accounts shared with an account: every folder with a grant to the account
   * itself, to one of {@code groups}, to {@code domain} or to everyone, with the union of the
   * matching grants' rights, sorted by owner and folder. The caller (a protocol layer) resolves the
   * account's groups and domain in the directory, and enforces the rights.
   *
   * @param accountId the account
   * @param groups the groups the account belongs to (directly or not)
   * @param domain the account's domain (compared case-insensitively)
   */
  List<SharedFolder> sharedWith(String accountId, Set<String> groups, String domain)
      throws StoreException;

  /**
   * Closes the store: waits (bounded) for running writes, then closes the database and releases the
   * directory. Idempotent. Operations after close throw {@link StoreException.Unavailable}.
   */
  @Override
  void close();

  /**
   * Checks the store's consistency and, if asked, repairs what is safe to repair: reference counts,
   * folder counters, orphan blob files. A missing or corrupt blob is only reported, with the
   * messages it affects. May run while the store serves other calls.
   *
   * @see CheckFinding for what is checked
   * @throws StoreException.Unavailable on I/O or database failure
   */
  CheckReport check(CheckOptions options) throws StoreException;

  /**
   * {@link #check(CheckOptions)} of one account (or of the whole store, when empty), without
   * content verification.
   */
  /**
   * Whether every change reaches this store's watchers before the write that made it returns: true
   * when only this process writes the metadata (embedded); false when other nodes share it, since
   * their changes arrive later, by notification.
   */
  default boolean watchesSeeEveryChange() {
    return false;
  }

  default CheckReport check(Optional<String> account, boolean repair) throws StoreException {
    return check(CheckOptions.DEFAULTS.withAccount(account.orElse(null)).withRepair(repair));
  }
}
