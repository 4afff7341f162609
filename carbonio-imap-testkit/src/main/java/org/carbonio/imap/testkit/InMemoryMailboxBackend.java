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
import org.carbonio.imap.spi.MessageExtras;
import org.carbonio.imap.spi.MessageMeta;
import org.carbonio.imap.spi.NewMessage;
import org.carbonio.imap.spi.UserMailboxes;
import org.carbonio.mime.ParsedMessage;
import org.carbonio.mime.ThreadKeys;

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
      byte[] crlf = ParsedMessage.toCrlf(message);
      uid = box.add(crlf, flags, Instant.now(), a.threadOf(crlf)).uid;
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

  /** EMAILID of content: {@code M} and 24 hex digits of its SHA-256 (RFC 8474 §5.1). */
  static String emailId(byte[] content) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(content);
      return "M" + java.util.HexFormat.of().formatHex(d, 0, 12);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  private Account account(String user) {
    return accounts.computeIfAbsent(user, u -> new Account());
  }

  /** Guarded by its own monitor (short in-memory sections only). */
  private final class Account {
    final TreeMap<String, Box> boxes = new TreeMap<>();
    final Set<String> subscriptions = new LinkedHashSet<>();
    final List<Runnable> listWatchers = new CopyOnWriteArrayList<>();

    /** Message-ID to THREADID (RFC 8474 §5.2), for threading by References and In-Reply-To. */
    final Map<String, String> threads = new java.util.HashMap<>();

    long lastThread;

    Account() {
      newBox("INBOX");
      subscriptions.add("INBOX");
    }

    /** The THREADID of new content: its parent's when it refers to a known Message-ID. */
    String threadOf(byte[] content) {
      ThreadKeys keys = ThreadKeys.of(ParsedMessage.parse(content));
      String thread = null;
      List<String> refs = new ArrayList<>(keys.references());
      keys.inReplyTo().ifPresent(refs::add);
      for (String ref : refs) {
        thread = threads.get(ref);
        if (thread != null) break;
      }
      if (thread == null) thread = "T" + (++lastThread);
      if (keys.messageId().isPresent()) threads.putIfAbsent(keys.messageId().get(), thread);
      return thread;
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

    Msg add(byte[] content, Set<String> flags, Instant date, String threadId) {
      Msg m = new Msg(uidNext++, content, date, threadId);
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
    final String threadId;
    final Instant saveDate = Instant.now();
    long modSeq;

    Msg(long uid, byte[] content, Instant date, String threadId) {
      this.uid = uid;
      this.content = content;
      this.date = date;
      this.threadId = threadId;
    }

    MessageExtras extras() {
      return new MessageExtras(
          uid, Optional.of(emailId(content)), Optional.of(threadId), Optional.of(saveDate));
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
      a.listWatchers.forEach(Runnable::run);
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
      a.listWatchers.forEach(Runnable::run);
    }

    @Override
    public void rename(String from, String to) throws BackendException {
      try {
        renameLocked(from, to);
      } finally {
        a.listWatchers.forEach(Runnable::run);
      }
    }

    private void renameLocked(String from, String to) throws BackendException {
      check(to);
      synchronized (a) {
        Box b = box(from);
        if (a.boxes.containsKey(to)) throw new BackendException.AlreadyExists(to);
        if (from.equals("INBOX")) {
          // RFC 3501 §6.3.5: renaming INBOX moves its messages, INBOX stays
          Box target = a.newBox(to);
          for (Msg m : List.copyOf(b.messages.values())) {
            target.add(m.content, m.flags, m.date, m.threadId);
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
      a.listWatchers.forEach(Runnable::run);
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
        Msg m = b.add(bytes, flags, internalDate, a.threadOf(bytes));
        r = new AppendResult(b.uidValidity, m.uid);
        notify = b.watchers;
      }
      notify.forEach(Runnable::run);
      return r;
    }

    /** All or nothing under the account monitor: the contents are read first (RFC 3502 §3). */
    @Override
    public List<AppendResult> appendAll(String mailbox, List<NewMessage> messages)
        throws BackendException {
      List<byte[]> contents = new ArrayList<>(messages.size());
      for (NewMessage m : messages) contents.add(read(m));
      List<Runnable> notify;
      List<AppendResult> out = new ArrayList<>();
      synchronized (a) {
        Box b = box(mailbox);
        for (int i = 0; i < messages.size(); i++) {
          NewMessage m = messages.get(i);
          out.add(
              new AppendResult(
                  b.uidValidity,
                  b.add(contents.get(i), m.flags(), m.internalDate(), a.threadOf(contents.get(i)))
                      .uid));
        }
        notify = b.watchers;
      }
      notify.forEach(Runnable::run);
      return out;
    }

    /** Append and expunge in one step under the account monitor (RFC 8508). */
    @Override
    public AppendResult replace(String from, long uid, String mailbox, NewMessage message)
        throws BackendException {
      byte[] content = read(message);
      List<Runnable> notify = new ArrayList<>();
      AppendResult r;
      synchronized (a) {
        Box src = box(from);
        Box dst = box(mailbox);
        r =
            new AppendResult(
                dst.uidValidity,
                dst.add(content, message.flags(), message.internalDate(), a.threadOf(content)).uid);
        if (src.messages.containsKey(uid)) src.remove(uid);
        notify.addAll(dst.watchers);
        if (src != dst) notify.addAll(src.watchers);
      }
      notify.forEach(Runnable::run);
      return r;
    }

    @Override
    public AutoCloseable watchMailboxes(Runnable onChange) {
      a.listWatchers.add(onChange);
      return () -> a.listWatchers.remove(onChange);
    }

    private static byte[] read(NewMessage m) throws BackendException {
      try (InputStream in = m.content().open()) {
        byte[] bytes = in.readNBytes((int) Math.min(m.size(), Integer.MAX_VALUE - 16));
        if (bytes.length != m.size()) throw new BackendException.Invalid("short message");
        return bytes;
      } catch (IOException e) {
        throw new BackendException.Unavailable("cannot read message: " + e.getMessage());
      }
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
      synchronized (a) {
        Box b = box(mailbox);
        notify = apply(b, uids, op, flags, out) ? b.watchers : List.of();
      }
      notify.forEach(Runnable::run);
      return out;
    }

    /** Changes flags under the account lock; true when some message changed. */
    private static boolean apply(
        Box b, Collection<Long> uids, FlagOperation op, Set<String> flags, List<MessageMeta> out) {
      boolean changedAny = false;
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
      return changedAny;
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
          Msg copy = dst.add(m.content, m.flags, m.date, m.threadId);
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
    public ConditionalStore setFlagsIfUnchanged(
        String mailbox,
        Collection<Long> uids,
        FlagOperation op,
        Set<String> flags,
        long unchangedSince)
        throws BackendException {
      List<Long> pass = new ArrayList<>();
      List<Long> modified = new ArrayList<>();
      List<MessageMeta> updated = new ArrayList<>();
      List<Runnable> notify;
      synchronized (a) {
        // test and change under one lock (RFC 7162 §3.1.3)
        Box b = box(mailbox);
        for (long uid : uids) {
          Msg m = b.messages.get(uid);
          if (m == null) continue;
          if (m.modSeq > unchangedSince) modified.add(uid);
          else pass.add(uid);
        }
        notify = apply(b, pass, op, flags, updated) ? b.watchers : List.of();
      }
      notify.forEach(Runnable::run);
      return new ConditionalStore(updated, modified);
    }

    @Override
    public Optional<String> mailboxId(String mailbox) throws BackendException {
      synchronized (a) {
        return Optional.of("F" + box(mailbox).uidValidity); // uidValidity is never reused
      }
    }

    @Override
    public void messageExtras(
        String mailbox, long fromUid, long toUid, Consumer<MessageExtras> sink)
        throws BackendException {
      List<MessageExtras> out = new ArrayList<>();
      synchronized (a) {
        for (Msg m : box(mailbox).messages.subMap(fromUid, true, toUid, true).values()) {
          out.add(m.extras());
        }
      }
      out.forEach(sink);
    }

    @Override
    public boolean saveDateSupported(String mailbox) throws BackendException {
      synchronized (a) {
        box(mailbox);
        return true;
      }
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
