package org.carbonio.store.internal.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;
import org.carbonio.store.BlobId;
import org.carbonio.store.CheckFinding;
import org.carbonio.store.CheckOptions;
import org.carbonio.store.CheckReport;
import org.carbonio.store.StoreException;
import org.carbonio.store.spi.BlobStore;
import org.carbonio.store.spi.CheckRows;
import org.carbonio.store.spi.MetadataStore;

/**
 * The consistency check of a store (see {@link org.carbonio.store.MailStore#check(CheckOptions)}).
 *
 * <p>It may run while the store serves writes. Metadata facts (reference counts, folder counters)
 * come from one read transaction each, so they are consistent. Facts that combine metadata with
 * blob files (a missing blob, an orphan file) are confirmed again while holding the write side of
 * the store's blob gate, which every write holds the read side of from publishing its blob until
 * its metadata commit: at that moment no blob is in flight in this process, and for an embedded
 * store the directory lock keeps other processes out. So an orphan confirmed there is a real orphan
 * whatever its age, and repair deletes it at once. When other nodes share the blobs, a young
 * unreferenced blob is usually another node's write between publish and commit: only blobs older
 * than {@link #SHARED_ORPHAN_GRACE} are reported, and repair deletes them through {@link
 * MetadataStore#deleteUnreferenced}, under the blob lock such a write respects (it would store the
 * blob again), so even a wrong guess loses nothing.
 *
 * <p>Not thread-safe: one instance per check.
 */
public final class StoreChecker {
  private final BlobStore blobs;
  private final MetadataStore meta;
  private final Lock gate;
  private final BlobLister lister;
  private final Consumer<MetadataStore.Outcome<?>> afterCommit;

  private final List<CheckFinding> findings = new ArrayList<>();
  private final List<CheckFinding> repaired = new ArrayList<>();

  /**
   * Orphans younger than this are left alone: zero for an embedded store (its gate covers every
   * writer), {@link #SHARED_ORPHAN_GRACE} when other nodes write to the same blobs.
   */
  private final java.time.Duration orphanGrace;

  /** How old an unreferenced blob must be before a store shared by nodes calls it an orphan. */
  public static final java.time.Duration SHARED_ORPHAN_GRACE = java.time.Duration.ofHours(24);

  /**
   * @param gate the write side of the store's blob gate
   * @param afterCommit the store's post-commit work (blob collection, notifications)
   * @param orphanGrace how old an unreferenced blob must be to count as an orphan
   */
  public StoreChecker(
      BlobStore blobs,
      MetadataStore meta,
      Lock gate,
      BlobLister lister,
      Consumer<MetadataStore.Outcome<?>> afterCommit,
      java.time.Duration orphanGrace) {
    this.orphanGrace = orphanGrace;
    this.blobs = blobs;
    this.meta = meta;
    this.gate = gate;
    this.lister = lister;
    this.afterCommit = afterCommit;
  }

  /** Runs the check once. */
  public CheckReport check(CheckOptions options) {
    try {
      return run(options);
    } catch (IOException e) {
      throw new StoreException.Unavailable("store check failed: " + e, e);
    }
  }

  private CheckReport run(CheckOptions options) throws IOException {
    boolean repair = options.repair();

    // Reference counts and rows.
    List<CheckRows.DanglingBlob> dangling = meta.checkDanglingBlobs(options.account());
    List<CheckRows.BlobRow> rows = meta.checkBlobRows(options.account());
    List<BlobId> fixRows = new ArrayList<>();
    List<CheckFinding> rowFindings = new ArrayList<>();
    Set<BlobId> referenced = new LinkedHashSet<>();
    long messages = 0;
    for (CheckRows.DanglingBlob d : dangling) {
      rowFindings.add(new CheckFinding.MissingBlobRow(d.id(), d.references()));
      fixRows.add(d.id());
      referenced.add(d.id());
      messages += d.references();
    }
    for (CheckRows.BlobRow row : rows) {
      if (row.refcount() != row.references()) {
        rowFindings.add(new CheckFinding.WrongRefCount(row.id(), row.refcount(), row.references()));
        fixRows.add(row.id());
      }
      if (row.references() > 0) {
        referenced.add(row.id());
      }
      messages += row.references();
    }

    // Blob files of referenced blobs: present, and (if asked) intact.
    Set<BlobId> missing = new LinkedHashSet<>();
    Map<BlobId, String> corrupt = new LinkedHashMap<>();
    for (BlobId id : referenced) {
      if (!present(id)) {
        missing.add(id);
      } else if (options.verifyContent()) {
        String actual = hash(id);
        if (actual == null) {
          missing.add(id);
        } else if (!actual.equals(id.sha256())) {
          corrupt.put(id, actual);
        }
      }
    }
    List<CheckFinding> blobFindings = new ArrayList<>();
    if (!missing.isEmpty() || !corrupt.isEmpty()) {
      gate.lock(); // confirm: a concurrent expunge may have released a blob since the read
      try {
        Set<BlobId> all = new HashSet<>(missing);
        all.addAll(corrupt.keySet());
        Map<BlobId, List<CheckFinding.MessageRef>> users = meta.messagesOf(all);
        for (BlobId id : missing) {
          List<CheckFinding.MessageRef> refs = users.getOrDefault(id, List.of());
          if (!refs.isEmpty() && !present(id)) {
            blobFindings.add(new CheckFinding.MissingBlob(id, refs));
          }
        }
        for (var e : corrupt.entrySet()) {
          List<CheckFinding.MessageRef> refs = users.getOrDefault(e.getKey(), List.of());
          if (!refs.isEmpty()) {
            blobFindings.add(new CheckFinding.CorruptBlob(e.getKey(), e.getValue(), refs));
          }
        }
      } finally {
        gate.unlock();
      }
    }
    findings.addAll(rowFindings);
    findings.addAll(blobFindings);
    if (repair && !fixRows.isEmpty()) {
      afterCommit.accept(meta.repairBlobRows(fixRows));
      repaired.addAll(rowFindings);
    }

    // Folder counters.
    List<CheckRows.FolderCounters> folders = meta.checkFolders(options.account());
    List<Long> fixFolders = new ArrayList<>();
    List<CheckFinding> folderFindings = new ArrayList<>();
    for (CheckRows.FolderCounters f : folders) {
      boolean bad = false;
      if (f.uidNext() <= f.maxUid()) {
        folderFindings.add(
            new CheckFinding.UidNextTooLow(f.account(), f.folder(), f.uidNext(), f.maxUid()));
        bad = true;
      }
      if (f.highestModSeq() < f.maxModSeq()) {
        folderFindings.add(
            new CheckFinding.ModSeqTooLow(
                f.account(), f.folder(), f.highestModSeq(), f.maxModSeq()));
        bad = true;
      }
      if (bad) {
        fixFolders.add(f.folderId());
      }
    }
    findings.addAll(folderFindings);
    if (repair && !fixFolders.isEmpty()) {
      afterCommit.accept(meta.repairFolderCounters(fixFolders));
      repaired.addAll(folderFindings);
    }

    // Orphan blob files (whole-store checks only: orphans belong to no account).
    long listed = 0;
    if (options.account().isEmpty()) {
      Set<BlobId> known = new HashSet<>();
      rows.forEach(r -> known.add(r.id()));
      dangling.forEach(d -> known.add(d.id()));
      List<BlobLister.Listed> candidates = new ArrayList<>();
      // Another node may have published a blob and not committed it yet: with a grace period,
      // only blobs older than it can be orphans.
      java.time.Instant youngest = java.time.Instant.now().minus(orphanGrace);
      long[] count = {0};
      lister.forEach(
          java.time.Instant.EPOCH,
          l -> {
            count[0]++;
            if (!known.contains(l.id()) && !l.modified().isAfter(youngest)) {
              candidates.add(l);
            }
          });
      listed = count[0];
      if (!candidates.isEmpty()) {
        gate.lock();
        try {
          for (BlobLister.Listed l : candidates) {
            if (!blobs.exists(l.id()) || meta.blobKnown(l.id())) {
              continue; // deleted, or committed, since the listing
            }
            CheckFinding orphan = new CheckFinding.OrphanBlob(l.id(), l.size(), l.modified());
            findings.add(orphan);
            // Deleted like garbage: under the blob row lock that other nodes' writers respect.
            if (repair) {
              if (!meta.deleteUnreferenced(Set.of(l.id())).isEmpty()) {
                repaired.add(orphan);
              } else if (meta.blobKnown(l.id())) {
                findings.remove(orphan); // referenced since the check above: not an orphan
              } // else the deletion failed (logged): reported, not repaired
            }
          }
        } finally {
          gate.unlock();
        }
      }
    }
    return new CheckReport(findings, repaired, folders.size(), rows.size(), messages, listed);
  }

  /** Whether the blob's content is stored: inline in the metadata, or in the blob store. */
  private boolean present(BlobId id) throws IOException {
    return meta.inlineBlob(id).isPresent() || blobs.exists(id);
  }

  /** The SHA-256 of a blob's content, or null if it vanished. */
  private String hash(BlobId id) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
    Optional<byte[]> inline = meta.inlineBlob(id);
    if (inline.isPresent()) {
      return HexFormat.of().formatHex(sha.digest(inline.get()));
    }
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = blobs.open(id)) {
      int n;
      while ((n = in.read(buf)) != -1) {
        sha.update(buf, 0, n);
      }
    } catch (NoSuchFileException e) {
      return null;
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
