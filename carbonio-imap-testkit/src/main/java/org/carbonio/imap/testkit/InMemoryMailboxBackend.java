package org.carbonio.imap.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.carbonio.imap.spi.AppendResult;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.CopyResult;
import org.carbonio.imap.spi.FlagOperation;
import org.carbonio.imap.spi.MailboxBackend;
import org.carbonio.imap.spi.MailboxChanges;
import org.carbonio.imap.spi.MailboxInfo;
import org.carbonio.imap.spi.MailboxSnapshot;
import org.carbonio.imap.spi.MailboxStatus;
import org.carbonio.imap.spi.MessageMeta;
import org.carbonio.imap.spi.UserMailboxes;
import org.carbonio.mime.ParsedMessage;

/**
 * Thread-safe: every user's mailboxes in memory, with UIDs, modseqs, expunge tombstones and change
 * notification. Each user gets an INBOX on first use. Changes are visible to every open view at
 * once; {@code watch} callbacks run on the thread that made the change, after it completed.
 */
public final class InMemoryMailboxBackend implements MailboxBackend {
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final AtomicLong uidValidities = new AtomicLong(System.currentTimeMillis() / 1000);
  private final SharingView.Extras extras = new SharingView.Extras();

  /**
   * Opens a user's view, with special-use attributes, quotas (SETQUOTA on root {@code ""}), ACLs
   * with the shared namespace {@code Shared/owner/...}, and METADATA ({@link SharingView}).
   */
  @Override
  public UserMailboxes open(String user) {
    return new SharingView(user, new View(account(user)), extras, u -> new View(account(u)));
  }

  /** Delivers a message into a user's INBOX (line endings made CRLF); returns its UID. */
  public long deliver(String user, byte[] message) {
    return deliver(user, "INBOX", message, Set.of());
  }

  /** Delivers a message into a mailbox (created if missing); returns its UID. */
  public long deliver(String user, String mailbox, byte[] message, Set<String> flags) {
    Account a = account(user);
    List<Runnable> notify;
    long uid;
    synchronized (a) {
      Box box = a.boxes.get(mailbox);
      if (box == null) {
        box = a.newBox(mailbox);
      }
      uid = box.add(ParsedMessage.toCrlf(message), flags, Instant.now()).uid;
      notify = box.watchers;
    }
    notify.forEach(Runnable::run);
    return uid;
  }

  /** Names of a user's mailboxes (for assertions). */
  public Set<String> mailboxNames(String user) {
    Account a = account(user);
    synchronized (a) {
      return Set.copyOf(a.boxes.keySet());
    }
  }

  /** Metadata of a mailbox's messages (for assertions). */
  public List<MessageMeta> messages(String user, String mailbox) {
    Account a = account(user);
    synchronized (a) {
      Box b = a.boxes.get(mailbox);
      if (b == null) return List.of();
      return b.messages.values().stream().map(Msg::meta).toList();
    }
  }

  private Account account(String user) {
    return accounts.computeIfAbsent(user, u -> new Account());
  }

  /** Guarded by its own monitor (short in-memory sections only). */
  private final class Account {
    final TreeMap<String, Box> boxes = new TreeMap<>();
    final Set<String> subscriptions = new LinkedHashSet<>();

    Account() {
      newBox("INBOX");
      subscriptions.add("INBOX");
    }

    Box newBox(String name) {
      Box b = new Box(uidValidities.incrementAndGet());
      boxes.put(name, b);
      return b;
    }
  }

  private static final class Box {
    final long uidValidity;
    long uidNext = 1;
    long modSeq = 1;
    final TreeMap<Long, Msg> messages = new TreeMap<>();
    final TreeMap<Long, Long> tombstones = new TreeMap<>(); // uid -> modseq
    final List<Runnable> watchers = new CopyOnWriteArrayList<>();

    Box(long uidValidity) {
      this.uidValidity = uidValidity;
    }

    Msg add(byte[] content, Set<String> flags, Instant date) {
      Msg m = new Msg(uidNext++, content, date);
      m.flags.addAll(flags);
      m.modSeq = ++modSeq;
      messages.put(m.uid, m);
      return m;
    }

    void remove(long uid) {
      messages.remove(uid);
      tombstones.put(uid, ++modSeq);
    }
  }

  private static final class Msg {
    final long uid;
    final byte[] content;
    final Instant date;
    final Set<String> flags = new LinkedHashSet<>();
    long modSeq;

    Msg(long uid, byte[] content, Instant date) {
      this.uid = uid;
      this.content = content;
      this.date = date;
    }

    MessageMeta meta() {
      return new MessageMeta(uid, flags, date, content.length, modSeq);
    }
  }

  /** One connection's view; not thread-safe beyond the account monitor. */
  private static final class View implements UserMailboxes {
    private final Account a;

    View(Account a) {
      this.a = a;
    }

    private Box box(String name) throws BackendException {
      Box b = a.boxes.get(name);
      if (b == null) throw new BackendException.NotFound(name);
      return b;
    }

    private static void check(String name) throws BackendException {
      if (name.isEmpty() || name.startsWith("/") || name.endsWith("/") || name.contains("//")) {
        throw new BackendException.Invalid("bad name " + name);
      }
    }

    @Override
    public List<MailboxInfo> list() {
      synchronized (a) {
        List<MailboxInfo> out = new ArrayList<>();
        for (String n : a.boxes.keySet()) {
          out.add(new MailboxInfo(n, Set.of(), a.subscriptions.contains(n)));
        }
        return out;
      }
    }

    @Override
    public void create(String name) throws BackendException {
      check(name);
      synchronized (a) {
        if (a.boxes.containsKey(name)) throw new BackendException.AlreadyExists(name);
        int i = name.indexOf('/');
        while (i > 0) {
          if (!a.boxes.containsKey(name.substring(0, i))) a.newBox(name.substring(0, i));
          i = name.indexOf('/', i + 1);
        }
        a.newBox(name);
      }
    }

    @Override
    public void delete(String name) throws BackendException {
      List<Runnable> notify;
      synchronized (a) {
        if (name.equals("INBOX")) throw new BackendException.Invalid("INBOX");
        Box b = box(name);
        a.boxes.remove(name);
        notify = b.watchers;
      }
      notify.forEach(Runnable::run);
    }

    @Override
    public void rename(String from, String to) throws BackendException {
      check(to);
      synchronized (a) {
        Box b = box(from);
        if (a.boxes.containsKey(to)) throw new BackendException.AlreadyExists(to);
        if (from.equals("INBOX")) {
          // RFC 3501 §6.3.5: renaming INBOX moves its messages, INBOX stays
          Box target = a.newBox(to);
          for (Msg m : List.copyOf(b.messages.values())) {
            target.add(m.content, m.flags, m.date);
            b.remove(m.uid);
          }
          return;
        }
        for (String n : List.copyOf(a.boxes.keySet())) {
          if (n.equals(from) || n.startsWith(from + "/")) {
            a.boxes.put(to + n.substring(from.length()), a.boxes.remove(n));
          }
        }
      }
    }

    @Override
    public void subscribe(String name, boolean subscribed) {
      synchronized (a) {
        if (subscribed) a.subscriptions.add(name);
        else a.subscriptions.remove(name);
      }
    }

    @Override
    public MailboxStatus status(String name) throws BackendException {
      synchronized (a) {
        Box b = box(name);
        long unseen = b.messages.values().stream().filter(m -> !m.flags.contains("\\Seen")).count();
        return new MailboxStatus(b.messages.size(), unseen, b.uidNext, b.uidValidity, b.modSeq);
      }
    }

    @Override
    public AppendResult append(
        String mailbox, Set<String> flags, Instant internalDate, InputStream content, long size)
        throws BackendException {
      byte[] bytes;
      try {
        bytes = content.readNBytes((int) size);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      List<Runnable> notify;
      AppendResult r;
      synchronized (a) {
        Box b = box(mailbox);
        Msg m = b.add(bytes, flags, internalDate);
        r = new AppendResult(b.uidValidity, m.uid);
        notify = b.watchers;
      }
      notify.forEach(Runnable::run);
      return r;
    }

    @Override
    public MailboxSnapshot snapshot(String mailbox) throws BackendException {
      synchronized (a) {
        Box b = box(mailbox);
        return new MailboxSnapshot(
            b.uidValidity,
            b.uidNext,
            b.modSeq,
            b.messages.values().stream().map(Msg::meta).toList());
      }
    }

    @Override
    public MailboxChanges changesSince(String mailbox, long modSeq) throws BackendException {
      synchronized (a) {
        Box b = box(mailbox);
        List<MessageMeta> changed = new ArrayList<>();
        for (Msg m : b.messages.values()) if (m.modSeq > modSeq) changed.add(m.meta());
        List<Long> expunged = new ArrayList<>();
        for (var e : b.tombstones.entrySet()) if (e.getValue() > modSeq) expunged.add(e.getKey());
        return new MailboxChanges(b.modSeq, changed, expunged);
      }
    }

    @Override
    public byte[] content(String mailbox, long uid) throws BackendException {
      synchronized (a) {
        Msg m = box(mailbox).messages.get(uid);
        if (m == null) throw new BackendException.NotFound(mailbox + " uid " + uid);
        return m.content;
      }
    }

    @Override
    public List<MessageMeta> setFlags(
        String mailbox, Collection<Long> uids, FlagOperation op, Set<String> flags)
        throws BackendException {
      List<Runnable> notify;
      List<MessageMeta> out = new ArrayList<>();
      boolean changedAny = false;
      synchronized (a) {
        Box b = box(mailbox);
        for (long uid : uids) {
          Msg m = b.messages.get(uid);
          if (m == null) continue;
          Set<String> before = new HashSet<>(m.flags);
          switch (op) {
            case REPLACE -> {
              m.flags.clear();
              m.flags.addAll(flags);
            }
            case ADD -> m.flags.addAll(flags);
            case REMOVE -> m.flags.removeAll(flags);
          }
          if (!before.equals(m.flags)) {
            m.modSeq = ++b.modSeq;
            changedAny = true;
          }
          out.add(m.meta());
        }
        notify = changedAny ? b.watchers : List.of();
      }
      notify.forEach(Runnable::run);
      return out;
    }

    @Override
    public List<Long> expunge(String mailbox, Optional<Collection<Long>> uids)
        throws BackendException {
      List<Runnable> notify;
      List<Long> gone = new ArrayList<>();
      synchronized (a) {
        Box b = box(mailbox);
        Set<Long> only = uids.map(HashSet::new).orElse(null);
        for (Msg m : List.copyOf(b.messages.values())) {
          if (m.flags.contains("\\Deleted") && (only == null || only.contains(m.uid))) {
            b.remove(m.uid);
            gone.add(m.uid);
          }
        }
        notify = gone.isEmpty() ? List.of() : b.watchers;
      }
      notify.forEach(Runnable::run);
      return gone;
    }

    @Override
    public CopyResult copy(String from, Collection<Long> uids, String to) throws BackendException {
      return transfer(from, uids, to, false);
    }

    @Override
    public CopyResult move(String from, Collection<Long> uids, String to) throws BackendException {
      return transfer(from, uids, to, true);
    }

    private CopyResult transfer(String from, Collection<Long> uids, String to, boolean move)
        throws BackendException {
      List<Runnable> notify = new ArrayList<>();
      CopyResult r;
      synchronized (a) {
        Box src = box(from);
        Box dst = box(to);
        List<Long> s = new ArrayList<>();
        List<Long> d = new ArrayList<>();
        for (long uid : new java.util.TreeSet<>(uids)) {
          Msg m = src.messages.get(uid);
          if (m == null) continue;
          Msg copy = dst.add(m.content, m.flags, m.date);
          s.add(uid);
          d.add(copy.uid);
          if (move) src.remove(uid);
        }
        r = new CopyResult(dst.uidValidity, s, d);
        notify.addAll(dst.watchers);
        if (move) notify.addAll(src.watchers);
      }
      notify.forEach(Runnable::run);
      return r;
    }

    @Override
    public AutoCloseable watch(String mailbox, Runnable onChange) throws BackendException {
      Box b;
      synchronized (a) {
        b = box(mailbox);
      }
      b.watchers.add(onChange);
      return () -> b.watchers.remove(onChange);
    }

    @Override
    public void close() {}
  }
}
