package org.carbonio.imap.store;

import static org.carbonio.imap.store.StoreMailboxBackend.call;
import static org.carbonio.imap.store.StoreMailboxBackend.run;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.carbonio.imap.spi.Acl;
import org.carbonio.imap.spi.AppendResult;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.ConditionalStore;
import org.carbonio.imap.spi.CopyResult;
import org.carbonio.imap.spi.FlagOperation;
import org.carbonio.imap.spi.MailboxChanges;
import org.carbonio.imap.spi.MailboxInfo;
import org.carbonio.imap.spi.MailboxSnapshot;
import org.carbonio.imap.spi.MailboxStatus;
import org.carbonio.imap.spi.MailboxView;
import org.carbonio.imap.spi.MessageExtras;
import org.carbonio.imap.spi.MessageMeta;
import org.carbonio.imap.spi.Namespaces;
import org.carbonio.imap.spi.NewMessage;
import org.carbonio.imap.spi.Quota;
import org.carbonio.imap.spi.UserMailboxes;
import org.carbonio.store.Grantee;
import org.carbonio.store.MailStore;
import org.carbonio.store.Mailbox;
import org.carbonio.store.QuotaUsage;
import org.carbonio.store.Right;
import org.carbonio.store.SharedFolder;
import org.carbonio.store.SpecialUse;

/**
 * One IMAP connection's mailboxes over the store, with the mailbox-level extensions: special-use
 * roles, the account's storage quota (root {@code ""}, RFC 9208 STORAGE), the store's sharing
 * grants as RFC 4314 ACLs with the shared namespace {@value #SHARED} (folder {@code X} of {@code
 * bob@example.org} shared with this user is {@code Shared/bob@example.org/X}), and annotations as
 * METADATA. Personal names go to the account's own mailbox unchanged.
 *
 * <p>Not thread-safe beyond the store's guarantees: one connection's view.
 */
final class StoreUserMailboxes implements UserMailboxes {
  /** The shared namespace prefix (RFC 2342). */
  static final String SHARED = "Shared/";

  /** Right groups of the store (RFC 4314 §3.7 LISTRIGHTS): letters granted together. */
  private static final List<String> GROUPS = List.of("lrs", "w", "i", "tex", "a");

  private final String accountId;
  private final Mailbox mailbox;
  private final UserMailboxes own;
  private final MailStore store;
  private final AccountLookup lookup;
  private final Function<String, UserMailboxes> open;

  /** This user's groups and domain, looked up once per connection (directory calls). */
  private Set<String> groups;

  private String domain;

  /** Owners' addresses to account ids, looked up once per connection. */
  private final Map<String, Optional<String>> owners = new java.util.HashMap<>();

  StoreUserMailboxes(
      String accountId,
      Mailbox mailbox,
      UserMailboxes own,
      MailStore store,
      AccountLookup lookup,
      Function<String, UserMailboxes> open) {
    this.accountId = accountId;
    this.mailbox = mailbox;
    this.own = own;
    this.store = store;
    this.lookup = lookup;
    this.open = open;
  }

  /** A name resolved to its owner's account and folder, with this user's rights there. */
  private record Target(String owner, UserMailboxes view, String folder, String rights) {
    boolean personal() {
      return rights == null;
    }
  }

  private static boolean shared(String name) {
    return name.startsWith(SHARED) || name.equals("Shared");
  }

  private List<SharedFolder> sharedWithMe() throws BackendException {
    if (groups == null) {
      groups = lookup.groups(accountId);
      domain = lookup.domain(accountId);
    }
    return call(() -> store.sharedWith(accountId, groups, domain));
  }

  private Target target(String name) throws BackendException {
    if (!shared(name)) return new Target(accountId, own, name, null);
    String rest = name.substring(Math.min(name.length(), SHARED.length()));
    int slash = rest.indexOf('/');
    if (slash <= 0) throw new BackendException.NotFound(name);
    Optional<String> owner = owners.computeIfAbsent(rest.substring(0, slash), lookup::accountId);
    String folder = rest.substring(slash + 1);
    if (owner.isPresent()) {
      for (SharedFolder f : sharedWithMe()) {
        if (f.owner().equals(owner.get())
            && f.folder().equals(folder)
            && f.rights().contains(Right.READ)) {
          return new Target(f.owner(), open.apply(f.owner()), folder, letters(f.rights()));
        }
      }
    }
    throw new BackendException.NotFound(name);
  }

  private static String letters(Set<Right> rights) {
    return Acl.normalize(Right.rfc4314(rights));
  }

  private static Set<Right> rights(String letters) {
    Set<Right> out = EnumSet.noneOf(Right.class);
    for (Right r : Right.values()) {
      for (char c : r.rfc4314().toCharArray()) if (letters.indexOf(c) >= 0) out.add(r);
    }
    return out;
  }

  private Mailbox storeMailbox(String owner) throws BackendException {
    return owner.equals(accountId) ? mailbox : call(() -> store.mailbox(owner));
  }

  private static BackendException readOnlyShare(String name) {
    return new BackendException.NoPermission("not permitted in the shared namespace: " + name);
  }

  // --- mailboxes --------------------------------------------------------------------------------

  @Override
  public List<MailboxInfo> list() throws BackendException {
    List<MailboxInfo> out = new ArrayList<>(own.list());
    for (SharedFolder f : sharedWithMe()) {
      if (!f.rights().contains(Right.READ)) continue;
      Optional<String> address = lookup.address(f.owner());
      if (address.isEmpty()) continue;
      out.add(new MailboxInfo(SHARED + address.get() + "/" + f.folder(), Set.of(), false));
    }
    return out;
  }

  @Override
  public void create(String name) throws BackendException {
    if (shared(name)) throw readOnlyShare(name);
    own.create(name);
  }

  @Override
  public void create(String name, Set<String> specialUse) throws BackendException {
    if (shared(name)) throw readOnlyShare(name);
    if (specialUse.isEmpty()) {
      own.create(name);
      return;
    }
    // The store keeps one role per folder (RFC 6154 §3 lets a server refuse a combination).
    if (specialUse.size() > 1) throw new BackendException.Invalid("one special use per folder");
    String attribute = specialUse.iterator().next();
    SpecialUse role = null;
    for (SpecialUse u : SpecialUse.values()) if (u.attribute().equals(attribute)) role = u;
    if (role == null) throw new BackendException.Invalid("unknown special use " + attribute);
    SpecialUse chosen = role;
    run(
        () -> {
          mailbox.createFolder(name);
          mailbox.setRole(name, Optional.of(chosen));
        });
  }

  @Override
  public void delete(String name) throws BackendException {
    if (shared(name)) throw readOnlyShare(name);
    own.delete(name);
  }

  @Override
  public void rename(String from, String to) throws BackendException {
    if (shared(from) || shared(to)) throw readOnlyShare(from);
    own.rename(from, to);
  }

  @Override
  public void subscribe(String name, boolean subscribed) throws BackendException {
    if (shared(name)) {
      target(name); // exists: subscriptions to shared folders are not kept
      return;
    }
    own.subscribe(name, subscribed);
  }

  @Override
  public MailboxStatus status(String name) throws BackendException {
    Target t = target(name);
    return t.view.status(t.folder);
  }

  @Override
  public long size(String name) throws BackendException {
    Target t = target(name);
    Mailbox m = storeMailbox(t.owner);
    return call(() -> m.status(t.folder).size());
  }

  @Override
  public AppendResult append(
      String name, Set<String> flags, Instant internalDate, InputStream content, long size)
      throws BackendException {
    Target t = target(name);
    return t.view.append(t.folder, flags, internalDate, content, size);
  }

  @Override
  public MailboxSnapshot snapshot(String name) throws BackendException {
    Target t = target(name);
    return t.view.snapshot(t.folder);
  }

  @Override
  public MailboxView select(String name) throws BackendException {
    Target t = target(name);
    return t.view.select(t.folder);
  }

  @Override
  public void messages(String name, long fromUid, long toUid, Consumer<MessageMeta> sink)
      throws BackendException {
    Target t = target(name);
    t.view.messages(t.folder, fromUid, toUid, sink);
  }

  @Override
  public MailboxChanges changesSince(String name, long modSeq) throws BackendException {
    Target t = target(name);
    return t.view.changesSince(t.folder, modSeq);
  }

  @Override
  public byte[] content(String name, long uid) throws BackendException {
    Target t = target(name);
    return t.view.content(t.folder, uid);
  }

  @Override
  public List<MessageMeta> setFlags(
      String name, Collection<Long> uids, FlagOperation op, Set<String> flags)
      throws BackendException {
    Target t = target(name);
    return t.view.setFlags(t.folder, uids, op, flags);
  }

  @Override
  public ConditionalStore setFlagsIfUnchanged(
      String name, Collection<Long> uids, FlagOperation op, Set<String> flags, long unchangedSince)
      throws BackendException {
    Target t = target(name);
    return t.view.setFlagsIfUnchanged(t.folder, uids, op, flags, unchangedSince);
  }

  @Override
  public Optional<String> mailboxId(String name) throws BackendException {
    Target t = target(name);
    return t.view.mailboxId(t.folder);
  }

  @Override
  public void messageExtras(String name, long fromUid, long toUid, Consumer<MessageExtras> sink)
      throws BackendException {
    Target t = target(name);
    t.view.messageExtras(t.folder, fromUid, toUid, sink);
  }

  @Override
  public boolean saveDateSupported(String name) throws BackendException {
    Target t = target(name);
    return t.view.saveDateSupported(t.folder);
  }

  @Override
  public List<AppendResult> appendAll(String name, List<NewMessage> messages)
      throws BackendException {
    Target t = target(name);
    return t.view.appendAll(t.folder, messages);
  }

  @Override
  public AutoCloseable watchMailboxes(Runnable onChange) throws BackendException {
    return own.watchMailboxes(onChange);
  }

  /** The store notifies its watchers before a write returns, unless other nodes share it. */
  @Override
  public boolean watchSeesEveryChange() {
    return store.watchesSeeEveryChange();
  }

  @Override
  public List<Long> expunge(String name, Optional<Collection<Long>> uids) throws BackendException {
    Target t = target(name);
    return t.view.expunge(t.folder, uids);
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
    if (src.owner.equals(dst.owner)) {
      return move
          ? src.view.move(src.folder, uids, dst.folder)
          : src.view.copy(src.folder, uids, dst.folder);
    }
    // Across accounts: append each message to the target account (its quota applies), then
    // expunge the originals for a move.
    Set<Long> wanted = new HashSet<>(uids);
    List<MessageMeta> metas = new ArrayList<>();
    src.view.messages(
        src.folder,
        1,
        0xFFFF_FFFFL,
        m -> {
          if (wanted.contains(m.uid())) metas.add(m);
        });
    List<Long> s = new ArrayList<>();
    List<Long> d = new ArrayList<>();
    long uidValidity = dst.view.status(dst.folder).uidValidity();
    for (MessageMeta m : metas) {
      byte[] content = src.view.content(src.folder, m.uid());
      AppendResult r =
          dst.view.append(
              dst.folder,
              m.flags(),
              m.internalDate(),
              new ByteArrayInputStream(content),
              content.length);
      s.add(m.uid());
      d.add(r.uid());
    }
    if (move && !s.isEmpty()) {
      src.view.setFlags(src.folder, s, FlagOperation.ADD, Set.of("\\Deleted"));
      src.view.expunge(src.folder, Optional.of(s));
    }
    return new CopyResult(uidValidity, s, d);
  }

  @Override
  public AutoCloseable watch(String name, Runnable onChange) throws BackendException {
    Target t = target(name);
    return t.view.watch(t.folder, onChange);
  }

  @Override
  public Namespaces namespaces() {
    return new Namespaces(List.of(""), List.of(), List.of(SHARED));
  }

  // --- QUOTA (RFC 9208): one root "" per account, STORAGE only --------------------------------

  @Override
  public List<String> quotaRoots(String name) throws BackendException {
    Target t = target(name);
    t.view.status(t.folder);
    if (!t.personal()) return List.of();
    return call(() -> mailbox.quota()).limit().isPresent() ? List.of("") : List.of();
  }

  @Override
  public Optional<Quota> quota(String root) throws BackendException {
    if (!root.isEmpty()) return Optional.empty();
    QuotaUsage q = call(() -> mailbox.quota());
    if (q.limit().isEmpty()) return Optional.empty();
    // RFC 9208 §5.1: STORAGE in units of 1024 octets
    return Optional.of(
        new Quota(
            "",
            List.of(
                new Quota.Resource(
                    Quota.STORAGE, (q.bytes() + 1023) / 1024, q.limit().getAsLong() / 1024))));
  }

  // --- ACL (RFC 4314) over the store's grants ---------------------------------------------------

  @Override
  public String myRights(String name) throws BackendException {
    Target t = target(name);
    t.view.status(t.folder);
    return t.personal() ? Acl.ALL : t.rights;
  }

  @Override
  public Map<String, String> acl(String name, String owner) throws BackendException {
    Target t = target(name);
    Mailbox m = storeMailbox(t.owner);
    Map<Grantee, Set<Right>> grants = call(() -> m.grants(t.folder));
    Map<String, String> out = new LinkedHashMap<>();
    out.put(lookup.address(t.owner).orElse(t.owner), Acl.ALL);
    for (Map.Entry<Grantee, Set<Right>> g : grants.entrySet()) {
      out.put(identifier(g.getKey()), letters(g.getValue()));
    }
    return out;
  }

  /** USER: the address; GROUP: the list's name; DOMAIN: {@code @domain}; EVERYONE: anyone. */
  private String identifier(Grantee g) {
    return switch (g.kind()) {
      case USER -> lookup.address(g.name()).orElse(g.name());
      case GROUP -> g.name();
      case DOMAIN -> "@" + g.name();
      case EVERYONE -> Acl.ANYONE;
    };
  }

  private Grantee grantee(String identifier) throws BackendException {
    if (identifier.equalsIgnoreCase(Acl.ANYONE)) return Grantee.everyone();
    if (identifier.startsWith("@") && identifier.length() > 1) {
      return Grantee.domain(identifier.substring(1));
    }
    Optional<String> id = lookup.accountId(identifier);
    if (id.isPresent()) return Grantee.user(id.get());
    if (identifier.isEmpty() || identifier.length() > Grantee.MAX_NAME) {
      throw new BackendException.Invalid("bad identifier");
    }
    return Grantee.group(identifier);
  }

  @Override
  public void setRights(String name, String identifier, String letters) throws BackendException {
    Target t = target(name);
    Mailbox m = storeMailbox(t.owner);
    Grantee g = grantee(identifier);
    Set<Right> r = rights(letters);
    run(() -> m.grant(t.folder, g, r));
  }

  @Override
  public List<String> rightGroups(String name) throws BackendException {
    return GROUPS;
  }

  // --- METADATA (RFC 5464) over the store's annotations -----------------------------------------

  @Override
  public SortedMap<String, String> metadata(String name) throws BackendException {
    if (name.isEmpty()) return call(() -> mailbox.annotations(""));
    Target t = target(name);
    Mailbox m = storeMailbox(t.owner);
    SortedMap<String, String> all = call(() -> m.annotations(t.folder));
    if (t.personal()) return all;
    // another user's folder: its /shared entries only (private ones belong to the owner)
    return new TreeMap<>(all.subMap("/shared", "/shared\uffff"));
  }

  @Override
  public void setMetadata(String name, Map<String, Optional<String>> changes)
      throws BackendException {
    if (!name.isEmpty()) {
      Target t = target(name);
      if (!t.personal()) throw readOnlyShare(name);
    }
    run(() -> mailbox.setAnnotations(name, changes));
  }

  @Override
  public void close() {
    own.close();
  }
}
