package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A consistent view of a folder at one instant, for SELECT.
 *
 * <p>Immutable.
 *
 * @param uidValidity the folder's UIDVALIDITY
 * @param uidNext the UID the next message will get
 * @param highestModSeq the folder's HIGHESTMODSEQ
 * @param messages every message, in ascending UID order
 */
public record FolderSnapshot(
    long uidValidity, long uidNext, long highestModSeq, List<MessageInfo> messages) {
  /** Validates and copies the fields. */
  public FolderSnapshot {
    messages = List.copyOf(requireNonNull(messages, "messages"));
  }
}
