package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What IMAP FETCH of FLAGS, INTERNALDATE, RFC822.SIZE, EMAILID, THREADID and SAVEDATE needs of a
 * message, read by {@link Mailbox#messages} for whole UID ranges.
 *
 * <p>Immutable.
 *
 * @param uid the message's UID in its folder
 * @param flags system flags (canonical spelling, see {@link Flags}) and keywords
 * @param internalDate the INTERNALDATE (RFC 9051 §2.3.3), millisecond precision
 * @param size size in octets (RFC822.SIZE)
 * @param modSeq the mod-sequence of the last change (RFC 7162 §3.1.3)
 * @param blobId the content's address in the blob store (the same for copies of one content)
 * @param conversationId the conversation the message belongs to; 0 when unknown
 * @param saveDate when the message was stored in this folder (RFC 8514); empty when unknown
 */
public record MessageSummary(
    long uid,
    Set<String> flags,
    Instant internalDate,
    long size,
    long modSeq,
    BlobId blobId,
    long conversationId,
    Optional<Instant> saveDate) {
  /** Validates and copies the fields. */
  public MessageSummary {
    flags = Set.copyOf(requireNonNull(flags, "flags"));
    requireNonNull(internalDate, "internalDate");
    requireNonNull(blobId, "blobId");
    requireNonNull(saveDate, "saveDate");
    if (uid < 1 || size < 0 || modSeq < 1 || conversationId < 0) {
      throw new IllegalArgumentException("uid " + uid + ", size " + size + ", modSeq " + modSeq);
    }
  }

  /** The summary of a message. */
  public static MessageSummary of(MessageInfo m) {
    return new MessageSummary(
        m.uid(),
        m.flags(),
        m.internalDate(),
        m.size(),
        m.modSeq(),
        m.blobId(),
        m.conversationId(),
        m.saveDate());
  }
}
