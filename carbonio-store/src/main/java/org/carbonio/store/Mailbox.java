package org.carbonio.store;

import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The folders and messages of one account.
 *
 * <p>Folder names are Unicode and "/"-delimited. {@code INBOX} is matched case-insensitively,
 * also as the first segment of a longer name ({@code inbox/x} is {@code INBOX/x}); every other
 * name is case-sensitive. A name has no empty segment, no leading or trailing "/", no control
 * characters, and segments of at most 255 characters.
 *
 * <p>Flags: the system flags {@code \Seen \Answered \Flagged \Deleted \Draft} are matched
 * case-insensitively and returned in the spelling of {@link Flags}; other flags starting with
 * "\" (such as {@code \Recent}) are rejected with {@link StoreException.Invalid}. Keywords are
 * stored as given; they must be 1 to 255 characters without whitespace, control characters or
 * {@code ( ) { % * " \ ]} (RFC 9051 §9, flag-keyword).
 *
 * <p>Every write (append, copy, move, expunge, flag change, folder change) is one database
 * transaction: it either happens completely or not at all, and it is durable when the method
 * returns. UIDs grow strictly within a folder and are never reused; a deleted and re-created
 * folder gets a new UIDVALIDITY.
 *
 * <p>Thread-safe.
 */
public interface Mailbox {

  /** The account this mailbox belongs to. */
  String accountId();

  /** All folders, sorted by name, {@code INBOX} first. */
  List<FolderInfo> folders() throws StoreException;

  /**
   * Creates a {@link FolderKind#MAIL} folder, and any missing parent (each parent is a normal,
   * empty mail folder). The folder starts unsubscribed, with a fresh UIDVALIDITY.
   *
   * @throws StoreException.AlreadyExists if it exists
   * @throws StoreException.Invalid if the name is not acceptable
   */
  FolderInfo createFolder(String name) throws StoreException;

  /**
   * Deletes a folder and its messages. Children are not deleted (RFC 9051 §6.3.4).
   *
   * @throws StoreException.Invalid for {@code INBOX}
   * @throws StoreException.NotFound if it does not exist
   */
  void deleteFolder(String name) throws StoreException;

  /**
   * Renames a folder and all its children, keeping their UIDVALIDITY and messages; missing parents
   * of the target are created. Renaming {@code INBOX} creates the target with a new UIDVALIDITY,
   * moves all INBOX messages into it, and leaves INBOX empty with its children in place (RFC 9051
   * §6.3.6).
   *
   * @throws StoreException.NotFound if {@code from} does not exist
   * @throws StoreException.AlreadyExists if {@code to} or a renamed child's new name exists
   * @throws StoreException.Invalid if a name is bad or {@code to} is inside {@code from}
   */
  void renameFolder(String from, String to) throws StoreException;

  /**
   * Sets the subscription of an existing folder.
   *
   * @throws StoreException.NotFound if the folder does not exist
   */
  void setSubscribed(String name, boolean subscribed) throws StoreException;

  /**
   * Sets or clears (empty) the special-use role of a folder (RFC 6154).
   *
   * @throws StoreException.NotFound if the folder does not exist
   * @throws StoreException.Invalid when setting a role on a folder that is not {@link
   *     FolderKind#MAIL}
   */
  void setRole(String name, Optional<SpecialUse> role) throws StoreException;

  /**
   * Counters of a folder.
   *
   * @throws StoreException.NotFound if the folder does not exist
   */
  FolderStatus status(String folder) throws StoreException;

  /**
   * Stores a message. The content is streamed (never held whole in memory) and hashed; its blob is
   * fsynced and renamed into place, then the metadata committed, before this method returns.
   *
   * @param content the message bytes; read to its end, not closed
   * @param flags initial flags (may be empty)
   * @param internalDate the INTERNALDATE, or null for now
   * @throws StoreException.NotFound if the folder does not exist
   * @throws StoreException.Invalid if a flag is not acceptable
   */
  AppendResult append(String folder, InputStream content, Set<String> flags, Instant internalDate)
      throws StoreException;

  /**
   * A consistent view of the folder: its counters and every message in UID order.
   *
   * @throws StoreException.NotFound if the folder does not exist
   */
  FolderSnapshot snapshot(String folder) throws StoreException;

  /**
   * Messages changed (added or flags changed) and UIDs expunged with a mod-sequence above {@code
   * modSeq} (RFC 7162 §3.1.4.1, §3.2.5.2).
   *
   * @throws StoreException.NotFound if the folder does not exist
   */
  FolderChanges changesSince(String folder, long modSeq) throws StoreException;

  /**
   * Opens a message's content for streaming. The caller closes the stream. A stream stays readable
   * even if the message is expunged meanwhile.
   *
   * @throws StoreException.NotFound if the folder or the UID does not exist
   */
  InputStream open(String folder, long uid) throws StoreException;

  /**
   * Reads a message's content whole. Prefer {@link #open} for large messages.
   *
   * @throws StoreException.NotFound if the folder or the UID does not exist
   */
  byte[] read(String folder, long uid) throws StoreException;

  /**
   * Changes flags of the listed messages in one transaction. Only messages whose flags actually
   * change get a new mod-sequence (all of them the same one). UIDs that do not exist are ignored.
   *
   * @return the resulting state of every listed message that exists, ascending UID order
   * @throws StoreException.NotFound if the folder does not exist
   * @throws StoreException.Invalid if a flag is not acceptable
   */
  List<MessageInfo> setFlags(
      String folder, Collection<Long> uids, FlagOperation op, Set<String> flags)
      throws StoreException;

  /**
   * Changes flags, as {@link #setFlags}, of those listed messages whose mod-sequence is at most
   * {@code unchangedSince}, and refuses the others (RFC 7162 §3.1.3, STORE UNCHANGEDSINCE). The
   * test and the change are one transaction: no other change of the folder comes between them. UIDs
   * that do not exist are ignored.
   *
   * @throws StoreException.NotFound if the folder does not exist
   * @throws StoreException.Invalid if a flag is not acceptable
   * @throws IllegalArgumentException if {@code unchangedSince} is negative
   */
  ConditionalFlags setFlagsIfUnchanged(
      String folder,
      Collection<Long> uids,
      FlagOperation op,
      Set<String> flags,
      long unchangedSince)
      throws StoreException;

  /**
   * Removes the messages flagged {@code \Deleted} (only those among {@code uids} if present, RFC
   * 4315 §2.1) and logs their UIDs as expunged with one new mod-sequence.
   *
   * @return the expunged UIDs, ascending
   * @throws StoreException.NotFound if the folder does not exist
   */
  List<Long> expunge(String folder, Optional<Collection<Long>> uids) throws StoreException;

  /**
   * Copies messages (flags and internal date kept, blobs shared) in one transaction. UIDs that do
   * not exist are ignored. Copying into the same folder is allowed.
   *
   * @throws StoreException.NotFound if either folder does not exist
   */
  CopyResult copy(String from, Collection<Long> uids, String to) throws StoreException;

  /**
   * Moves messages atomically (RFC 6851): copy and expunge of the source in one transaction.
   *
   * @throws StoreException.NotFound if either folder does not exist
   */
  CopyResult move(String from, Collection<Long> uids, String to) throws StoreException;

  /**
   * Calls {@code onChange} after every committed change of the folder, made through any mailbox of
   * the same {@link MailStore}: appends, flag changes, expunges, copies and moves into or out of
   * it, rename, and its deletion (the last notification). The callback runs on the committing
   * thread after the store's locks are released; it should be quick and must not throw (thrown
   * exceptions are logged and ignored). The registration follows the folder across renames.
   *
   * @throws StoreException.NotFound if the folder does not exist
   */
  Watch watch(String folder, Runnable onChange) throws StoreException;

  // ------------------------------------------------------------------ data model (version 2)

  /**
   * Creates a folder of the given kind, and any missing parent (of the same kind, empty). The kind
   * never changes afterwards.
   *
   * @throws StoreException.AlreadyExists if it exists
   * @throws StoreException.Invalid if the name is not acceptable
   */
  FolderInfo createFolder(String name, FolderKind kind) throws StoreException;

  /** The account's tags, sorted by name. */
  List<Tag> tags() throws StoreException;

  /**
   * Creates a tag. Messages that already carry the keyword {@code name} carry the tag from now on.
   *
   * @param color 24-bit RGB
   * @throws StoreException.AlreadyExists if the tag exists
   * @throws StoreException.Invalid if the name is not a valid keyword or the color is out of range
   */
  Tag createTag(String name, int color) throws StoreException;

  /**
   * Renames a tag and, in one transaction, the keyword on every message of the account that carries
   * it; each changed message gets a new mod-sequence (one per folder, RFC 7162 §3.1.3).
   *
   * @throws StoreException.NotFound if {@code from} is not a tag
   * @throws StoreException.AlreadyExists if {@code to} is a tag
   * @throws StoreException.Invalid if {@code to} is not a valid keyword
   */
  void renameTag(String from, String to) throws StoreException;

  /**
   * Deletes a tag and, in one transaction, removes its keyword from every message of the account;
   * each changed message gets a new mod-sequence.
   *
   * @throws StoreException.NotFound if it is not a tag
   */
  void deleteTag(String name) throws StoreException;

  /**
   * The messages of a conversation ({@link MessageInfo#conversationId()}), oldest internal date
   * first; empty if no message of this account belongs to it.
   */
  List<MessageRef> conversation(long conversationId) throws StoreException;

  /** The account's storage use (all messages in all folders) and its limit. */
  QuotaUsage quota() throws StoreException;

  /**
   * Sets a grantee's rights on a folder, replacing the ones it had; an empty set revokes them.
   * Grants follow the folder when it is renamed and vanish when it is deleted. The store only keeps
   * grants: the protocol layers enforce them (see {@link MailStore#sharedWith}).
   *
   * @throws StoreException.NotFound if the folder does not exist
   * @throws StoreException.Invalid if the grantee is the owner
   */
  void grant(String folder, Grantee grantee, Set<Right> rights) throws StoreException;

  /**
   * The grants of a folder.
   *
   * @throws StoreException.NotFound if the folder does not exist
   */
  Map<Grantee, Set<Right>> grants(String folder) throws StoreException;

  /**
   * A compact, consistent view of a folder for IMAP SELECT: its counters and the UID of every
   * message (4 bytes each), without reading per-message metadata.
   *
   * @throws StoreException.NotFound if the folder does not exist
   */
  FolderUids uids(String folder) throws StoreException;

  /**
   * Streams the metadata (without blob addresses) of the messages with {@code fromUid <= uid <=
   * toUid} to {@code sink} in ascending UID order. Rows are read in chunks of at most {@value
   * #MESSAGES_CHUNK}, each chunk in its own read transaction, so memory stays bounded and no
   * transaction is held while {@code sink} runs; writes committed between chunks may therefore show
   * in later chunks.
   *
   * @throws StoreException.NotFound if the folder does not exist
   */
  void messages(String folder, long fromUid, long toUid, Consumer<MessageSummary> sink)
      throws StoreException;

  /** Rows per chunk of {@link #messages}. */
  int MESSAGES_CHUNK = 1000;

  /**
   * Imports many messages (migration, restore), committing up to {@value #IMPORT_BATCH} appends per
   * metadata transaction. Each blob is fsynced and renamed into place before the commit that
   * references it, as for {@link #append}; a blob already stored is not written again. UIDs are
   * assigned in iteration order. Each message's content stream is read to its end and closed. If a
   * batch fails, earlier batches stay committed.
   *
   * @return the number of messages imported
   * @throws StoreException.NotFound if the folder does not exist
   * @throws StoreException.Invalid if a flag is not acceptable
   */
  long importMessages(String folder, Iterator<ImportMessage> messages) throws StoreException;

  /** Appends per transaction of {@link #importMessages}. */
  int IMPORT_BATCH = 2000;

  // ------------------------------------------------------------------ annotations (RFC 5464)

  /** Longest annotation value in UTF-8 octets: {@value}. */
  int MAX_ANNOTATION_BYTES = 64 * 1024;

  /** Longest annotation entry name in characters: {@value}. */
  int MAX_ANNOTATION_ENTRY = 1024;

  /**
   * The annotations (IMAP METADATA, RFC 5464) of a folder, or of the account itself when {@code
   * folder} is empty: entry name to value, sorted by entry name. The store keeps entries as given
   * (the IMAP layer uses {@code /private/...} and {@code /shared/...}); they follow the folder when
   * it is renamed and vanish when it is deleted.
   *
   * @throws StoreException.NotFound if the folder does not exist
   */
  java.util.SortedMap<String, String> annotations(String folder) throws StoreException;

  /**
   * Sets (present value) or removes (empty value) annotations of a folder, or of the account when
   * {@code folder} is empty, in one transaction.
   *
   * @throws StoreException.NotFound if the folder does not exist
   * @throws StoreException.Invalid if an entry name is empty, longer than {@value
   *     #MAX_ANNOTATION_ENTRY} characters or has control characters, or a value is longer than
   *     {@value #MAX_ANNOTATION_BYTES} octets
   */
  void setAnnotations(String folder, Map<String, Optional<String>> changes) throws StoreException;
}
