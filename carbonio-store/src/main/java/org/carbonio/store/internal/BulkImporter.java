package org.carbonio.store.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.carbonio.store.AppendResult;
import org.carbonio.store.BlobId;
import org.carbonio.store.ImportMessage;
import org.carbonio.store.Mailbox;
import org.carbonio.store.StoreException;
import org.carbonio.store.internal.meta.MetadataStore;
import org.carbonio.store.spi.BlobStore;

/**
 * {@link Mailbox#importMessages}: stages a batch of contents, publishes each new blob durably
 * (fsync, rename, directory fsync) under the blob gate, then commits the batch's metadata in one
 * transaction. A blob this import already published is only checked for existence (under the gate,
 * so garbage collection cannot remove it before the commit), not written again.
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

  private List<AppendResult> batch(List<ImportMessage> batch) {
    List<MetadataStore.ImportRow> rows = new ArrayList<>(batch.size());
    List<BlobStore.Staged> staged = new ArrayList<>(batch.size());
    Set<BlobId> fresh = new HashSet<>();
    MetadataStore.Outcome<List<AppendResult>> outcome;
    try {
      for (ImportMessage m : batch) {
        FlagSet flags;
        BlobStore.Staged s;
        try (InputStream in = m.content()) {
          flags = FlagSet.of(m.flags());
          s = store.blobs.stage(in);
        }
        staged.add(s);
        rows.add(new MetadataStore.ImportRow(s.id(), s.size(), flags, m.internalDate()));
      }
      store.blobGate.readLock().lock();
      try {
        for (BlobStore.Staged s : staged) {
          BlobId id = s.id();
          if (fresh.contains(id) || (published.contains(id) && store.blobs.exists(id))) {
            s.close(); // durable at its address already; drop the staged copy
          } else {
            s.commit(); // durable at its address before the metadata commit
            fresh.add(id);
          }
        }
        outcome = store.meta.importMessages(account, folder, rows);
      } finally {
        store.blobGate.readLock().unlock();
      }
    } catch (IOException e) {
      throw new StoreException.Unavailable("cannot store message content: " + e, e);
    } catch (StoreException e) {
      store.collect(fresh); // drop blobs nothing references
      throw e;
    } finally {
      for (BlobStore.Staged s : staged) {
        try {
          s.close();
        } catch (IOException e) {
          // a leftover staged file is removed when the store opens next
        }
      }
    }
    published.addAll(fresh);
    return store.afterCommit(outcome);
  }
}
