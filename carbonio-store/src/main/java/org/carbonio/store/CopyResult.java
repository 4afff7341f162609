package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Result of COPY or MOVE, for COPYUID (RFC 4315 §3): {@code sourceUids.get(i)} became {@code
 * destinationUids.get(i)}. Source UIDs that did not exist are left out.
 *
 * <p>Immutable.
 *
 * @param uidValidity the destination folder's UIDVALIDITY
 * @param sourceUids copied source UIDs, ascending
 * @param destinationUids their new UIDs in the destination, ascending
 */
public record CopyResult(long uidValidity, List<Long> sourceUids, List<Long> destinationUids) {
  /** Validates and copies the fields. */
  public CopyResult {
    sourceUids = List.copyOf(requireNonNull(sourceUids, "sourceUids"));
    destinationUids = List.copyOf(requireNonNull(destinationUids, "destinationUids"));
    if (sourceUids.size() != destinationUids.size()) {
      throw new IllegalArgumentException(
          "sizes differ: " + sourceUids.size() + " vs " + destinationUids.size());
    }
  }
}
