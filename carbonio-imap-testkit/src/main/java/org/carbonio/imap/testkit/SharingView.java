package org.carbonio.imap.testkit;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.carbonio.imap.spi.Acl;
import org.carbonio.imap.spi.AppendResult;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.CopyResult;
import org.carbonio.imap.spi.FlagOperation;
import org.carbonio.imap.spi.MailboxChanges;
import org.carbonio.imap.spi.MailboxInfo;
import org.carbonio.imap.spi.MailboxSnapshot;
import org.carbonio.imap.spi.MailboxStatus;
import org.carbonio.imap.spi.MailboxView;
import org.carbonio.imap.spi.MessageMeta;
import org.carbonio.imap.spi.Namespaces;
import org.carbonio.imap.spi.Quota;
import org.carbonio.imap.spi.UserMailboxes;

/**
 * One user's view over the in-memory backend with the mailbox-level extensions: special-use
 * attributes, quotas (set with SETQUOTA), ACLs with a shared namespace {@value #SHARED} (another
 * user's mailbox {@code X} shared with this one appears as {@code Shared/owner/X}), and METADATA.
 * Not thread-safe beyond what {@link Extras} guards: one connection's view.
 */
final class SharingView implements UserMailboxes {
  /** The shared namespace prefix. */
  static final String SHARED = "Shared/";

  /** Thread-safe: the extension state of every user of one backend, under its own monitor. */
  static final class Extras {
    /** owner -> mailbox -> identifier -> rights (without the owner). */
    final Map<String, Map<String, Map<String, String>>> acls = new TreeMap<>();

    /** user -> mailbox -> special-use attributes. */
    final Map<String, Map<String, Set<String>>> uses = new ConcurrentHashMap<>();

    /** user -> mailbox ("" for the server) -> entry -> value. */
    final Map<String, Map<String, TreeMap<String, String>>> metadata = new ConcurrentHashMap<>();

    /** user -> resource -> limit. */
    final Map<String, Map<String, Long>> limits = new ConcurrentHashMap<>();
  }

  private final String user;
  private final UserMailboxes own;
  private final Extras extras;
  private final Function<String, UserMailboxes> open;

  SharingView(String user, UserMailboxes own, Extras extras, Function<String, UserMailboxes> open) {
    this.user = user;
    this.own = own;
    this.extras = extras;
    this.open = open;
  }

  /** A name resolved to its owner's view and the owner's name for it. */
  private record Target(String owner, UserMailboxes view, String name) {}

  private static boolean shared(String name) {
    return name.startsWith(SHARED) || name.equals("Shared");
  }

  private Target target(String name) throws BackendException {
    if (!shared(name)) return new Target(user, own, name);
    String rest = name.substring(Math.min(name.length(), SHARED.length()));
    int slash = rest.indexOf('/');
    if (slash <= 0) throw new BackendException.NotFound(name);
    String owner = rest.substring(0, slash);
    String box = rest.substring(slash + 1);
    String rights = grantedRights(owner, box);
    if (!Acl.has(rights, 'l') && !Acl.has(rights, 'r')) throw new BackendException.NotFound(name);
    return new Target(owner, open.apply(owner), box);
  }

  private String grantedRights(String owner, String box) {
    synchronized (extras) {
      Map<String, String> acl = extras.acls.getOrDefault(owner, Map.of()).get(box);
      if (acl == null) return "";
      return Acl.normalize(acl.getOrDefault(user, "") + acl.getOrDefault(Acl.ANYONE, ""));
    }
  }

  private Set<String> usesOf(String owner, String box) {
    return extras.uses.getOrDefault(owner, Map.of()).getOrDefault(box, Set.of());
  }

  @Override
  public List<MailboxInfo> list() throws BackendException {
    List<MailboxInfo> out = new ArrayList<>();
    for (MailboxInfo m : own.list()) {
      Set<String> attrs = new HashSet<>(m.attributes());
      attrs.addAll(usesOf(user, m.name()));
      out.add(new MailboxInfo(m.name(), attrs, m.subscribed()));
    }
    synchronized (extras) {
      for (var owner : extras.acls.entrySet()) {
        if (owner.getKey().equals(user)) continue;
        for (String box : owner.getValue().keySet()) {
          if (Acl.has(grantedRights(owner.getKey(), box), 'l')) {
            out.add(
                new MailboxInfo(
                    SHARED + owner.getKey() + "/" + box, usesOf(owner.getKey(), box), false));
          }
        }
      }
    }
    return out;
  }

  @Override
  public void create(String name) throws BackendException {
    create(name, Set.of());
  }

  @Override
  public void create(String name, Set<String> specialUse) throws BackendException {
    if (shared(name)) throw new BackendException.NoPermission(name);
    own.create(name);
    if (!specialUse.isEmpty()) {
      extras.uses.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).put(name, specialUse);
    }
  }

  @Override
  public void delete(String name) throws BackendException {
    if (shared(name)) throw new BackendException.NoPermission(name);
    own.delete(name);
    extras.uses.getOrDefault(user, new TreeMap<>()).remove(name);
    extras.metadata.getOrDefault(user, new TreeMap<>()).remove(name);
    synchronized (extras) {
      extras.acls.getOrDefault(user, new TreeMap<>()).remove(name);
    }
  }

  @Override
  public void rename(String from, String to) throws BackendException {
    if (shared(from) || shared(to)) throw new BackendException.NoPermission(from);
    own.rename(from, to);
    if (from.equals("INBOX")) return;
    moveKeys(extras.uses.get(user), from, to);
    moveKeys(extras.metadata.get(user), from, to);
    synchronized (extras) {
      moveKeys(extras.acls.get(user), from, to);
    }
  }

  private static <V> void moveKeys(Map<String, V> map, String from, String to) {
    if (map == null) return;
    for (String k : List.copyOf(map.keySet())) {
      if (k.equals(from) || k.startsWith(from + "/")) {
        map.put(to + k.substring(from.length()), map.remove(k));
      }
    }
  }

  @Override
  public void subscribe(String name, boolean subscribed) throws BackendException {
    own.subscribe(name, subscribed);
  }

  @Override
  public MailboxStatus status(String name) throws BackendException {
    Target t = target(name);
    return t.view.status(t.name);
  }

  @Override
  public AppendResult append(
      String mailbox, Set<String> flags, Instant internalDate, InputStream content, long size)
      throws BackendException {
    Target t = target(mailbox);
    checkQuota(t.owner, size, 1);
    return t.view.append(t.name, flags, internalDate, content, size);
  }

  @Override
  public MailboxSnapshot snapshot(String mailbox) throws BackendException {
    Target t = target(mailbox);
    return t.view.snapshot(t.name);
  }

  @Override
  public MailboxView select(String mailbox) throws BackendException {
    Target t = target(mailbox);
    return t.view.select(t.name);
  }

  @Override
  public void messages(String mailbox, long fromUid, long toUid, Consumer<MessageMeta> sink)
      throws BackendException {
    Target t = target(mailbox);
    t.view.messages(t.name, fromUid, toUid, sink);
  }

  @Override
  public MailboxChanges changesSince(String mailbox, long modSeq) throws BackendException {
    Target t = target(mailbox);
    return t.view.changesSince(t.name, modSeq);
  }

  @Override
  public byte[] content(String mailbox, long uid) throws BackendException {
    Target t = target(mailbox);
    return t.view.content(t.name, uid);
  }

  @Override
  public List<MessageMeta> setFlags(
      String mailbox, Collection<Long> uids, FlagOperation op, Set<String> flags)
      throws BackendException {
    Target t = target(mailbox);
    return t.view.setFlags(t.name, uids, op, flags);
  }

  @Override
  public List<Long> expunge(String mailbox, Optional<Collection<Long>> uids)
      throws BackendException {
    Target t = target(mailbox);
    return t.view.expunge(t.name, uids);
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
    Target src = target(from);
    Target dst = target(to);
    List<MessageMeta> metas = new ArrayList<>();
    Set<Long> wanted = new HashSet<>(uids);
    src.view.messages(
        src.name,
        1,
        0xFFFF_FFFFL,
        m -> {
          if (wanted.contains(m.uid())) metas.add(m);
        });
    long bytes = 0;
    for (MessageMeta m : metas) bytes += m.size();
    checkQuota(dst.owner, bytes, metas.size());
    if (src.owner.equals(dst.owner)) {
      return move
          ? src.view.move(src.name, uids, dst.name)
          : src.view.copy(src.name, uids, dst.name);
    }
    // Across accounts: copy the content, then remove the originals for a move.
    List<Long> s = new ArrayList<>();
    List<Long> d = new ArrayList<>();
    long uidValidity = dst.view.status(dst.name).uidValidity();
    for (MessageMeta m : metas) {
      byte[] content = src.view.content(src.name, m.uid());
      AppendResult r =
          dst.view.append(
              dst.name,
              m.flags(),
              m.internalDate(),
              new ByteArrayInputStream(content),
              content.length);
      s.add(m.uid());
      d.add(r.uid());
    }
    if (move && !s.isEmpty()) {
      src.view.setFlags(src.name, s, FlagOperation.ADD, Set.of("\\Deleted"));
      src.view.expunge(src.name, Optional.of(s));
    }
    return new CopyResult(uidValidity, s, d);
  }

  @Override
  public AutoCloseable watch(String mailbox, Runnable onChange) throws BackendException {
    Target t = target(mailbox);
    return t.view.watch(t.name, onChange);
  }

  @Override
  public long size(String mailbox) throws BackendException {
    Target t = target(mailbox);
    return t.view.size(t.name);
  }

  @Override
  public Namespaces namespaces() {
    return new Namespaces(List.of(""), List.of(), List.of(SHARED));
  }

  // --- QUOTA: one root "" per user, limits set with SETQUOTA ------------------------------------

  private long[] usage(String owner) throws BackendException {
    UserMailboxes v = owner.equals(user) ? own : open.apply(owner);
    long bytes = 0;
    long messages = 0;
    for (MailboxInfo m : v.list()) {
      MailboxStatus st = v.status(m.name());
      messages += st.messages();
      bytes += v.size(m.name());
    }
    return new long[] {bytes, messages};
  }

  private void checkQuota(String owner, long bytes, long messages) throws BackendException {
    Map<String, Long> l = extras.limits.get(owner);
    if (l == null || l.isEmpty()) return;
    long[] used = usage(owner);
    Long storage = l.get(Quota.STORAGE);
    Long count = l.get(Quota.MESSAGE);
    if ((storage != null && used[0] + bytes > storage * 1024)
        || (count != null && used[1] + messages > count)) {
      throw new BackendException.OverQuota(owner + " is over quota");
    }
  }

  @Override
  public List<String> quotaRoots(String mailbox) throws BackendException {
    Target t = target(mailbox);
    t.view.status(t.name);
    return t.owner.equals(user) && extras.limits.containsKey(user) ? List.of("") : List.of();
  }

  @Override
  public Optional<Quota> quota(String root) throws BackendException {
    Map<String, Long> l = extras.limits.get(user);
    if (!root.isEmpty() || l == null) return Optional.empty();
    long[] used = usage(user);
    List<Quota.Resource> res = new ArrayList<>();
    if (l.containsKey(Quota.STORAGE)) {
      res.add(new Quota.Resource(Quota.STORAGE, (used[0] + 1023) / 1024, l.get(Quota.STORAGE)));
    }
    if (l.containsKey(Quota.MESSAGE)) {
      res.add(new Quota.Resource(Quota.MESSAGE, used[1], l.get(Quota.MESSAGE)));
    }
    return Optional.of(new Quota(root, res));
  }

  @Override
  public void setQuota(String root, Map<String, Long> limits) throws BackendException {
    if (!root.isEmpty()) throw new BackendException.NotFound("quota root " + root);
    extras.limits.put(user, Map.copyOf(limits));
  }

  // --- ACL --------------------------------------------------------------------------------------

  @Override
  public String myRights(String mailbox) throws BackendException {
    Target t = target(mailbox);
    t.view.status(t.name);
    return t.owner.equals(user) ? Acl.ALL : grantedRights(t.owner, t.name);
  }

  @Override
  public Map<String, String> acl(String mailbox, String owner) throws BackendException {
    Target t = target(mailbox);
    t.view.status(t.name);
    Map<String, String> out = new LinkedHashMap<>();
    out.put(t.owner, Acl.ALL);
    synchronized (extras) {
      out.putAll(extras.acls.getOrDefault(t.owner, Map.of()).getOrDefault(t.name, Map.of()));
    }
    return out;
  }

  @Override
  public void setRights(String mailbox, String identifier, String rights) throws BackendException {
    Target t = target(mailbox);
    t.view.status(t.name);
    if (identifier.equals(t.owner)) throw new BackendException.Invalid("owner rights are fixed");
    synchronized (extras) {
      Map<String, String> acl =
          extras
              .acls
              .computeIfAbsent(t.owner, o -> new TreeMap<>())
              .computeIfAbsent(t.name, n -> new TreeMap<>());
      if (rights.isEmpty()) acl.remove(identifier);
      else acl.put(identifier, rights);
    }
  }

  // --- METADATA ---------------------------------------------------------------------------------

  @Override
  public SortedMap<String, String> metadata(String mailbox) throws BackendException {
    String owner = user;
    String name = mailbox;
    if (!mailbox.isEmpty()) {
      Target t = target(mailbox);
      t.view.status(t.name);
      owner = t.owner;
      name = t.name;
    }
    TreeMap<String, String> m = extras.metadata.getOrDefault(owner, Map.of()).get(name);
    if (m == null) return new TreeMap<>();
    synchronized (m) {
      if (owner.equals(user)) return new TreeMap<>(m);
      return new TreeMap<>(m.subMap("/shared", "/shared\uffff"));
    }
  }

  @Override
  public void setMetadata(String mailbox, Map<String, Optional<String>> changes)
      throws BackendException {
    if (!mailbox.isEmpty()) {
      Target t = target(mailbox);
      t.view.status(t.name);
      if (!t.owner.equals(user)) throw new BackendException.NoPermission(mailbox);
    }
    TreeMap<String, String> m =
        extras
            .metadata
            .computeIfAbsent(user, u -> new ConcurrentHashMap<>())
            .computeIfAbsent(mailbox, n -> new TreeMap<>());
    synchronized (m) {
      for (Map.Entry<String, Optional<String>> e : changes.entrySet()) {
        if (e.getValue().isPresent()) m.put(e.getKey(), e.getValue().get());
        else m.remove(e.getKey());
      }
    }
  }

  // --- the other extensions' SPI methods, routed to the owner's view like the rest ------------

  @Override
  public Optional<org.carbonio.imap.spi.UidList> searchText(org.carbonio.imap.spi.TextQuery q)
      throws BackendException {
    Target t = target(q.mailbox());
    return t.view().searchText(new org.carbonio.imap.spi.TextQuery(t.name(), q.scope(), q.text()));
  }

  @Override
  public org.carbonio.imap.spi.ConditionalStore setFlagsIfUnchanged(
      String mailbox,
      Collection<Long> uids,
      org.carbonio.imap.spi.FlagOperation op,
      Set<String> flags,
      long unchangedSince)
      throws BackendException {
    Target t = target(mailbox);
    return t.view().setFlagsIfUnchanged(t.name(), uids, op, flags, unchangedSince);
  }

  @Override
  public Optional<String> mailboxId(String mailbox) throws BackendException {
    Target t = target(mailbox);
    return t.view().mailboxId(t.name());
  }

  @Override
  public void messageExtras(
      String mailbox, long fromUid, long toUid, Consumer<org.carbonio.imap.spi.MessageExtras> sink)
      throws BackendException {
    Target t = target(mailbox);
    t.view().messageExtras(t.name(), fromUid, toUid, sink);
  }

  @Override
  public boolean saveDateSupported(String mailbox) throws BackendException {
    Target t = target(mailbox);
    return t.view().saveDateSupported(t.name());
  }

  @Override
  public List<AppendResult> appendAll(
      String mailbox, List<org.carbonio.imap.spi.NewMessage> messages) throws BackendException {
    Target t = target(mailbox);
    return t.view().appendAll(t.name(), messages);
  }

  @Override
  public AppendResult replace(
      String from, long uid, String mailbox, org.carbonio.imap.spi.NewMessage message)
      throws BackendException {
    Target f = target(from);
    Target m = target(mailbox);
    if (f.view() == m.view()) return f.view().replace(f.name(), uid, m.name(), message);
    return UserMailboxes.super.replace(from, uid, mailbox, message);
  }

  @Override
  public AutoCloseable watchMailboxes(Runnable onChange) throws BackendException {
    return own.watchMailboxes(onChange);
  }

  @Override
  public void close() {
    own.close();
  }
}
