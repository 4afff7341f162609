package org.carbonio.store.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.carbonio.store.AppendResult;
import org.carbonio.store.BlobId;
import org.carbonio.store.ImportMessage;
import org.carbonio.store.Mailbox;
import org.carbonio.store.StoreException;
import org.carbonio.store.spi.BlobStore;
import org.carbonio.store.spi.MetadataStore;

/**
 * {@link Mailbox#importMessages}: stages a batch of contents, publishes each new blob durably
 * (fsync, link, directory fsync) under the blob gate, then commits the batch's metadata in one
 * transaction. A blob stored already is only checked for existence (under the gate, so garbage
 * collection in this process cannot remove it before the commit), not written again; contents up to
 * 16 KiB are hashed in memory first so that repeats of a blob an earlier batch published are not
 * even staged. One copy of each blob stays staged (or in memory) until the batch commits: if
 * another node collected a blob meanwhile ({@link org.carbonio.store.spi.BlobGoneException}; see
 * {@link StoreImpl#publishAndCommit}), the batch publishes again and retries.
 *
 * <p>Not thread-safe: one instance per call.
 */
final class BulkImporter {
  private final StoreImpl store;
  private final String account;
  private final String folder;
  private final Set<BlobId> published = new HashSet<>();

  BulkImporter(StoreImpl store, String account, String folder) {
    this.store = store;
    this.account = account;
    this.folder = folder;
  }

  long run(Iterator<ImportMessage> messages) {
    store.meta.folderId(account, folder); // fail early when there is no folder
    long done = 0;
    while (messages.hasNext()) {
      List<ImportMessage> batch = new ArrayList<>(Mailbox.IMPORT_BATCH);
      while (batch.size() < Mailbox.IMPORT_BATCH && messages.hasNext()) {
        batch.add(messages.next());
      }
      done += batch(batch).size();
    }
    return done;
  }

  /** Contents up to this size are hashed in memory first, so that repeats skip the staging. */
  private static final int SMALL = 16 * 1024;

  /** One message of a batch: staged, or (a repeat of a published blob) kept in memory. */
  private static final class Item {
    BlobStore.Staged staged;
    byte[] bytes;
  }

  /**
   * Makes every blob of the batch durable at its address before the metadata commit. A content kept
   * in memory (a repeat of a blob an earlier batch published) is staged only if its blob is gone; a
   * staged one is committed, which writes nothing when the blob is stored already.
   */
  private void publish(Map<BlobId, Item> copies, Set<BlobId> fresh) throws IOException {
    for (var e : copies.entrySet()) {
      Item item = e.getValue();
      if (item.staged == null) {
        if (store.blobs.exists(e.getKey())) {
          continue; // durable at its address; the gate (or the blob lock) keeps it
        }
        item.staged = store.blobs.stage(new ByteArrayInputStream(item.bytes));
      }
      item.staged.commit();
      fresh.add(e.getKey());
    }
  }

  private List<AppendResult> batch(List<ImportMessage> batch) {
    List<MetadataStore.ImportRow> rows = new ArrayList<>(batch.size());
    List<Item> items = new ArrayList<>(batch.size());
    Set<BlobId> fresh = new HashSet<>();
    Set<BlobId> staged = new HashSet<>();
    MetadataStore.Outcome<List<AppendResult>> outcome;
    try {
      for (ImportMessage m : batch) {
        Item item = new Item();
        items.add(item);
        try (InputStream in = m.content()) {
          Set<String> flags = FlagSet.of(m.flags()).toSet(); // validated here, before any I/O
          byte[] head = in.readNBytes(SMALL + 1);
          BlobId id;
          long size;
          if (head.length <= SMALL
              && (published.contains(id = BlobId.of(head)) || staged.contains(id))) {
            item.bytes = head;
            size = head.length;
          } else {
            InputStream all = new SequenceInputStream(new ByteArrayInputStream(head), in);
            item.staged = store.blobs.stage(all);
            id = item.staged.id();
            size = item.staged.size();
            staged.add(id);
          }
          rows.add(new MetadataStore.ImportRow(id, size, flags, m.internalDate()));
        }
      }
      // One retained copy per distinct blob (the first), for publishing again after a BlobGone.
      Map<BlobId, Item> copies = new LinkedHashMap<>();
      for (int i = 0; i < items.size(); i++) {
        Item item = items.get(i);
        if (copies.putIfAbsent(rows.get(i).blob(), item) != null && item.staged != null) {
          item.staged.close(); // a repeat within the batch: the first copy publishes
          item.staged = null;
        }
      }
      outcome =
          store.publishAndCommit(
              () -> publish(copies, fresh), () -> store.meta.importMessages(account, folder, rows));
    } catch (IOException e) {
      throw new StoreException.Unavailable("cannot store message content: " + e, e);
    } catch (StoreException e) {
      store.collect(fresh); // drop blobs nothing references
      throw e;
    } finally {
      for (Item item : items) {
        try {
          if (item.staged != null) item.staged.close();
        } catch (IOException e) {
          // a leftover staged file is removed when the store opens next
        }
      }
    }
    published.addAll(fresh);
    return store.afterCommit(outcome);
  }
}
