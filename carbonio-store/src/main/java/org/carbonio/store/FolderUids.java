package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * A compact, consistent view of one folder: what IMAP SELECT reports (RFC 9051 §6.3.2) and the UID
 * of every message, 4 bytes each, without per-message metadata.
 *
 * <p>Immutable.
 *
 * @param uidValidity the folder's UIDVALIDITY
 * @param uidNext the UID the next message will get
 * @param highestModSeq the folder's HIGHESTMODSEQ (RFC 7162)
 * @param unseen number of messages without {@code \Seen}
 * @param firstUnseenUid the lowest UID without {@code \Seen}, or 0 if all are seen
 * @param keywords every keyword set on some message of the folder
 * @param uids every message's UID, ascending
 */
public record FolderUids(
    long uidValidity,
    long uidNext,
    long highestModSeq,
    long unseen,
    long firstUnseenUid,
    Set<String> keywords,
    UidList uids) {
  /** Validates and copies the fields. */
  public FolderUids {
    keywords = Set.copyOf(requireNonNull(keywords, "keywords"));
    requireNonNull(uids, "uids");
    if (unseen < 0 || unseen > uids.size() || firstUnseenUid < 0) {
      throw new IllegalArgumentException("unseen " + unseen + " of " + uids.size());
    }
  }

  /** Number of messages. */
  public int messages() {
    return uids.size();
  }
}
