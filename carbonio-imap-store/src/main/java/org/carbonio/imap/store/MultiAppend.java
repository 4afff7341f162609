package org.carbonio.imap.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.carbonio.imap.spi.AppendResult;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.NewMessage;
import org.carbonio.store.FolderChanges;
import org.carbonio.store.FolderStatus;
import org.carbonio.store.ImportMessage;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageInfo;
import org.carbonio.store.QuotaUsage;
import org.carbonio.store.StoreException;

/**
 * IMAP MULTIAPPEND (RFC 3502) over the store: all messages in one {@link Mailbox#importMessages}
 * transaction, which gives them consecutive UIDs and one mod-sequence. The UIDs for APPENDUID are
 * then read back as the run of that many consecutive new messages sharing one mod-sequence above
 * the folder's state before the import. Stateless.
 */
final class MultiAppend {
  private MultiAppend() {}

  static List<AppendResult> run(Mailbox mailbox, String folder, List<NewMessage> messages)
      throws BackendException {
    try {
      long total = 0;
      for (NewMessage m : messages) total += m.size();
      // RFC 9208 §5.1: the import path does not enforce the quota; refuse here as append would
      QuotaUsage q = mailbox.quota();
      if (q.limit().isPresent() && q.bytes() + total > q.limit().getAsLong()) {
        throw new BackendException.Unavailable("over quota");
      }
      FolderStatus before = mailbox.status(folder);
      mailbox.importMessages(folder, new Opening(messages));
      FolderChanges changes = mailbox.changesSince(folder, before.highestModSeq());
      Map<Long, List<Long>> byModSeq = new TreeMap<>();
      for (MessageInfo m : changes.changed()) {
        if (m.uid() >= before.uidNext()) {
          byModSeq.computeIfAbsent(m.modSeq(), k -> new ArrayList<>()).add(m.uid());
        }
      }
      for (List<Long> uids : byModSeq.values()) {
        uids.sort(null);
        if (uids.size() == messages.size()
            && uids.get(uids.size() - 1) - uids.get(0) == uids.size() - 1) {
          List<AppendResult> out = new ArrayList<>(uids.size());
          for (long uid : uids) out.add(new AppendResult(before.uidValidity(), uid));
          return out;
        }
      }
      // the messages are stored; another writer changed them before we looked
      throw new BackendException.Unavailable("stored, but the new UIDs could not be determined");
    } catch (StoreException e) {
      throw StoreMailboxBackend.translate(e);
    } catch (UncheckedIOException e) {
      throw new BackendException.Unavailable("cannot read message: " + e.getCause().getMessage());
    }
  }

  /** Opens each message's content only when the import reaches it. Not thread-safe. */
  private static final class Opening implements Iterator<ImportMessage> {
    private final Iterator<NewMessage> it;

    Opening(List<NewMessage> messages) {
      this.it = messages.iterator();
    }

    @Override
    public boolean hasNext() {
      return it.hasNext();
    }

    @Override
    public ImportMessage next() {
      if (!it.hasNext()) throw new NoSuchElementException();
      NewMessage m = it.next();
      try {
        return new ImportMessage(m.content().open(), m.flags(), m.internalDate());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
