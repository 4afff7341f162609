package org.carbonio.store.internal.meta;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.carbonio.store.AppendResult;
import org.carbonio.store.BlobId;
import org.carbonio.store.CopyResult;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.FolderChanges;
import org.carbonio.store.FolderInfo;
import org.carbonio.store.FolderSnapshot;
import org.carbonio.store.FolderStatus;
import org.carbonio.store.FolderUids;
import org.carbonio.store.MessageInfo;
import org.carbonio.store.MessageSummary;
import org.carbonio.store.SpecialUse;
import org.carbonio.store.internal.FlagSet;

/**
 * The metadata backend: accounts, folders, messages, the expunge log and blob reference counts.
 * Every method that changes something is one transaction; it returns an {@link Outcome} that tells
 * the caller which folders changed and which blobs lost their last reference, so that the caller
 * can notify watchers and delete blobs after the commit.
 *
 * <p>Folder names passed in are already canonical ({@link
 * org.carbonio.store.internal.FolderNames}). This is the seam for a PostgreSQL backend; it becomes
 * an SPI (with a shared contract test) when that backend arrives.
 *
 * <p>Implementations are thread-safe.
 */
public interface MetadataStore extends AutoCloseable {

  /**
   * What a committed write did besides its value.
   *
   * @param value the method's result (null for none)
   * @param changedFolders ids of folders whose content or state changed
   * @param deletedFolders ids of folders that no longer exist
   * @param releasedBlobs blobs whose reference count dropped to zero in this transaction
   */
  record Outcome<T>(
      T value, Set<Long> changedFolders, Set<Long> deletedFolders, Set<BlobId> releasedBlobs) {
    /** Copies the sets. */
    public Outcome {
      changedFolders = Set.copyOf(changedFolders);
      deletedFolders = Set.copyOf(deletedFolders);
      releasedBlobs = Set.copyOf(releasedBlobs);
    }
  }

  boolean accountExists(String account);

  /** Creates the account with an INBOX if it does not exist. */
  Outcome<Void> createAccount(String account);

  Outcome<Void> deleteAccount(String account);

  List<FolderInfo> folders(String account);

  /** The folder's internal id (stable across renames, never reused). */
  long folderId(String account, String folder);

  Outcome<FolderInfo> createFolder(String account, String name);

  Outcome<Void> deleteFolder(String account, String name);

  Outcome<Void> renameFolder(String account, String from, String to);

  Outcome<Void> setSubscribed(String account, String name, boolean subscribed);

  Outcome<Void> setRole(String account, String name, Optional<SpecialUse> role);

  FolderStatus status(String account, String folder);

  Outcome<AppendResult> append(
      String account, String folder, BlobId blob, long size, FlagSet flags, Instant internalDate);

  /** One message into the same folder of several accounts, in one transaction. */
  Outcome<List<AppendResult>> deliver(
      List<String> accounts,
      String folder,
      BlobId blob,
      long size,
      FlagSet flags,
      Instant internalDate);

  FolderSnapshot snapshot(String account, String folder);

  FolderChanges changesSince(String account, String folder, long modSeq);

  /** The blob of a message. */
  BlobId blobOf(String account, String folder, long uid);

  Outcome<List<MessageInfo>> setFlags(
      String account, String folder, Collection<Long> uids, FlagOperation op, FlagSet flags);

  Outcome<List<Long>> expunge(String account, String folder, Optional<Collection<Long>> uids);

  Outcome<CopyResult> copy(
      String account, String from, Collection<Long> uids, String to, boolean move);

  /** Whether any message references the blob (committed state). */
  boolean blobReferenced(BlobId blob);

  @Override
  void close();

  // ---------------------------------------------------------------- large folders (IMAP SELECT)

  /** The folder's counters and UIDs, from one read transaction. */
  FolderUids uids(String account, String folder);

  /** At most {@code limit} messages with {@code fromUid <= uid <= toUid}, ascending. */
  List<MessageSummary> messagesInRange(
      String account, String folder, long fromUid, long toUid, int limit);

  /**
   * One message of a bulk import.
   *
   * @param blob the content's address (already durable)
   * @param size the content's size
   * @param flags initial flags
   * @param internalDate the INTERNALDATE
   */
  record ImportRow(BlobId blob, long size, FlagSet flags, Instant internalDate) {}

  /** Appends every row to the folder in one transaction, UIDs in row order, one new modseq. */
  Outcome<List<AppendResult>> importMessages(String account, String folder, List<ImportRow> rows);
}
