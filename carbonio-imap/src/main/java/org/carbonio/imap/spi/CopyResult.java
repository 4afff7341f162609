package org.carbonio.imap.spi;

import java.util.List;

/**
 * Immutable: result of a copy or move (RFC 4315 COPYUID); {@code sourceUids.get(i)} became {@code
 * destinationUids.get(i)}.
 */
public record CopyResult(long uidValidity, List<Long> sourceUids, List<Long> destinationUids) {
  public CopyResult {
    sourceUids = List.copyOf(sourceUids);
    destinationUids = List.copyOf(destinationUids);
    if (sourceUids.size() != destinationUids.size()) {
      throw new IllegalArgumentException(
          "uid lists differ in size: " + sourceUids.size() + " vs " + destinationUids.size());
    }
  }
}
