package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPInterface;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.carbonio.directory.internal.AppPasswords;
import org.carbonio.directory.internal.DkimKeys;
import org.carbonio.directory.internal.LdapLayout;
import org.carbonio.directory.internal.LoginCache;
import org.carbonio.directory.internal.LoginGuard;
import org.carbonio.directory.internal.LookupCache;
import org.carbonio.directory.internal.Names;
import org.carbonio.directory.internal.PasswordHasher;
import org.carbonio.directory.sasl.ScramCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory's model and its authentication over an LDAP server holding carbonio's layout and
 * schema ({@link LdapLayout}): everything {@link EmbeddedDirectory} (UnboundID's in-memory server,
 * made durable by a journal) and {@link LdapServerDirectory} (a remote OpenLDAP with the carbonio
 * schema) share. A backend supplies the server and how a change is made durable ({@link #mutate}).
 *
 * <p>Thread-safe.
 */
abstract sealed class LdapBackedDirectory implements Directory
    permits EmbeddedDirectory, LdapServerDirectory {
  private static final Logger log = LoggerFactory.getLogger(LdapBackedDirectory.class);

  /** Cached account and domain lookups, each; emptied on any change or when full. */
  static final int LOOKUP_CACHE_ENTRIES = 100_000;

  /**
   * The LDAP server, set once by the backend's constructor before the directory is used (a
   * backend's server may need the backend itself, as the in-memory server's interceptor does).
   */
  LDAPInterface server;

  final DirectoryLimits limits;
  final PasswordHasher hasher;
  final LoginGuard guard;
  final LoginCache cache;
  final ReentrantLock writeLock = new ReentrantLock();
  // Reads that every SMTP/LMTP recipient, delivery and login makes; every change invalidates them.
  private final LookupCache<String, Optional<Account>> accountsById;
  private final LookupCache<String, Optional<Account>> accountsByAddress;
  private final LookupCache<String, Optional<Entry>> loginEntries;
  // every delivery's quota check reads its account's class of service (when the account has no
  // quota of its own): a few names, read far more often than changed
  private final LookupCache<String, Optional<ClassOfService>> classesOfService;
  private final LookupCache<String, Boolean> localDomains = new LookupCache<>(LOOKUP_CACHE_ENTRIES);
  volatile boolean closed;

  LdapBackedDirectory(DirectoryLimits limits, Clock clock) {
    this.limits = limits;
    this.hasher =
        new PasswordHasher(limits.pbkdf2Iterations(), DirectoryLimits.MAX_PBKDF2_ITERATIONS);
    this.guard =
        new LoginGuard(
            clock,
            limits.failureWindow(),
            limits.maxFailuresPerAccountAndClient(),
            limits.maxFailuresPerAccount(),
            limits.maxFailuresPerClient(),
            limits.maxTrackedKeys());
    this.cache = new LoginCache(clock, limits.loginCacheTtl(), limits.maxTrackedKeys());
    int lookupEntries = limits.lookupCache() ? LOOKUP_CACHE_ENTRIES : 0; // 0: not cached
    this.accountsById = new LookupCache<>(lookupEntries);
    this.accountsByAddress = new LookupCache<>(lookupEntries);
    this.loginEntries = new LookupCache<>(lookupEntries);
    this.classesOfService = new LookupCache<>(lookupEntries);
  }

  public DirectoryLimits limits() {
    return limits;
  }

  /** Forgets every cached lookup: after any change, once it is visible to reads. */
  void invalidateLookups() {
    accountsByAddress.invalidate();
    accountsById.invalidate();
    loginEntries.invalidate();
    classesOfService.invalidate();
    localDomains.invalidate();
  }

  /** Adds the skeleton entries a directory created by an older version lacks (journaled). */
  void addMissingSkeleton() throws IOException {
    try {
      mutate(
          () -> {
            for (Entry e : LdapLayout.skeleton()) {
              if (server.getEntry(e.getDN()) == null) {
                server.add(e);
              }
            }
            return null;
          });
    } catch (DirectoryException e) {
      throw new IOException("cannot complete the directory's skeleton: " + e.getMessage(), e);
    }
  }

  // ---- domains ----

  @Override
  public Domain createDomain(String name) throws DirectoryException {
    String d = domainOrInvalid(name);
    return mutate(
        () -> {
          if (exists(LdapLayout.domainDn(d))) {
            throw new DirectoryException.Conflict("domain exists: " + d);
          }
          server.add(LdapLayout.domainEntry(d, UUID.randomUUID().toString()));
          server.add(LdapLayout.peopleEntry(d));
          log.info("created domain {}", d);
          return new Domain(d);
        });
  }

  @Override
  public List<Domain> domains() {
    ensureOpen();
    return sorted(
        LdapLayout.DOMAINS_DN,
        SearchScope.ONE,
        LdapLayout.OC_DOMAIN,
        LdapLayout::domain,
        Comparator.comparing(Domain::name));
  }

  @Override
  public boolean isLocalDomain(String name) {
    requireNonNull(name, "name");
    ensureOpen();
    return localDomains.get(
        name,
        n -> {
          try {
            return exists(LdapLayout.domainDn(Names.domain(n)));
          } catch (IllegalArgumentException e) {
            return false;
          }
        });
  }

  @Override
  public void deleteDomain(String name) throws DirectoryException {
    String d = domainOrInvalid(name);
    mutate(
        () -> {
          DN dn = LdapLayout.domainDn(d);
          if (!exists(dn)) {
            throw new DirectoryException.NotFound("no such domain: " + d);
          }
          List<SearchResultEntry> accounts =
              search(
                  LdapLayout.peopleDn(d),
                  SearchScope.ONE,
                  Filter.createPresenceFilter("objectClass"));
          if (!accounts.isEmpty()) {
            throw new DirectoryException.Conflict(
                "domain " + d + " still has " + accounts.size() + " account(s)");
          }
          List<SearchResultEntry> lists =
              search(
                  LdapLayout.listsDn(d),
                  SearchScope.ONE,
                  Filter.createEqualityFilter("objectClass", LdapLayout.OC_LIST));
          if (!lists.isEmpty()) {
            throw new DirectoryException.Conflict(
                "domain " + d + " still has " + lists.size() + " list(s)");
          }
          List<SearchResultEntry> aliases =
              search(
                  LdapLayout.DOMAINS_DN,
                  SearchScope.ONE,
                  Filter.createEqualityFilter(LdapLayout.AT_ALIAS_TARGET, d));
          if (!aliases.isEmpty()) {
            throw new DirectoryException.Conflict(
                "domain " + d + " is the target of " + aliases.size() + " alias domain(s)");
          }
          // Aliases in the domain held by accounts of other domains, and roles for it, would
          // outlive it and apply to whoever creates the domain again.
          List<SearchResultEntry> foreignAliases =
              search(
                  LdapLayout.DOMAINS_DN,
                  SearchScope.SUB,
                  Filter.createSubstringFilter(LdapLayout.AT_ALIAS, null, null, "@" + d));
          if (!foreignAliases.isEmpty()) {
            throw new DirectoryException.Conflict(
                "domain " + d + " still has aliases of " + foreignAliases.size() + " account(s)");
          }
          for (Role.Kind kind : Role.Kind.values()) {
            String role = new Role(kind, d).value();
            for (SearchResultEntry holder :
                search(
                    LdapLayout.DOMAINS_DN,
                    SearchScope.SUB,
                    Filter.createEqualityFilter(LdapLayout.AT_ROLE, role))) {
              server.modify(
                  holder.getDN(),
                  new Modification(ModificationType.DELETE, LdapLayout.AT_ROLE, role));
            }
          }
          deleteTree(dn.toString());
          log.info("deleted domain {}", d);
          return null;
        });
  }

  // ---- accounts ----

  @Override
  public Account createAccount(String address, String password) throws DirectoryException {
    Names.Address a = addressOrInvalid(address);
    checkPassword(password);
    checkPolicy(ClassOfService.DEFAULT, password);
    ensureOpen();
    precheckNew(a); // fail fast before spending time on the hash
    String hash = hasher.hash(password);
    String scram = ScramCredentials.derive(password).encode();
    return mutate(
        () -> {
          precheckNew(a);
          Entry e = LdapLayout.accountEntry(a, UUID.randomUUID().toString(), hash, scram);
          server.add(e);
          log.info("created account {}", a.address());
          return LdapLayout.account(e);
        });
  }

  private void precheckNew(Names.Address a) throws DirectoryException {
    if (!exists(LdapLayout.domainDn(a.domain()))) {
      throw new DirectoryException.UnknownDomain("not a local domain: " + a.domain());
    }
    if (exists(LdapLayout.accountDn(a))) {
      throw new DirectoryException.Conflict("account exists: " + a.address());
    }
    requireLocalDomain(a.domain());
    requireFree(a);
  }

  @Override
  public void setPassword(String address, String password) throws DirectoryException {
    Names.Address a = addressOrInvalid(address);
    checkPassword(password);
    ensureOpen();
    requireAccount(a);
    checkPolicy(
        findAccount(a.address()).map(Account::cos).orElse(ClassOfService.DEFAULT), password);
    try {
      replacePassword(a, password, Optional.empty());
    } finally {
      cache.forget(a.address());
    }
    log.info("changed password of {}", a.address());
  }

  /**
   * Stores a new hash and SCRAM verifier of {@code password}; with {@code ifStored}, only if the
   * stored hash is still that one (a rehash must not overwrite a concurrent password change).
   */
  private void replacePassword(Names.Address a, String password, Optional<String> ifStored)
      throws DirectoryException {
    String hash = hasher.hash(password);
    String scram = ScramCredentials.derive(password).encode();
    mutate(
        () -> {
          requireAccount(a);
          String dn = LdapLayout.accountDn(a).toString();
          String current = server.getEntry(dn).getAttributeValue(LdapLayout.AT_PASSWORD);
          if (ifStored.isPresent() && !ifStored.get().equals(current)) {
            return null;
          }
          List<Modification> mods = new ArrayList<>();
          mods.add(new Modification(ModificationType.REPLACE, LdapLayout.AT_PASSWORD, hash));
          mods.add(new Modification(ModificationType.REPLACE, LdapLayout.AT_SCRAM, scram));
          if (ifStored.isEmpty()) {
            // A password change (after a compromise, say) also revokes every app password, as a
            // leaked one would otherwise outlive the reset.
            mods.add(new Modification(ModificationType.REPLACE, LdapLayout.AT_APP_PASSWORD));
          }
          server.modify(dn, mods);
          return null;
        });
  }

  @Override
  public Optional<ScramCredentials> scramCredentials(String username) {
    requireNonNull(username, "username");
    ensureOpen();
    Optional<Entry> entry = Names.parseAddress(username).flatMap(this::entry);
    if (entry.isEmpty() || !LdapLayout.account(entry.get()).status().canLogIn()) {
      return Optional.empty();
    }
    String verifier = entry.get().getAttributeValue(LdapLayout.AT_SCRAM);
    if (verifier == null) {
      return Optional.empty(); // imported hash: SCRAM works after the next password login
    }
    try {
      return Optional.of(ScramCredentials.parse(verifier));
    } catch (IllegalArgumentException e) {
      log.warn("malformed SCRAM verifier of {}", entry.get().getDN());
      return Optional.empty();
    }
  }

  @Override
  public void deleteAccount(String address) throws DirectoryException {
    Names.Address a = addressOrInvalid(address);
    try {
      mutate(
          () -> {
            requireAccount(a);
            Entry e = server.getEntry(LdapLayout.accountDn(a).toString());
            server.delete(e.getDN());
            // Its addresses leave every list, so whoever gets them later inherits no membership.
            removeFromLists(a.address());
            String[] aliases = e.getAttributeValues(LdapLayout.AT_ALIAS);
            if (aliases != null) {
              for (String alias : aliases) {
                removeFromLists(alias);
              }
            }
            return null;
          });
    } finally {
      cache.forget(a.address());
    }
    log.info("deleted account {}", a.address());
  }

  @Override
  public void setAdmin(String address, boolean admin) throws DirectoryException {
    modify(addressOrInvalid(address), LdapLayout.AT_ADMIN, LdapLayout.bool(admin));
  }

  @Override
  public void setStatus(String address, AccountStatus status) throws DirectoryException {
    requireNonNull(status, "status");
    modify(addressOrInvalid(address), LdapLayout.AT_STATUS, LdapLayout.status(status));
  }

  private void modify(Names.Address a, String attribute, String value) throws DirectoryException {
    mutate(
        () -> {
          requireAccount(a);
          server.modify(
              LdapLayout.accountDn(a).toString(),
              new Modification(ModificationType.REPLACE, attribute, value));
          return null;
        });
  }

  @Override
  public Optional<Account> findAccount(String address) {
    requireNonNull(address, "address");
    ensureOpen();
    return accountsByAddress.get(
        address, key -> Names.parseAddress(key).flatMap(this::entry).map(LdapLayout::account));
  }

  @Override
  public Optional<Account> findAccountById(String id) {
    requireNonNull(id, "id");
    ensureOpen();
    return accountsById.get(
        id,
        key ->
            search(
                    LdapLayout.DOMAINS_DN,
                    SearchScope.SUB,
                    Filter.createANDFilter(
                        Filter.createEqualityFilter("objectClass", LdapLayout.OC_ACCOUNT),
                        Filter.createEqualityFilter(LdapLayout.AT_ID, key)))
                .stream()
                .findFirst()
                .map(LdapLayout::account));
  }

  @Override
  public List<Account> accounts(Optional<String> domain) {
    requireNonNull(domain, "domain");
    ensureOpen();
    DN base;
    if (domain.isPresent()) {
      try {
        base = LdapLayout.peopleDn(Names.domain(domain.get()));
      } catch (IllegalArgumentException e) {
        return List.of();
      }
    } else {
      base = LdapLayout.DOMAINS_DN;
    }
    return sorted(
        base,
        SearchScope.SUB,
        LdapLayout.OC_ACCOUNT,
        LdapLayout::account,
        Comparator.comparing(Account::address));
  }

  // ---- alias domains, account attributes, aliases, lists, classes of service, roles ----

  @Override
  public Domain createAliasDomain(String alias, String target) throws DirectoryException {
    String a = domainOrInvalid(alias);
    String t = domainOrInvalid(target);
    return mutate(
        () -> {
          requireLocalDomain(t);
          if (exists(LdapLayout.domainDn(a))) {
            throw new DirectoryException.Conflict("domain exists: " + a);
          }
          server.add(LdapLayout.aliasDomainEntry(a, UUID.randomUUID().toString(), t));
          log.info("created alias domain {} -> {}", a, t);
          return new Domain(a, Optional.of(t));
        });
  }

  @Override
  public Optional<Domain> findDomain(String name) {
    requireNonNull(name, "name");
    ensureOpen();
    try {
      return getEntry(LdapLayout.domainDn(Names.domain(name))).map(LdapLayout::domain);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public void setDisplayName(String address, String displayName) throws DirectoryException {
    requireNonNull(displayName, "displayName");
    if (displayName.length() > 256 || displayName.chars().anyMatch(Character::isISOControl)) {
      throw new DirectoryException.Invalid("display name: at most 256 printable characters");
    }
    replaceOrClear(addressOrInvalid(address), "displayName", displayName);
  }

  @Override
  public void setQuota(String address, OptionalLong bytes) throws DirectoryException {
    requireNonNull(bytes, "bytes");
    if (bytes.isPresent() && bytes.getAsLong() < 0) {
      throw new DirectoryException.Invalid("quota must not be negative");
    }
    replaceOrClear(
        addressOrInvalid(address),
        LdapLayout.AT_QUOTA,
        bytes.isPresent() ? Long.toString(bytes.getAsLong()) : "");
  }

  @Override
  public void setClassOfService(String address, String cos) throws DirectoryException {
    Names.Address a = addressOrInvalid(address);
    String name = cosNameOrInvalid(cos);
    mutate(
        () -> {
          if (!exists(LdapLayout.cosDn(name))) {
            throw new DirectoryException.NotFound("no such class of service: " + name);
          }
          requireAccount(a);
          server.modify(
              LdapLayout.accountDn(a).toString(),
              new Modification(ModificationType.REPLACE, LdapLayout.AT_COS, name));
          return null;
        });
  }

  @Override
  public void setMailHost(String address, Optional<String> host) throws DirectoryException {
    requireNonNull(host, "host");
    String h = "";
    if (host.isPresent()) {
      try {
        h = Names.domain(host.get());
      } catch (IllegalArgumentException e) {
        throw new DirectoryException.Invalid("mail host: " + e.getMessage());
      }
    }
    replaceOrClear(addressOrInvalid(address), LdapLayout.AT_MAIL_HOST, h);
  }

  @Override
  public OptionalLong effectiveQuota(String address) {
    Optional<Account> account = findAccount(address);
    if (account.isEmpty()) {
      return OptionalLong.empty();
    }
    if (account.get().quotaBytes().isPresent()) {
      return account.get().quotaBytes();
    }
    return classOfService(account.get().cos())
        .map(ClassOfService::quotaBytes)
        .orElse(OptionalLong.empty());
  }

  /** Replaces a single-valued account attribute, or removes it for an empty value. */
  private void replaceOrClear(Names.Address a, String attribute, String value)
      throws DirectoryException {
    mutate(
        () -> {
          requireAccount(a);
          Entry e = server.getEntry(LdapLayout.accountDn(a).toString());
          if (value.isEmpty() && !e.hasAttribute(attribute)) {
            return null;
          }
          server.modify(
              LdapLayout.accountDn(a).toString(),
              value.isEmpty()
                  ? new Modification(ModificationType.DELETE, attribute)
                  : new Modification(ModificationType.REPLACE, attribute, value));
          return null;
        });
  }

  @Override
  public void addAlias(String address, String alias) throws DirectoryException {
    Names.Address a = addressOrInvalid(address);
    Names.Address al = addressOrInvalid(alias);
    mutate(
        () -> {
          requireAccount(a);
          requireLocalDomain(al.domain());
          requireFree(al);
          Entry e = server.getEntry(LdapLayout.accountDn(a).toString());
          String[] have = e.getAttributeValues(LdapLayout.AT_ALIAS);
          if (have != null && have.length >= DirectoryLimits.MAX_ALIASES) {
            throw new DirectoryException.Conflict(
                "account has " + DirectoryLimits.MAX_ALIASES + " aliases already");
          }
          server.modify(
              LdapLayout.accountDn(a).toString(),
              new Modification(ModificationType.ADD, LdapLayout.AT_ALIAS, al.address()));
          log.info("added alias {} to {}", al.address(), a.address());
          return null;
        });
  }

  @Override
  public void removeAlias(String alias) throws DirectoryException {
    Names.Address al = addressOrInvalid(alias);
    mutate(
        () -> {
          Optional<SearchResultEntry> owner = aliasOwner(al);
          if (owner.isEmpty()) {
            throw new DirectoryException.NotFound("no such alias: " + al.address());
          }
          server.modify(
              owner.get().getDN(),
              new Modification(ModificationType.DELETE, LdapLayout.AT_ALIAS, al.address()));
          log.info("removed alias {}", al.address());
          return null;
        });
  }

  @Override
  public DistributionList createList(String address, String displayName) throws DirectoryException {
    Names.Address a = addressOrInvalid(address);
    requireNonNull(displayName, "displayName");
    if (displayName.length() > 256 || displayName.chars().anyMatch(Character::isISOControl)) {
      throw new DirectoryException.Invalid("display name: at most 256 printable characters");
    }
    return mutate(
        () -> {
          requireLocalDomain(a.domain());
          requireFree(a);
          if (!exists(LdapLayout.listsDn(a.domain()))) {
            server.add(LdapLayout.listsEntry(a.domain()));
          }
          Entry e = LdapLayout.listEntry(a, UUID.randomUUID().toString(), displayName);
          server.add(e);
          log.info("created list {}", a.address());
          return LdapLayout.list(e);
        });
  }

  @Override
  public void deleteList(String address) throws DirectoryException {
    Names.Address a = addressOrInvalid(address);
    mutate(
        () -> {
          requireList(a);
          server.delete(LdapLayout.listDn(a).toString());
          removeFromLists(a.address());
          log.info("deleted list {}", a.address());
          return null;
        });
  }

  @Override
  public void addListMember(String list, String member) throws DirectoryException {
    Names.Address l = addressOrInvalid(list);
    Names.Address m = addressOrInvalid(member);
    if (l.equals(m)) {
      throw new DirectoryException.Invalid("a list cannot be its own member");
    }
    mutate(
        () -> {
          requireList(l);
          Entry e = server.getEntry(LdapLayout.listDn(l).toString());
          String[] have = e.getAttributeValues(LdapLayout.AT_MEMBER);
          if (have != null && Arrays.asList(have).contains(m.address())) {
            return null;
          }
          if (have != null && have.length >= DirectoryLimits.MAX_LIST_MEMBERS) {
            throw new DirectoryException.Conflict(
                "list has " + DirectoryLimits.MAX_LIST_MEMBERS + " members already");
          }
          server.modify(
              LdapLayout.listDn(l).toString(),
              new Modification(ModificationType.ADD, LdapLayout.AT_MEMBER, m.address()));
          return null;
        });
  }

  @Override
  public void removeListMember(String list, String member) throws DirectoryException {
    Names.Address l = addressOrInvalid(list);
    Names.Address m = addressOrInvalid(member);
    mutate(
        () -> {
          requireList(l);
          Entry e = server.getEntry(LdapLayout.listDn(l).toString());
          if (!e.hasAttributeValue(LdapLayout.AT_MEMBER, m.address())) {
            throw new DirectoryException.NotFound(
                m.address() + " is not a member of " + l.address());
          }
          server.modify(
              LdapLayout.listDn(l).toString(),
              new Modification(ModificationType.DELETE, LdapLayout.AT_MEMBER, m.address()));
          return null;
        });
  }

  @Override
  public Optional<DistributionList> findList(String address) {
    requireNonNull(address, "address");
    ensureOpen();
    try {
      Names.Address a = canonical(Names.address(address));
      return getEntry(LdapLayout.listDn(a)).map(LdapLayout::list);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<DistributionList> lists(String domain) {
    requireNonNull(domain, "domain");
    ensureOpen();
    String d;
    try {
      d = Names.domain(domain);
    } catch (IllegalArgumentException e) {
      return List.of();
    }
    return sorted(
        LdapLayout.listsDn(d),
        SearchScope.ONE,
        LdapLayout.OC_LIST,
        LdapLayout::list,
        Comparator.comparing(DistributionList::address));
  }

  @Override
  public Expansion expand(String address) {
    requireNonNull(address, "address");
    ensureOpen();
    Map<String, Account> accounts = new TreeMap<>();
    Set<String> external = new TreeSet<>();
    Set<String> visited = new HashSet<>();
    boolean truncated = false;
    List<String> level = List.of(address);
    for (int depth = 0;
        !level.isEmpty() && depth <= DirectoryLimits.MAX_LIST_DEPTH;
        depth++) { // depth 0: the address itself
      List<String> next = new ArrayList<>();
      for (String raw : level) {
        Optional<Names.Address> parsed = Names.parseAddress(raw);
        if (parsed.isEmpty()) {
          continue; // not an address: reaches nothing
        }
        Names.Address a = parsed.get();
        if (visited.size() >= DirectoryLimits.MAX_EXPANSION) {
          truncated = true;
          break;
        }
        if (!visited.add(a.address())) {
          continue;
        }
        Optional<Account> account = findAccount(a.address());
        if (account.isPresent()) {
          accounts.put(account.get().address(), account.get());
          continue;
        }
        Optional<DistributionList> list = findList(a.address());
        if (list.isPresent()) {
          next.addAll(list.get().members());
        } else if (!isLocalDomain(a.domain())) {
          external.add(a.address());
        }
      }
      level = next;
    }
    truncated |= !level.isEmpty(); // members left below the depth limit
    return new Expansion(List.copyOf(accounts.values()), List.copyOf(external), truncated);
  }

  @Override
  public List<String> groupsOf(String address) {
    requireNonNull(address, "address");
    ensureOpen();
    Optional<Entry> account = Names.parseAddress(address).flatMap(this::entry);
    if (account.isEmpty()) {
      return List.of();
    }
    // Members are stored as addresses: the account's own and its aliases name it in a list.
    List<String> level = new ArrayList<>(List.of(LdapLayout.account(account.get()).address()));
    level.addAll(LdapLayout.account(account.get()).aliases());
    Set<String> groups = new TreeSet<>();
    for (int depth = 0; !level.isEmpty() && depth < DirectoryLimits.MAX_LIST_DEPTH; depth++) {
      List<String> next = new ArrayList<>();
      for (String member : level) {
        for (SearchResultEntry list :
            search(
                LdapLayout.DOMAINS_DN,
                SearchScope.SUB,
                Filter.createANDFilter(
                    Filter.createEqualityFilter("objectClass", LdapLayout.OC_LIST),
                    Filter.createEqualityFilter(LdapLayout.AT_MEMBER, member)))) {
          String listAddress = list.getAttributeValue("mail");
          if (groups.size() < DirectoryLimits.MAX_EXPANSION && groups.add(listAddress)) {
            next.add(listAddress); // its own parents next
          }
        }
      }
      level = next;
    }
    return List.copyOf(groups);
  }

  @Override
  public ClassOfService createClassOfService(ClassOfService cos) throws DirectoryException {
    requireNonNull(cos, "cos");
    String name = cosNameOrInvalid(cos.name());
    return mutate(
        () -> {
          if (!exists(LdapLayout.COS_DN)) {
            server.add(LdapLayout.cosContainer());
          }
          if (exists(LdapLayout.cosDn(name))) {
            throw new DirectoryException.Conflict("class of service exists: " + name);
          }
          server.add(LdapLayout.cosEntry(cos, UUID.randomUUID().toString()));
          log.info("created class of service {}", name);
          return cos;
        });
  }

  @Override
  public void updateClassOfService(ClassOfService cos) throws DirectoryException {
    requireNonNull(cos, "cos");
    String name = cosNameOrInvalid(cos.name());
    mutate(
        () -> {
          Optional<Entry> old = getEntry(LdapLayout.cosDn(name));
          if (old.isEmpty()) {
            throw new DirectoryException.NotFound("no such class of service: " + name);
          }
          server.delete(LdapLayout.cosDn(name).toString());
          server.add(LdapLayout.cosEntry(cos, old.get().getAttributeValue(LdapLayout.AT_ID)));
          return null;
        });
  }

  @Override
  public void deleteClassOfService(String name) throws DirectoryException {
    String n = cosNameOrInvalid(name);
    if (n.equals(ClassOfService.DEFAULT)) {
      throw new DirectoryException.Conflict("the default class of service cannot be deleted");
    }
    mutate(
        () -> {
          if (!exists(LdapLayout.cosDn(n))) {
            throw new DirectoryException.NotFound("no such class of service: " + n);
          }
          List<SearchResultEntry> users =
              search(
                  LdapLayout.DOMAINS_DN,
                  SearchScope.SUB,
                  Filter.createEqualityFilter(LdapLayout.AT_COS, n));
          if (!users.isEmpty()) {
            throw new DirectoryException.Conflict(
                "class of service " + n + " is used by " + users.size() + " account(s)");
          }
          server.delete(LdapLayout.cosDn(n).toString());
          return null;
        });
  }

  @Override
  public Optional<ClassOfService> classOfService(String name) {
    requireNonNull(name, "name");
    ensureOpen();
    return classesOfService.get(
        name,
        key ->
            COS_NAME.matcher(key).matches()
                ? getEntry(LdapLayout.cosDn(key)).map(LdapLayout::cos)
                : Optional.empty());
  }

  @Override
  public List<ClassOfService> classesOfService() {
    ensureOpen();
    return sorted(
        LdapLayout.COS_DN,
        SearchScope.ONE,
        LdapLayout.OC_COS,
        LdapLayout::cos,
        Comparator.comparing(ClassOfService::name));
  }

  @Override
  public void grantRole(String address, Role role) throws DirectoryException {
    requireNonNull(role, "role");
    Names.Address a = addressOrInvalid(address);
    String d = domainOrInvalid(role.domain());
    Role r = new Role(role.kind(), d);
    mutate(
        () -> {
          requireAccount(a);
          requireLocalDomain(d);
          Entry e = server.getEntry(LdapLayout.accountDn(a).toString());
          if (!e.hasAttributeValue(LdapLayout.AT_ROLE, r.value())) {
            server.modify(
                LdapLayout.accountDn(a).toString(),
                new Modification(ModificationType.ADD, LdapLayout.AT_ROLE, r.value()));
          }
          log.info("granted {} to {}", r.value(), a.address());
          return null;
        });
  }

  @Override
  public void revokeRole(String address, Role role) throws DirectoryException {
    requireNonNull(role, "role");
    Names.Address a = addressOrInvalid(address);
    String d = domainOrInvalid(role.domain());
    Role r = new Role(role.kind(), d);
    mutate(
        () -> {
          requireAccount(a);
          Entry e = server.getEntry(LdapLayout.accountDn(a).toString());
          if (e.hasAttributeValue(LdapLayout.AT_ROLE, r.value())) {
            server.modify(
                LdapLayout.accountDn(a).toString(),
                new Modification(ModificationType.DELETE, LdapLayout.AT_ROLE, r.value()));
          }
          return null;
        });
  }

  /** Removes an address from the members of every list (inside a mutation). */
  private void removeFromLists(String address) throws LDAPException {
    for (SearchResultEntry list :
        search(
            LdapLayout.DOMAINS_DN,
            SearchScope.SUB,
            Filter.createEqualityFilter(LdapLayout.AT_MEMBER, address))) {
      server.modify(
          list.getDN(), new Modification(ModificationType.DELETE, LdapLayout.AT_MEMBER, address));
    }
  }

  /** Class-of-service names: letters, digits, dot, underscore, hyphen; 1 to 64. */
  private static final Pattern COS_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private static String cosNameOrInvalid(String name) throws DirectoryException {
    requireNonNull(name, "name");
    if (!COS_NAME.matcher(name).matches()) {
      throw new DirectoryException.Invalid(
          "class of service name: 1 to 64 letters, digits, '.', '_' or '-'");
    }
    return name;
  }

  /** Fails unless {@code d} is a local, non-alias domain. */
  private void requireLocalDomain(String d) throws DirectoryException {
    Optional<Domain> domain = getEntry(LdapLayout.domainDn(d)).map(LdapLayout::domain);
    if (domain.isEmpty() || domain.get().aliasOf().isPresent()) {
      throw new DirectoryException.UnknownDomain("not a local (non-alias) domain: " + d);
    }
  }

  /** Fails if an account, an alias or a list has the address. */
  private void requireFree(Names.Address a) throws DirectoryException {
    if (exists(LdapLayout.accountDn(a))
        || exists(LdapLayout.listDn(a))
        || aliasOwner(a).isPresent()) {
      throw new DirectoryException.Conflict("address in use: " + a.address());
    }
  }

  private void requireList(Names.Address a) throws DirectoryException {
    if (!exists(LdapLayout.listDn(a))) {
      throw new DirectoryException.NotFound("no such list: " + a.address());
    }
  }

  /** The account entry that has {@code a} as an alias. */
  private Optional<SearchResultEntry> aliasOwner(Names.Address a) {
    return search(
            LdapLayout.DOMAINS_DN,
            SearchScope.SUB,
            Filter.createANDFilter(
                Filter.createEqualityFilter("objectClass", LdapLayout.OC_ACCOUNT),
                Filter.createEqualityFilter(LdapLayout.AT_ALIAS, a.address())))
        .stream()
        .findFirst();
  }

  /** The address in its target domain when its domain is an alias domain. */
  private Names.Address canonical(Names.Address a) {
    return getEntry(LdapLayout.domainDn(a.domain()))
        .map(LdapLayout::domain)
        .flatMap(Domain::aliasOf)
        .map(target -> new Names.Address(a.localPart(), target))
        .orElse(a);
  }

  /** The entries of one object class under {@code base}, read and sorted. */
  private <T> List<T> sorted(
      DN base,
      SearchScope scope,
      String objectClass,
      Function<Entry, T> read,
      Comparator<T> order) {
    List<T> out = new ArrayList<>();
    for (SearchResultEntry e :
        search(base, scope, Filter.createEqualityFilter("objectClass", objectClass))) {
      out.add(read.apply(e));
    }
    out.sort(order);
    return List.copyOf(out);
  }

  private Optional<Entry> getEntry(DN dn) {
    try {
      return Optional.ofNullable(server.getEntry(dn.toString()));
    } catch (LDAPException e) {
      log.warn("cannot read {}", dn, e);
      return Optional.empty();
    }
  }

  // ---- authentication ----

  @Override
  public Optional<Account> authenticate(String username, String password, InetAddress client) {
    return authenticate(username, password, client, true);
  }

  @Override
  public Optional<Account> authenticateAccountPassword(
      String username, String password, InetAddress client) {
    return authenticate(username, password, client, false);
  }

  /** The entry a login names, its account, and the key its failures count under. */
  private record LoginTarget(Optional<Entry> entry, Account account, String key) {}

  private LoginTarget loginTarget(String username) {
    Optional<Names.Address> a = Names.parseAddress(username);
    // The entry a login reads is cached like other lookups (a login must not cost a directory
    // search each time): without it, a verified-login cache hit spent most of its time finding
    // the entry by DN in the in-memory server.
    Optional<Entry> entry =
        a.flatMap(address -> loginEntries.get(address.address(), k -> entry(address)));
    Account account = entry.map(LdapLayout::account).orElse(null);
    // Failures count per account, however its name was spelled (alias, alias domain), so that
    // each spelling does not get a budget of its own; an invalid name under a bounded form.
    String key =
        account != null
            ? account.address()
            : a.map(Names.Address::address)
                .orElse(
                    username
                        .substring(0, Math.min(username.length(), 320))
                        .toLowerCase(Locale.ROOT));
    return new LoginTarget(entry, account, key);
  }

  @Override
  public boolean loginAllowed(String username, InetAddress client) {
    requireNonNull(client, "client");
    ensureOpen();
    return !guard.blocked(loginTarget(requireNonNull(username, "username")).key(), client);
  }

  @Override
  public void loginVerified(String username, InetAddress client, boolean succeeded) {
    requireNonNull(client, "client");
    ensureOpen();
    String key = loginTarget(requireNonNull(username, "username")).key();
    if (succeeded) {
      guard.succeeded(key, client);
    } else {
      guard.failed(key, client);
      log.debug("login for {} from {} failed", key, client.getHostAddress());
    }
  }

  private Optional<Account> authenticate(
      String username, String password, InetAddress client, boolean appPasswords) {
    requireNonNull(username, "username");
    requireNonNull(password, "password");
    requireNonNull(client, "client");
    ensureOpen();
    LoginTarget target = loginTarget(username);
    Optional<Entry> entry = target.entry();
    Account account = target.account();
    String key = target.key();
    if (guard.blocked(key, client)) {
      log.debug("login for {} from {} refused: too many failures", key, client.getHostAddress());
      return Optional.empty();
    }
    // NUL never belongs to a password: HMAC pads short keys with zero bytes, so PBKDF2 would
    // accept "secret\0" for "secret" (and SASL PLAIN uses NUL as its separator, RFC 4616 §2).
    if (password.isEmpty()
        || password.length() > limits.maxPasswordChars()
        || password.indexOf('\u0000') >= 0) {
      guard.failed(key, client);
      return Optional.empty();
    }
    String stored = entry.map(e -> e.getAttributeValue(LdapLayout.AT_PASSWORD)).orElse(null);
    if (stored == null || account == null || !account.status().canLogIn()) {
      hasher.verifyDummy(password); // same cost as a real check: timing does not tell who exists
      guard.failed(key, client);
      log.debug("login for {} from {} failed", key, client.getHostAddress());
      return Optional.empty();
    }
    boolean ok = cache.matches(key, stored, password);
    if (!ok && appPasswords && AppPasswords.matches(entry.get(), password)) {
      // cheap (SHA-256 of a random secret), so no cache needed
      guard.succeeded(key, client);
      return Optional.of(account);
    }
    if (!ok && hasher.verify(stored, password)) {
      ok = true;
      cache.put(key, stored, password);
      if (hasher.needsRehash(stored)
          || entry.get().getAttributeValue(LdapLayout.AT_SCRAM) == null) {
        // An imported or older hash: replace it now that the password is known, and add the
        // SCRAM verifier an import cannot carry.
        try {
          replacePassword(
              new Names.Address(account.localPart(), account.domain()),
              password,
              Optional.of(stored));
          log.info("rehashed the password of {}", account.address());
        } catch (DirectoryException ex) {
          log.warn("cannot rehash the password of {}", account.address(), ex);
        }
      }
    }
    if (!ok) {
      guard.failed(key, client);
      log.debug("login for {} from {} failed", key, client.getHostAddress());
      return Optional.empty();
    }
    guard.succeeded(key, client);
    return Optional.of(account);
  }

  // ---- app passwords ----

  @Override
  public String createAppPassword(String address, String name) throws DirectoryException {
    Names.Address a = addressOrInvalid(address);
    String n = AppPasswords.checkName(name);
    AppPasswords.Created created = AppPasswords.create(n);
    mutate(
        () -> {
          requireAccount(a);
          Entry e = server.getEntry(LdapLayout.accountDn(a).toString());
          List<AppPassword> have = AppPasswords.list(e);
          if (have.stream().anyMatch(p -> p.name().equals(n))) {
            throw new DirectoryException.Conflict("app password exists: " + n);
          }
          if (have.size() >= AppPassword.MAX_PER_ACCOUNT) {
            throw new DirectoryException.Conflict(
                "at most " + AppPassword.MAX_PER_ACCOUNT + " app passwords per account");
          }
          server.modify(
              LdapLayout.accountDn(a).toString(),
              new Modification(
                  ModificationType.ADD, LdapLayout.AT_APP_PASSWORD, created.storedValue()));
          return null;
        });
    log.info("created app password {} of {}", n, a.address());
    return created.secret();
  }

  @Override
  public List<AppPassword> appPasswords(String address) {
    requireNonNull(address, "address");
    ensureOpen();
    try {
      return getEntry(LdapLayout.accountDn(Names.address(address)))
          .map(AppPasswords::list)
          .orElse(List.of());
    } catch (IllegalArgumentException e) {
      return List.of();
    }
  }

  @Override
  public void revokeAppPassword(String address, String name) throws DirectoryException {
    Names.Address a = addressOrInvalid(address);
    requireNonNull(name, "name");
    mutate(
        () -> {
          requireAccount(a);
          Entry e = server.getEntry(LdapLayout.accountDn(a).toString());
          Optional<String> value = AppPasswords.storedValue(e, name);
          if (value.isEmpty()) {
            throw new DirectoryException.NotFound("no app password " + name + " of " + a.address());
          }
          server.modify(
              LdapLayout.accountDn(a).toString(),
              new Modification(ModificationType.DELETE, LdapLayout.AT_APP_PASSWORD, value.get()));
          return null;
        });
    log.info("revoked app password {} of {}", name, a.address());
  }

  // ---- DKIM keys: values of the domain entry (internal.DkimKeys) ----

  @Override
  public List<DkimKey> dkimKeys(String domain) {
    requireNonNull(domain, "domain");
    ensureOpen();
    try {
      return getEntry(LdapLayout.domainDn(Names.domain(domain)))
          .map(DkimKeys::list)
          .orElse(List.of());
    } catch (IllegalArgumentException e) {
      return List.of();
    }
  }

  @Override
  public Optional<DkimKey> activeDkimKey(String domain) {
    return dkimKeys(domain).stream().filter(k -> k.state() == DkimKey.State.ACTIVE).findFirst();
  }

  @Override
  public void addDkimKey(String domain, DkimKey key) throws DirectoryException {
    String d = domainOrInvalid(domain);
    requireNonNull(key, "key");
    mutate(
        () -> {
          Entry e = domainEntry(d);
          List<DkimKey> have = DkimKeys.list(e);
          if (have.stream().anyMatch(k -> k.selector().equals(key.selector()))) {
            throw new DirectoryException.Conflict(
                "domain " + d + " has a DKIM key with selector " + key.selector());
          }
          if (have.size() >= DkimKey.MAX_PER_DOMAIN) {
            throw new DirectoryException.Conflict(
                "at most " + DkimKey.MAX_PER_DOMAIN + " DKIM keys per domain");
          }
          if (key.state() == DkimKey.State.ACTIVE
              && have.stream().anyMatch(k -> k.state() == DkimKey.State.ACTIVE)) {
            throw new DirectoryException.Conflict(
                "domain " + d + " has an active DKIM key; add this one inactive and activate it");
          }
          server.modify(
              e.getDN(),
              new Modification(
                  ModificationType.ADD, LdapLayout.AT_DKIM_KEY, DkimKeys.storedValue(key)));
          return null;
        });
    log.info(
        "added DKIM key {} ({}, {}) of {}", key.selector(), key.algorithm().tag(), key.state(), d);
  }

  @Override
  public void activateDkimKey(String domain, String selector) throws DirectoryException {
    String d = domainOrInvalid(domain);
    requireNonNull(selector, "selector");
    mutate(
        () -> {
          Entry e = domainEntry(d);
          DkimKey target = dkimKey(e, d, selector);
          if (target.state() == DkimKey.State.ACTIVE) {
            return null;
          }
          List<Modification> changes = new ArrayList<>();
          for (DkimKey k : DkimKeys.list(e)) {
            if (k.state() == DkimKey.State.ACTIVE) {
              replaceKey(changes, e, k, k.withState(DkimKey.State.RETIRED));
            }
          }
          replaceKey(changes, e, target, target.withState(DkimKey.State.ACTIVE));
          server.modify(e.getDN(), changes);
          return null;
        });
    log.info("activated DKIM key {} of {}", selector, d);
  }

  @Override
  public void removeDkimKey(String domain, String selector) throws DirectoryException {
    String d = domainOrInvalid(domain);
    requireNonNull(selector, "selector");
    mutate(
        () -> {
          Entry e = domainEntry(d);
          dkimKey(e, d, selector);
          server.modify(
              e.getDN(),
              new Modification(
                  ModificationType.DELETE,
                  LdapLayout.AT_DKIM_KEY,
                  DkimKeys.storedValue(e, selector).orElseThrow()));
          return null;
        });
    log.info("removed DKIM key {} of {}", selector, d);
  }

  private Entry domainEntry(String d) throws DirectoryException, LDAPException {
    Entry e = server.getEntry(LdapLayout.domainDn(d).toString());
    if (e == null) {
      throw new DirectoryException.NotFound("no such domain: " + d);
    }
    return e;
  }

  private static DkimKey dkimKey(Entry e, String d, String selector)
      throws DirectoryException.NotFound {
    return DkimKeys.list(e).stream()
        .filter(k -> k.selector().equalsIgnoreCase(selector))
        .findFirst()
        .orElseThrow(() -> new DirectoryException.NotFound("no DKIM key " + selector + " of " + d));
  }

  private static void replaceKey(List<Modification> changes, Entry e, DkimKey old, DkimKey now) {
    changes.add(
        new Modification(
            ModificationType.DELETE,
            LdapLayout.AT_DKIM_KEY,
            DkimKeys.storedValue(e, old.selector()).orElseThrow()));
    changes.add(
        new Modification(ModificationType.ADD, LdapLayout.AT_DKIM_KEY, DkimKeys.storedValue(now)));
  }

  // ---- helpers ----

  @FunctionalInterface
  interface Mutation<T> {
    T apply() throws DirectoryException, LDAPException;
  }

  /**
   * Runs one change under the write lock and makes it durable before returning, as the backend
   * does; invalidates the lookup caches whatever happens.
   */
  abstract <T> T mutate(Mutation<T> m) throws DirectoryException;

  private void requireAccount(Names.Address a) throws DirectoryException {
    if (!exists(LdapLayout.accountDn(a))) {
      throw new DirectoryException.NotFound("no such account: " + a.address());
    }
  }

  /** The account entry an address reaches: by its own address or an alias, after alias domains. */
  private Optional<Entry> entry(Names.Address address) {
    Names.Address a = canonical(address);
    Optional<Entry> own = getEntry(LdapLayout.accountDn(a));
    return own.isPresent() ? own : aliasOwner(a).map(e -> (Entry) e);
  }

  private boolean exists(DN dn) {
    try {
      return server.getEntry(dn.toString(), "1.1") != null;
    } catch (LDAPException e) {
      log.warn("cannot read {}", dn, e);
      return false;
    }
  }

  private List<SearchResultEntry> search(DN base, SearchScope scope, Filter filter) {
    try {
      SearchResult r = server.search(new SearchRequest(base.toString(), scope, filter, "*"));
      return r.getSearchEntries();
    } catch (LDAPException e) {
      if (e.getResultCode() != ResultCode.NO_SUCH_OBJECT) {
        log.warn("search under {} failed", base, e);
      }
      return List.of();
    }
  }

  /** The password policy of a class of service (its minimum length). */
  private void checkPolicy(String cos, String password) throws DirectoryException {
    int min = classOfService(cos).map(ClassOfService::passwordMinLength).orElse(1);
    if (password.codePointCount(0, password.length()) < min) {
      throw new DirectoryException.Invalid(
          "password shorter than " + min + " characters (class of service " + cos + ")");
    }
  }

  private void checkPassword(String password) throws DirectoryException {
    requireNonNull(password, "password");
    if (password.isEmpty()) {
      throw new DirectoryException.Invalid("empty password");
    }
    if (password.length() > limits.maxPasswordChars()) {
      throw new DirectoryException.Invalid(
          "password longer than " + limits.maxPasswordChars() + " characters");
    }
    if (password.indexOf('\u0000') >= 0) {
      throw new DirectoryException.Invalid("NUL character in password");
    }
  }

  private static String domainOrInvalid(String name) throws DirectoryException {
    requireNonNull(name, "name");
    try {
      return Names.domain(name);
    } catch (IllegalArgumentException e) {
      throw new DirectoryException.Invalid(e.getMessage());
    }
  }

  private static Names.Address addressOrInvalid(String address) throws DirectoryException {
    requireNonNull(address, "address");
    try {
      return Names.address(address);
    } catch (IllegalArgumentException e) {
      throw new DirectoryException.Invalid(e.getMessage());
    }
  }

  void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("directory is closed");
    }
  }

  /** Deletes an entry and everything below it, leaves first (inside a mutation). */
  void deleteTree(String dn) throws LDAPException {
    List<SearchResultEntry> below =
        new ArrayList<>(
            server
                .search(
                    new SearchRequest(
                        dn, SearchScope.SUB, Filter.createPresenceFilter("objectClass"), "1.1"))
                .getSearchEntries());
    below.sort(
        Comparator.comparingInt(
                (SearchResultEntry e) -> {
                  try {
                    return e.getParsedDN().getRDNs().length;
                  } catch (LDAPException ex) {
                    return 0;
                  }
                })
            .reversed());
    for (SearchResultEntry e : below) {
      server.delete(e.getDN());
    }
  }
}
