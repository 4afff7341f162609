package org.carbonio.store.spi;

import org.carbonio.store.BlobId;

/** Rows the consistency check reads through {@link MetadataStore}. The records are immutable. */
public final class CheckRows {
  private CheckRows() {}

  /**
   * A row of the blob table with the number of messages that reference the blob (both read in one
   * transaction).
   */
  public record BlobRow(BlobId id, long size, long refcount, long references) {}

  /** A blob that messages reference but that has no row. */
  public record DanglingBlob(BlobId id, long references) {}

  /**
   * A folder's counters next to the largest UID and mod-sequence of its messages and expunge log.
   */
  public record FolderCounters(
      long folderId,
      String account,
      String folder,
      long uidNext,
      long highestModSeq,
      long maxUid,
      long maxModSeq) {}
}
