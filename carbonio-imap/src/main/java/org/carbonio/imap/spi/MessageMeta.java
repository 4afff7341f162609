package org.carbonio.imap.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Set;

/**
 * Immutable: what the server knows of a message without reading it.
 *
 * @param uid the message UID (positive)
 * @param flags system flags ({@code "\\Seen"}) and keywords
 * @param internalDate the INTERNALDATE
 * @param size the RFC822.SIZE in bytes
 * @param modSeq the modseq of the last change (0 when unsupported)
 */
public record MessageMeta(
    long uid, Set<String> flags, Instant internalDate, long size, long modSeq) {
  public MessageMeta {
    if (uid <= 0) throw new IllegalArgumentException("uid " + uid);
    flags = Set.copyOf(flags);
    requireNonNull(internalDate, "internalDate");
  }
}
