package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What changed in a folder after a given mod-sequence, for CONDSTORE/QRESYNC (RFC 7162 §3.2).
 *
 * <p>Immutable.
 *
 * @param uidValidity the folder's UIDVALIDITY
 * @param highestModSeq the folder's HIGHESTMODSEQ now
 * @param changed messages whose mod-sequence is above the given one, ascending UID order
 * @param expunged UIDs expunged with a mod-sequence above the given one, ascending
 */
public record FolderChanges(
    long uidValidity, long highestModSeq, List<MessageInfo> changed, List<Long> expunged) {
  /** Validates and copies the fields. */
  public FolderChanges {
    changed = List.copyOf(requireNonNull(changed, "changed"));
    expunged = List.copyOf(requireNonNull(expunged, "expunged"));
  }
}
