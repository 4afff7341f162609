package org.carbonio.store;

/**
 * Counters of one folder, as for IMAP STATUS (RFC 9051 §6.3.11, RFC 7162 §3.1.2.1).
 *
 * <p>Immutable.
 *
 * @param messages number of messages
 * @param unseen number of messages without {@code \Seen}
 * @param recent always 0: the store keeps no session state ({@code \Recent} is gone in IMAP4rev2)
 * @param uidNext the UID the next message will get
 * @param uidValidity the folder's UIDVALIDITY
 * @param highestModSeq the highest mod-sequence of the folder (RFC 7162), at least 1
 * @param size sum of the message sizes in octets
 */
public record FolderStatus(
    long messages,
    long unseen,
    long recent,
    long uidNext,
    long uidValidity,
    long highestModSeq,
    long size) {
  /** Validates the fields. */
  public FolderStatus {
    if (messages < 0 || unseen < 0 || unseen > messages || recent < 0 || size < 0) {
      throw new IllegalArgumentException("negative or inconsistent counter");
    }
    if (uidNext < 1 || uidValidity < 1 || highestModSeq < 1) {
      throw new IllegalArgumentException("uidNext/uidValidity/highestModSeq must be positive");
    }
  }
}
