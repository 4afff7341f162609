package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Metadata of one message in a folder.
 *
 * <p>Immutable.
 *
 * @param uid the message's UID in its folder
 * @param flags system flags (canonical spelling, see {@link Flags}) and keywords
 * @param internalDate the INTERNALDATE (RFC 9051 §2.3.3), millisecond precision
 * @param size size in octets (RFC822.SIZE)
 * @param modSeq the mod-sequence of the last change (RFC 7162 §3.1.3)
 * @param blobId the content's address in the blob store
 * @param conversationId the conversation the message belongs to (see {@link
 *     Mailbox#conversation(long)}); 0 when unknown
 * @param saveDate when the message was stored in this folder (RFC 8514 §3: by append, delivery,
 *     copy or move), millisecond precision; empty for messages stored before the store kept it
 */
public record MessageInfo(
    long uid,
    Set<String> flags,
    Instant internalDate,
    long size,
    long modSeq,
    BlobId blobId,
    long conversationId,
    Optional<Instant> saveDate) {
  /** Validates and copies the fields. */
  public MessageInfo {
    flags = Set.copyOf(requireNonNull(flags, "flags"));
    requireNonNull(internalDate, "internalDate");
    requireNonNull(blobId, "blobId");
    requireNonNull(saveDate, "saveDate");
    if (uid < 1 || size < 0 || modSeq < 1 || conversationId < 0) {
      throw new IllegalArgumentException("uid " + uid + ", size " + size + ", modSeq " + modSeq);
    }
  }

  /** A message whose save date is unknown. */
  public MessageInfo(
      long uid,
      Set<String> flags,
      Instant internalDate,
      long size,
      long modSeq,
      BlobId blobId,
      long conversationId) {
    this(uid, flags, internalDate, size, modSeq, blobId, conversationId, Optional.empty());
  }

  /** A message whose conversation (0) and save date are unknown. */
  public MessageInfo(
      long uid, Set<String> flags, Instant internalDate, long size, long modSeq, BlobId blobId) {
    this(uid, flags, internalDate, size, modSeq, blobId, 0);
  }
}
