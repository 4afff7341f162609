package org.carbonio.store.spi;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.carbonio.store.AppendResult;
import org.carbonio.store.BlobId;
import org.carbonio.store.CheckFinding;
import org.carbonio.store.ConditionalFlags;
import org.carbonio.store.CopyResult;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.FolderChanges;
import org.carbonio.store.FolderInfo;
import org.carbonio.store.FolderKind;
import org.carbonio.store.FolderSnapshot;
import org.carbonio.store.FolderStatus;
import org.carbonio.store.FolderUids;
import org.carbonio.store.Grantee;
import org.carbonio.store.MessageInfo;
import org.carbonio.store.MessageRef;
import org.carbonio.store.MessageSummary;
import org.carbonio.store.QuotaUsage;
import org.carbonio.store.Right;
import org.carbonio.store.SharedFolder;
import org.carbonio.store.SpecialUse;
import org.carbonio.store.Tag;

/**
 * The metadata backend: accounts, folders, messages, the expunge log and blob reference counts.
 * Every method that changes something is one transaction; it returns an {@link Outcome} that tells
 * the caller which folders changed and which blobs lost their last reference, so that the caller
 * can notify watchers and delete blobs after the commit.
 *
 * <p>What the store passes in is already valid: folder names are canonical (INBOX in upper case,
 * "/" as separator, no empty or control-character names), account ids are 1 to 320 characters,
 * flags are canonical (system flags spelled as in {@link org.carbonio.store.Flags}, keywords as
 * given, no {@code \Recent}).
 *
 * <p>The built-in implementations are the embedded SQLite database and PostgreSQL (chosen with
 * {@link org.carbonio.store.StoreConfig}); carbonio-store-testkit's {@code MailStoreContract} is
 * the behaviour a store on any implementation must show.
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
      String account,
      String folder,
      BlobId blob,
      long size,
      Set<String> flags,
      Instant internalDate);

  /** One message into the same folder of several accounts, in one transaction. */
  Outcome<List<AppendResult>> deliver(
      List<String> accounts,
      String folder,
      BlobId blob,
      long size,
      Set<String> flags,
      Instant internalDate);

  FolderSnapshot snapshot(String account, String folder);

  FolderChanges changesSince(String account, String folder, long modSeq);

  /** A message's blob and, when the blob is kept inline, its content. */
  record Content(BlobId blob, Optional<byte[]> inline) {}

  /** What reading a message's content needs, in one read: its blob, and the content if inline. */
  Content contentOf(String account, String folder, long uid);

  Outcome<List<MessageInfo>> setFlags(
      String account, String folder, Collection<Long> uids, FlagOperation op, Set<String> flags);

  /**
   * {@link #setFlags} of the listed messages whose mod-sequence is at most {@code unchangedSince},
   * tested and changed in one write transaction (RFC 7162 §3.1.3).
   */
  Outcome<ConditionalFlags> setFlagsIfUnchanged(
      String account,
      String folder,
      Collection<Long> uids,
      FlagOperation op,
      Set<String> flags,
      long unchangedSince);

  Outcome<List<Long>> expunge(String account, String folder, Optional<Collection<Long>> uids);

  Outcome<CopyResult> copy(
      String account, String from, Collection<Long> uids, String to, boolean move);

  /**
   * Deletes from the blob store those of {@code candidates} that no message references, with their
   * rows if any are left, and returns them. A blob the blob store fails to delete stays (an orphan
   * for the checker) and is not returned.
   *
   * <p>Garbage collection must never delete a blob that a concurrent write is about to reference.
   * Within one process the store's own gate ensures it. An implementation that several processes
   * share must interlock through the database: it checks and deletes each blob while holding a lock
   * on the blob's row, and a write that gives a blob its first reference ({@code deliver} without
   * inline content, {@code importMessages}) takes the same row lock (its reference-count upsert)
   * and then confirms in its transaction that the blob is still stored, failing with {@link
   * BlobGoneException} if not.
   */
  Set<BlobId> deleteUnreferenced(Collection<BlobId> candidates);

  @Override
  void close();

  // ---------------------------------------------------------------- data model (version 2)

  /**
   * What conversation matching needs of a new message (from carbonio-mime's {@code ThreadKeys}).
   *
   * @param messageId its Message-ID, if valid
   * @param references the msg-ids it references, oldest first (already capped)
   * @param subjectHash 64 bits of SHA-256 of its lower-cased RFC 5256 base subject
   */
  record ThreadRefs(Optional<String> messageId, List<String> references, long subjectHash) {
    /** No Message-ID, no references: the message starts a conversation. */
    public static final ThreadRefs NONE = new ThreadRefs(Optional.empty(), List.of(), 0);

    /** Copies the list. */
    public ThreadRefs {
      references = List.copyOf(references);
    }
  }

  Outcome<FolderInfo> createFolder(String account, String name, FolderKind kind);

  /**
   * One message into the same folder of several accounts, in one transaction, with its conversation
   * keys; fails with {@code OverQuota} (changing nothing) if an account would exceed its limit in
   * {@code limits} (absent: unlimited). With {@code inlineContent} the blob's bytes are stored in
   * the same transaction (when the blob is new), and no blob-store object exists for it. Without,
   * the blob must already be in the blob store; see {@link #deleteUnreferenced} for the {@link
   * BlobGoneException} a shared implementation throws when garbage collection removed it.
   */
  Outcome<List<AppendResult>> deliver(
      List<String> accounts,
      String folder,
      BlobId blob,
      long size,
      Set<String> flags,
      Instant internalDate,
      ThreadRefs thread,
      Map<String, OptionalLong> limits,
      Optional<byte[]> inlineContent);

  /**
   * The content of a blob kept inline (stored by a {@code deliver} with {@code inlineContent}), if
   * it is.
   */
  Optional<byte[]> inlineBlob(BlobId blob);

  /** {@link #copy} that fails with {@code OverQuota} if the account would exceed {@code limit}. */
  Outcome<CopyResult> copy(
      String account,
      String from,
      Collection<Long> uids,
      String to,
      boolean move,
      OptionalLong limit);

  List<Tag> tags(String account);

  Outcome<Tag> createTag(String account, Tag tag);

  Outcome<Void> renameTag(String account, String from, String to);

  Outcome<Void> deleteTag(String account, String name);

  List<MessageRef> conversation(String account, long conversationId);

  /** Usage with an empty limit (the caller adds the limit). */
  QuotaUsage quota(String account);

  Outcome<Void> grant(String account, String folder, Grantee grantee, Set<Right> rights);

  Map<Grantee, Set<Right>> grants(String account, String folder);

  List<SharedFolder> sharedWith(String account, Set<String> groups, String domain);

  /** Annotations of a folder, or of the account when {@code folder} is empty; sorted by entry. */
  java.util.SortedMap<String, String> annotations(String account, String folder);

  /** Sets (present value) or removes (empty value) annotations in one transaction. */
  Outcome<Void> setAnnotations(
      String account, String folder, Map<String, Optional<String>> changes);

  // ---------------------------------------------------------------- consistency check

  /**
   * Every blob row with its message count, read in one transaction; only the blobs that {@code
   * account}'s messages reference when given.
   */
  List<CheckRows.BlobRow> checkBlobRows(Optional<String> account);

  /** Blobs that messages (of {@code account}, when given) reference but that have no row. */
  List<CheckRows.DanglingBlob> checkDanglingBlobs(Optional<String> account);

  /** The counters of every folder (of {@code account}, when given). */
  List<CheckRows.FolderCounters> checkFolders(Optional<String> account);

  /** The messages that reference each of {@code blobs} (one scan of the messages). */
  Map<BlobId, List<CheckFinding.MessageRef>> messagesOf(Set<BlobId> blobs);

  /** Whether the blob has a row or any message references it (committed state). */
  boolean blobKnown(BlobId blob);

  /**
   * Sets each blob's reference count to the number of messages that reference it, inserting missing
   * rows and deleting rows no message uses (reported as released).
   */
  Outcome<Void> repairBlobRows(Collection<BlobId> blobs);

  /** Raises UIDNEXT and HIGHESTMODSEQ of the folders to above what their messages and log hold. */
  Outcome<Void> repairFolderCounters(Collection<Long> folderIds);

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
  record ImportRow(BlobId blob, long size, Set<String> flags, Instant internalDate) {}

  /**
   * Appends every row to the folder in one transaction, UIDs in row order, one new modseq. Every
   * row's blob must be in the blob store already (see {@link #deleteUnreferenced}).
   */
  Outcome<List<AppendResult>> importMessages(String account, String folder, List<ImportRow> rows);
}
