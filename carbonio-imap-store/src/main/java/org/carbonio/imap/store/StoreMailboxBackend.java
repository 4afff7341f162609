package org.carbonio.imap.store;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.carbonio.imap.spi.AppendResult;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.ConditionalStore;
import org.carbonio.imap.spi.CopyResult;
import org.carbonio.imap.spi.FlagOperation;
import org.carbonio.imap.spi.MailboxBackend;
import org.carbonio.imap.spi.MailboxChanges;
import org.carbonio.imap.spi.MailboxInfo;
import org.carbonio.imap.spi.MailboxSnapshot;
import org.carbonio.imap.spi.MailboxStatus;
import org.carbonio.imap.spi.MailboxView;
import org.carbonio.imap.spi.MessageExtras;
import org.carbonio.imap.spi.MessageMeta;
import org.carbonio.imap.spi.NewMessage;
import org.carbonio.imap.spi.UidList;
import org.carbonio.imap.spi.UserMailboxes;
import org.carbonio.store.ConditionalFlags;
import org.carbonio.store.FolderInfo;
import org.carbonio.store.FolderStatus;
import org.carbonio.store.FolderUids;
import org.carbonio.store.MailStore;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageInfo;
import org.carbonio.store.StoreException;

/**
 * The IMAP backend SPI over the store: one IMAP mailbox per store folder, user = account id. The
 * backend does not own the store: whoever opened it closes it. Store failures reach the engine as
 * {@link BackendException}s.
 *
 * <p>Thread-safe.
 */
public final class StoreMailboxBackend implements MailboxBackend {

  private final MailStore store;
  private final AccountLookup lookup;

  /** A backend whose account ids are the addresses ({@link AccountLookup#IDENTITY}). */
  public StoreMailboxBackend(MailStore store) {
    this(store, AccountLookup.IDENTITY);
  }

  /** A backend whose shared namespace and ACLs name accounts by their address in {@code lookup}. */
  public StoreMailboxBackend(MailStore store, AccountLookup lookup) {
    this.store = requireNonNull(store, "store");
    this.lookup = requireNonNull(lookup, "lookup");
  }

  @Override
  public UserMailboxes open(String user) throws BackendException {
    Mailbox mailbox = call(() -> store.mailbox(user));
    return new StoreUserMailboxes(
        user,
        mailbox,
        new Mailboxes(mailbox),
        store,
        lookup,
        owner -> new Mailboxes(store.mailbox(owner)));
  }

  /** A store call whose exceptions become the IMAP SPI's. */
  @FunctionalInterface
  interface StoreCall<T> {
    T run();
  }

  static <T> T call(StoreCall<T> call) throws BackendException {
    try {
      return call.run();
    } catch (StoreException e) {
      throw translate(e);
    }
  }

  static void run(Runnable call) throws BackendException {
    call(
        () -> {
          call.run();
          return null;
        });
  }

  static BackendException translate(StoreException e) {
    return switch (e) {
      case StoreException.NotFound n -> new BackendException.NotFound(n.getMessage());
      case StoreException.AlreadyExists a -> new BackendException.AlreadyExists(a.getMessage());
      case StoreException.Invalid i -> new BackendException.Invalid(i.getMessage());
      case StoreException.Unavailable u -> new BackendException.Unavailable(u.getMessage());
      case StoreException.OverQuota q -> new BackendException.OverQuota(q.getMessage());
    };
  }

  private static MessageMeta meta(MessageInfo m) {
    return new MessageMeta(m.uid(), m.flags(), m.internalDate(), m.size(), m.modSeq());
  }

  private static List<MessageMeta> metas(List<MessageInfo> messages) {
    List<MessageMeta> metas = new ArrayList<>(messages.size());
    for (MessageInfo m : messages) {
      metas.add(meta(m));
    }
    return metas;
  }

  private static CopyResult copyResult(org.carbonio.store.CopyResult r) {
    return new CopyResult(r.uidValidity(), r.sourceUids(), r.destinationUids());
  }

  private static org.carbonio.store.FlagOperation operation(FlagOperation op) {
    return switch (op) {
      case REPLACE -> org.carbonio.store.FlagOperation.REPLACE;
      case ADD -> org.carbonio.store.FlagOperation.ADD;
      case REMOVE -> org.carbonio.store.FlagOperation.REMOVE;
    };
  }

  private record Mailboxes(Mailbox mailbox) implements UserMailboxes {

    @Override
    public Optional<String> mailboxId(String name) throws BackendException {
      // RFC 8474 §4: UIDVALIDITY comes from one store-wide counter and survives RENAME
      return Optional.of("F" + call(() -> mailbox.status(name)).uidValidity());
    }

    @Override
    public void messageExtras(String name, long fromUid, long toUid, Consumer<MessageExtras> sink)
        throws BackendException {
      run(
          () ->
              mailbox.messages(
                  name,
                  fromUid,
                  toUid,
                  m ->
                      sink.accept(
                          new MessageExtras(
                              m.uid(),
                              // RFC 8474 §5.1: the blob is the content's SHA-256, so copies
                              // share the EMAILID
                              Optional.of("M" + m.blobId().sha256().substring(0, 24)),
                              m.conversationId() > 0
                                  ? Optional.of("T" + m.conversationId())
                                  : Optional.empty(),
                              m.saveDate()))));
    }

    @Override
    public boolean saveDateSupported(String name) {
      // RFC 8514 §3: messages stored before the store kept save dates answer NIL
      return true;
    }

    @Override
    public List<MailboxInfo> list() throws BackendException {
      return call(
          () -> {
            List<MailboxInfo> infos = new ArrayList<>();
            for (FolderInfo folder : mailbox.folders()) {
              Set<String> attributes =
                  folder.role().map(r -> Set.of(r.attribute())).orElse(Set.of());
              infos.add(new MailboxInfo(folder.name(), attributes, folder.subscribed()));
            }
            return infos;
          });
    }

    @Override
    public void create(String name) throws BackendException {
      run(() -> mailbox.createFolder(name));
    }

    @Override
    public void delete(String name) throws BackendException {
      run(() -> mailbox.deleteFolder(name));
    }

    @Override
    public void rename(String from, String to) throws BackendException {
      run(() -> mailbox.renameFolder(from, to));
    }

    @Override
    public void subscribe(String name, boolean subscribed) throws BackendException {
      run(() -> mailbox.setSubscribed(name, subscribed));
    }

    @Override
    public MailboxStatus status(String name) throws BackendException {
      FolderStatus s = call(() -> mailbox.status(name));
      return new MailboxStatus(
          s.messages(), s.unseen(), s.uidNext(), s.uidValidity(), s.highestModSeq());
    }

    @Override
    public AppendResult append(
        String name, Set<String> flags, Instant internalDate, InputStream content, long size)
        throws BackendException {
      org.carbonio.store.AppendResult r =
          call(() -> mailbox.append(name, content, flags, internalDate));
      return new AppendResult(r.uidValidity(), r.uid());
    }

    @Override
    public MailboxSnapshot snapshot(String name) throws BackendException {
      var s = call(() -> mailbox.snapshot(name));
      return new MailboxSnapshot(
          s.uidValidity(), s.uidNext(), s.highestModSeq(), metas(s.messages()));
    }

    @Override
    public MailboxView select(String name) throws BackendException {
      FolderUids v = call(() -> mailbox.uids(name));
      org.carbonio.store.UidList from = v.uids();
      UidList.Builder uids = new UidList.Builder(from.size());
      for (int i = 0; i < from.size(); i++) {
        uids.add(from.get(i));
      }
      return new MailboxView(
          v.uidValidity(),
          v.uidNext(),
          v.highestModSeq(),
          v.firstUnseenUid(),
          v.keywords(),
          uids.build());
    }

    @Override
    public void messages(String name, long fromUid, long toUid, Consumer<MessageMeta> sink)
        throws BackendException {
      run(
          () ->
              mailbox.messages(
                  name,
                  fromUid,
                  toUid,
                  m ->
                      sink.accept(
                          new MessageMeta(
                              m.uid(), m.flags(), m.internalDate(), m.size(), m.modSeq()))));
    }

    @Override
    public MailboxChanges changesSince(String name, long modSeq) throws BackendException {
      var c = call(() -> mailbox.changesSince(name, modSeq));
      return new MailboxChanges(c.highestModSeq(), metas(c.changed()), c.expunged());
    }

    @Override
    public byte[] content(String name, long uid) throws BackendException {
      return call(() -> mailbox.read(name, uid));
    }

    @Override
    public List<MessageMeta> setFlags(
        String name, Collection<Long> uids, FlagOperation op, Set<String> flags)
        throws BackendException {
      return call(() -> metas(mailbox.setFlags(name, uids, operation(op), flags)));
    }

    @Override
    public ConditionalStore setFlagsIfUnchanged(
        String name,
        Collection<Long> uids,
        FlagOperation op,
        Set<String> flags,
        long unchangedSince)
        throws BackendException {
      ConditionalFlags r =
          call(() -> mailbox.setFlagsIfUnchanged(name, uids, operation(op), flags, unchangedSince));
      return new ConditionalStore(metas(r.updated()), r.modified());
    }

    @Override
    public List<Long> expunge(String name, Optional<Collection<Long>> uids)
        throws BackendException {
      return call(() -> mailbox.expunge(name, uids));
    }

    @Override
    public CopyResult copy(String from, Collection<Long> uids, String to) throws BackendException {
      return call(() -> copyResult(mailbox.copy(from, uids, to)));
    }

    @Override
    public CopyResult move(String from, Collection<Long> uids, String to) throws BackendException {
      return call(() -> copyResult(mailbox.move(from, uids, to)));
    }

    @Override
    public AutoCloseable watch(String name, Runnable onChange) throws BackendException {
      return call(() -> mailbox.watch(name, onChange));
    }

    /**
     * MULTIAPPEND (RFC 3502) in one store transaction: {@link Mailbox#importMessages} commits up to
     * {@value Mailbox#IMPORT_BATCH} messages at once (the decoder allows fewer per APPEND), so
     * either all are stored or none. An import is not refused by the quota, so the quota is checked
     * first.
     */
    @Override
    public List<AppendResult> appendAll(String name, List<NewMessage> messages)
        throws BackendException {
      if (messages.size() <= 1 || messages.size() > Mailbox.IMPORT_BATCH) {
        return UserMailboxes.super.appendAll(name, messages);
      }
      return MultiAppend.run(mailbox, name, messages);
    }

    @Override
    public AutoCloseable watchMailboxes(Runnable onChange) {
      return null; // the store has no folder-list notification: NOTIFY compares lists instead
    }

    @Override
    public void close() {
      // the store's Mailbox holds no per-session resources
    }
  }
}
