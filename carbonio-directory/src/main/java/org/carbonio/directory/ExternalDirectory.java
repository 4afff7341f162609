package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.carbonio.directory.internal.LdapServers;
import org.carbonio.directory.internal.LoginCache;
import org.carbonio.directory.internal.LoginGuard;
import org.carbonio.directory.internal.LookupCache;
import org.carbonio.directory.internal.Names;
import org.carbonio.directory.sasl.ScramCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Directory} on an organization's existing LDAP directory (OpenLDAP, Active Directory),
 * read through an {@link AttributeMapping}: accounts are its users, lists its mail-enabled groups,
 * and passwords are checked by binding as the user, so the directory's own password policy applies.
 * It is read-only: users, groups and passwords are managed with the directory's own tools, and
 * every changing call fails with {@link DirectoryException.Unavailable}.
 *
 * {@snippet :
 * Directory dir = ExternalDirectory.open(ExternalDirectoryConfig.of(
 *     List.of(URI.create("ldaps://dc1.example.com"), URI.create("ldaps://dc2.example.com")),
 *     "CN=mail,CN=Users,DC=example,DC=com", servicePassword,
 *     "DC=example,DC=com", List.of("example.com"), AttributeMapping.ACTIVE_DIRECTORY));
 * }
 *
 * <p>Two connection pools over a failover server set (the first server that answers, the next when
 * it fails; failed operations are retried once on a new connection): one bound as the service
 * account searches, one checks passwords by binding and reverting. Lookups and verified logins are
 * cached for {@link ExternalDirectoryConfig#cacheTtl()}, since the directory does not report
 * changes: a disabled account or a changed password takes effect here within that time. Filters are
 * built with {@link Filter#createEqualityFilter} (RFC 4515 escaping), never by concatenation.
 *
 * <p>Thread-safe.
 */
public final class ExternalDirectory implements Directory {
  private static final Logger log = LoggerFactory.getLogger(ExternalDirectory.class);

  /** Cached lookups of each kind at most. */
  public static final int LOOKUP_CACHE_ENTRIES = 100_000;

  private final ExternalDirectoryConfig config;
  private final AttributeMapping map;
  private final LDAPConnectionPool search;
  private final LDAPConnectionPool binds;
  private final Filter userFilter;
  private final Filter groupFilter;
  private final Set<String> domains = new TreeSet<>();
  private final LoginGuard guard;
  private final LoginCache logins;
  private final LookupCache<String, Optional<SearchResultEntry>> usersByAddress;
  private final String[] attributes;
  private volatile boolean closed;

  private ExternalDirectory(
      ExternalDirectoryConfig config, LDAPConnectionPool search, LDAPConnectionPool binds)
      throws LDAPException {
    this.config = config;
    this.map = config.mapping();
    this.search = search;
    this.binds = binds;
    this.userFilter = Filter.create(map.userFilter());
    this.groupFilter = Filter.create(map.groupFilter());
    for (String d : config.domains()) {
      domains.add(Names.domain(d));
    }
    Clock clock = Clock.systemUTC();
    DirectoryLimits l = config.limits();
    this.guard =
        new LoginGuard(
            clock,
            l.failureWindow(),
            l.maxFailuresPerAccountAndClient(),
            l.maxFailuresPerAccount(),
            l.maxFailuresPerClient(),
            l.maxTrackedKeys());
    this.logins = new LoginCache(clock, config.cacheTtl(), l.maxTrackedKeys());
    this.usersByAddress = new LookupCache<>(LOOKUP_CACHE_ENTRIES, clock, config.cacheTtl());
    // memberOf is operational with OpenLDAP's memberof overlay: "*" would not return it.
    List<String> attrs =
        new ArrayList<>(List.of("*", "modifyTimestamp", "whenChanged", "memberOf"));
    attrs.add(map.idAttribute());
    this.attributes = attrs.toArray(String[]::new);
  }

  /**
   * Connects to the directory (the service account must bind).
   *
   * @throws IOException if no server accepts the service account, or the configuration's filters or
   *     domains do not parse
   */
  public static ExternalDirectory open(ExternalDirectoryConfig config) throws IOException {
    requireNonNull(config, "config");
    FailoverServerSet servers =
        LdapServers.failover(
            config.servers(),
            config.allowPlaintext(),
            config.connectTimeout(),
            config.responseTimeout());
    LDAPConnectionPool search = null;
    try {
      search =
          new LDAPConnectionPool(
              servers,
              new SimpleBindRequest(config.bindDn(), config.bindPassword()),
              1,
              config.maxConnections());
      search.setRetryFailedOperationsDueToInvalidConnections(true);
      // Binds revert to the service account (some directories refuse anonymous binds); a bind is
      // never retried, since a repeated wrong password counts twice toward the user's lockout.
      LDAPConnectionPool binds =
          new LDAPConnectionPool(
              servers,
              new SimpleBindRequest(config.bindDn(), config.bindPassword()),
              1,
              config.maxConnections());
      binds.setRetryFailedOperationsDueToInvalidConnections(false);
      log.info("external directory opened: {}", config);
      return new ExternalDirectory(config, search, binds);
    } catch (LDAPException e) {
      if (search != null) {
        search.close();
      }
      throw new IOException("cannot open the external directory " + config + ": " + e, e);
    } catch (IllegalArgumentException e) {
      if (search != null) {
        search.close();
      }
      throw new IOException("bad configuration " + config + ": " + e.getMessage(), e);
    }
  }

  // ---- reading entries ----

  private List<SearchResultEntry> find(Filter filter, int limit) {
    ensureOpen();
    try {
      SearchRequest r = new SearchRequest(config.baseDn(), SearchScope.SUB, filter, attributes);
      r.setSizeLimit(limit);
      return search.search(r).getSearchEntries();
    } catch (LDAPException e) {
      if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED
          || e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
        return List.of();
      }
      log.warn("search {} under {} failed: {}", filter, config.baseDn(), e.getMessage());
      return List.of();
    }
  }

  private Optional<SearchResultEntry> unique(Filter filter) {
    List<SearchResultEntry> found = find(filter, 2);
    if (found.size() > 1) {
      log.warn("{} matches several entries: refused", filter);
    }
    return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
  }

  private Optional<SearchResultEntry> entry(String dn) {
    ensureOpen();
    try {
      return Optional.ofNullable(search.getEntry(dn, attributes));
    } catch (LDAPException e) {
      return Optional.empty();
    }
  }

  /** Users with this primary address or alias. */
  private Filter byAddress(String address) {
    List<Filter> any = new ArrayList<>();
    any.add(Filter.createEqualityFilter(map.addressAttribute(), address));
    map.aliasAttribute()
        .ifPresent(a -> any.add(Filter.createEqualityFilter(a, map.aliasPrefix() + address)));
    return Filter.createANDFilter(userFilter, Filter.createORFilter(any));
  }

  private Optional<SearchResultEntry> user(Names.Address a) {
    if (!domains.contains(a.domain())) {
      return Optional.empty();
    }
    return usersByAddress.get(a.address(), key -> unique(byAddress(key)));
  }

  private Account account(SearchResultEntry e) {
    String mail = e.getAttributeValue(map.addressAttribute()).toLowerCase(Locale.ROOT);
    int at = mail.lastIndexOf('@');
    List<String> aliases = new ArrayList<>();
    map.aliasAttribute()
        .ifPresent(
            attr -> {
              String[] values = e.getAttributeValues(attr);
              if (values == null) {
                return;
              }
              for (String v : values) {
                if (v.regionMatches(true, 0, map.aliasPrefix(), 0, map.aliasPrefix().length())) {
                  String alias = v.substring(map.aliasPrefix().length()).toLowerCase(Locale.ROOT);
                  if (!alias.equals(mail)) {
                    aliases.add(alias);
                  }
                }
              }
            });
    aliases.sort(Comparator.naturalOrder());
    boolean disabled =
        map.disabledFlagAttribute()
            .map(attr -> e.getAttributeValueAsLong(attr))
            .map(v -> (v & map.disabledFlag()) != 0)
            .orElse(false);
    String name = e.getAttributeValue(map.displayNameAttribute());
    return new Account(
        mail,
        mail.substring(0, at),
        mail.substring(at + 1),
        id(e).orElseThrow(),
        false,
        disabled ? AccountStatus.LOCKED : AccountStatus.ACTIVE,
        name == null ? "" : name,
        OptionalLong.empty(),
        ClassOfService.DEFAULT,
        Optional.empty(),
        aliases,
        Set.of());
  }

  /**
   * The stable id: text, or hex for a binary value such as objectGUID. An entry without one is not
   * used (the DN would change on a rename and orphan the mailbox).
   */
  private Optional<String> id(SearchResultEntry e) {
    if (map.idAttribute().equalsIgnoreCase("objectGUID")) {
      byte[] raw = e.getAttributeValueBytes(map.idAttribute());
      return Optional.ofNullable(raw).map(r -> HexFormat.of().formatHex(r));
    }
    return Optional.ofNullable(e.getAttributeValue(map.idAttribute()));
  }

  private boolean hasLocalAddress(SearchResultEntry e) {
    String mail = e.getAttributeValue(map.addressAttribute());
    if (mail == null) {
      return false;
    }
    if (matches(userFilter, e) && id(e).isEmpty()) {
      log.warn("{} has no {}: not used as an account", e.getDN(), map.idAttribute());
      return false;
    }
    try {
      return domains.contains(Names.address(mail).domain());
    } catch (IllegalArgumentException ex) {
      return false;
    }
  }

  // ---- lookups ----

  @Override
  public List<Domain> domains() {
    return domains.stream().map(Domain::new).toList();
  }

  @Override
  public boolean isLocalDomain(String name) {
    requireNonNull(name, "name");
    try {
      return domains.contains(Names.domain(name));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public Optional<Domain> findDomain(String name) {
    return isLocalDomain(name) ? Optional.of(new Domain(Names.domain(name))) : Optional.empty();
  }

  @Override
  public Optional<Account> findAccount(String address) {
    requireNonNull(address, "address");
    return Names.parseAddress(address)
        .flatMap(this::user)
        .filter(this::hasLocalAddress)
        .map(this::account);
  }

  @Override
  public Optional<Account> findAccountById(String id) {
    requireNonNull(id, "id");
    Filter byId;
    if (map.idAttribute().equalsIgnoreCase("objectGUID")) {
      try {
        byId = Filter.createEqualityFilter(map.idAttribute(), HexFormat.of().parseHex(id));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    } else {
      byId = Filter.createEqualityFilter(map.idAttribute(), id);
    }
    return unique(Filter.createANDFilter(userFilter, byId))
        .filter(this::hasLocalAddress)
        .map(this::account);
  }

  @Override
  public List<Account> accounts(Optional<String> domain) {
    requireNonNull(domain, "domain");
    List<String> wanted = new ArrayList<>();
    if (domain.isPresent()) {
      if (!isLocalDomain(domain.get())) {
        return List.of();
      }
      wanted.add(Names.domain(domain.get()));
    } else {
      wanted.addAll(domains);
    }
    Map<String, Account> out = new TreeMap<>();
    for (String d : wanted) {
      for (SearchResultEntry e :
          find(
              Filter.createANDFilter(
                  userFilter,
                  Filter.createSubstringFilter(map.addressAttribute(), null, null, "@" + d)),
              0)) {
        if (hasLocalAddress(e)) {
          Account a = account(e);
          out.put(a.address(), a);
        }
      }
    }
    return List.copyOf(out.values());
  }

  @Override
  public Optional<DistributionList> findList(String address) {
    requireNonNull(address, "address");
    return Names.parseAddress(address)
        .filter(a -> domains.contains(a.domain()))
        .flatMap(this::group)
        .map(this::list);
  }

  /** The mail-enabled group with this address. */
  private Optional<SearchResultEntry> group(Names.Address a) {
    return unique(
        Filter.createANDFilter(
            groupFilter, Filter.createEqualityFilter(map.addressAttribute(), a.address())));
  }

  private DistributionList list(SearchResultEntry g) {
    List<String> members = new ArrayList<>();
    String[] dns = g.getAttributeValues(map.memberAttribute());
    if (dns != null) {
      for (int i = 0; i < dns.length && i < DirectoryLimits.MAX_LIST_MEMBERS; i++) {
        entry(dns[i])
            .map(m -> m.getAttributeValue(map.addressAttribute()))
            .ifPresent(mail -> members.add(mail.toLowerCase(Locale.ROOT)));
      }
    }
    members.sort(Comparator.naturalOrder());
    String name = g.getAttributeValue(map.displayNameAttribute());
    return new DistributionList(
        g.getAttributeValue(map.addressAttribute()).toLowerCase(Locale.ROOT),
        id(g).orElse(g.getDN()),
        name == null ? "" : name,
        members);
  }

  @Override
  public List<DistributionList> lists(String domain) {
    requireNonNull(domain, "domain");
    if (!isLocalDomain(domain)) {
      return List.of();
    }
    return find(
            Filter.createANDFilter(
                groupFilter,
                Filter.createSubstringFilter(
                    map.addressAttribute(), null, null, "@" + Names.domain(domain))),
            0)
        .stream()
        .map(this::list)
        .sorted(Comparator.comparing(DistributionList::address))
        .toList();
  }

  /**
   * Follows groups by their members' DNs: users become accounts, groups are expanded (each once, up
   * to {@link DirectoryLimits#MAX_LIST_DEPTH} levels), other entries with an address (contacts) are
   * external addresses.
   */
  @Override
  public Expansion expand(String address) {
    requireNonNull(address, "address");
    Map<String, Account> accounts = new TreeMap<>();
    Set<String> external = new TreeSet<>();
    Optional<Names.Address> parsed = Names.parseAddress(address);
    if (parsed.isEmpty()) {
      return new Expansion(List.of(), List.of());
    }
    Names.Address a = parsed.get();
    if (!domains.contains(a.domain())) {
      return new Expansion(List.of(), List.of(a.address()));
    }
    Optional<Account> direct = findAccount(a.address());
    if (direct.isPresent()) {
      return new Expansion(List.of(direct.get()), List.of());
    }
    Optional<SearchResultEntry> group = group(a);
    if (group.isEmpty()) {
      return new Expansion(List.of(), List.of());
    }
    Set<String> visited = new HashSet<>();
    boolean truncated = false;
    List<SearchResultEntry> level = List.of(group.get());
    for (int depth = 0; !level.isEmpty() && depth < DirectoryLimits.MAX_LIST_DEPTH; depth++) {
      List<SearchResultEntry> next = new ArrayList<>();
      for (SearchResultEntry g : level) {
        String[] dns = g.getAttributeValues(map.memberAttribute());
        if (dns == null) {
          continue;
        }
        for (String dn : dns) {
          if (visited.size() >= DirectoryLimits.MAX_EXPANSION) {
            truncated = true;
            break;
          }
          if (!visited.add(normalized(dn))) {
            continue;
          }
          Optional<SearchResultEntry> m = entry(dn);
          if (m.isEmpty()) {
            continue;
          }
          if (matches(groupFilter, m.get())) {
            next.add(m.get());
          } else if (matches(userFilter, m.get()) && hasLocalAddress(m.get())) {
            Account acc = account(m.get());
            accounts.put(acc.address(), acc);
          } else if (m.get().getAttributeValue(map.addressAttribute()) != null) {
            external.add(
                m.get().getAttributeValue(map.addressAttribute()).toLowerCase(Locale.ROOT));
          }
        }
      }
      level = next;
    }
    truncated |= !level.isEmpty(); // members left below the depth limit
    return new Expansion(List.copyOf(accounts.values()), List.copyOf(external), truncated);
  }

  /**
   * The groups of a user: from its {@code memberOf} values (Active Directory; OpenLDAP with the
   * memberof overlay) or, without them, by searching groups whose {@code member} is the user; then
   * the groups of those groups, each once, up to {@link DirectoryLimits#MAX_LIST_DEPTH} levels.
   * Groups without an address are followed but not listed.
   */
  @Override
  public List<String> groupsOf(String address) {
    requireNonNull(address, "address");
    Optional<SearchResultEntry> user = Names.parseAddress(address).flatMap(this::user);
    if (user.isEmpty()) {
      return List.of();
    }
    Set<String> seen = new HashSet<>();
    Set<String> addresses = new TreeSet<>();
    List<SearchResultEntry> level = List.of(user.get());
    for (int depth = 0; !level.isEmpty() && depth < DirectoryLimits.MAX_LIST_DEPTH; depth++) {
      List<SearchResultEntry> next = new ArrayList<>();
      for (SearchResultEntry member : level) {
        for (SearchResultEntry g : parents(member)) {
          if (seen.size() < DirectoryLimits.MAX_EXPANSION && seen.add(normalized(g.getDN()))) {
            String mail = g.getAttributeValue(map.addressAttribute());
            if (mail != null) {
              addresses.add(mail.toLowerCase(Locale.ROOT));
            }
            next.add(g);
          }
        }
      }
      level = next;
    }
    return List.copyOf(addresses);
  }

  private List<SearchResultEntry> parents(SearchResultEntry member) {
    String[] memberOf = member.getAttributeValues("memberOf");
    if (memberOf != null) {
      List<SearchResultEntry> out = new ArrayList<>();
      for (String dn : memberOf) {
        entry(dn).filter(g -> matches(groupFilter, g)).ifPresent(out::add);
      }
      return out;
    }
    return find(
        Filter.createANDFilter(
            groupFilter, Filter.createEqualityFilter(map.memberAttribute(), member.getDN())),
        DirectoryLimits.MAX_LIST_MEMBERS);
  }

  private static boolean matches(Filter f, SearchResultEntry e) {
    try {
      return f.matchesEntry(e);
    } catch (LDAPException ex) {
      return false;
    }
  }

  private static String normalized(String dn) {
    try {
      return new DN(dn).toNormalizedString();
    } catch (LDAPException e) {
      return dn;
    }
  }

  @Override
  public OptionalLong effectiveQuota(String address) {
    return OptionalLong.empty();
  }

  @Override
  public Optional<ClassOfService> classOfService(String name) {
    return ClassOfService.DEFAULT.equals(name) ? Optional.of(defaultCos()) : Optional.empty();
  }

  @Override
  public List<ClassOfService> classesOfService() {
    return List.of(defaultCos());
  }

  private static ClassOfService defaultCos() {
    return new ClassOfService(ClassOfService.DEFAULT, OptionalLong.empty(), Map.of(), 1);
  }

  /** Empty: the directory keeps its own password hashes, which cannot serve SCRAM. */
  @Override
  public Optional<ScramCredentials> scramCredentials(String username) {
    return Optional.empty();
  }

  // ---- authentication ----

  private static String typed(String username) {
    return username.substring(0, Math.min(username.length(), 320)).toLowerCase(Locale.ROOT);
  }

  /** Failures count per user entry, however its name was spelled (mail, UPN, sAMAccountName). */
  private static String loginKey(String typed, Optional<SearchResultEntry> user) {
    return user.map(u -> u.getDN().toLowerCase(Locale.ROOT)).orElse(typed);
  }

  @Override
  public boolean loginAllowed(String username, InetAddress client) {
    requireNonNull(client, "client");
    String typed = typed(requireNonNull(username, "username"));
    return !guard.blocked(loginKey(typed, loginEntry(typed)), client);
  }

  @Override
  public void loginVerified(String username, InetAddress client, boolean succeeded) {
    requireNonNull(client, "client");
    String typed = typed(requireNonNull(username, "username"));
    String key = loginKey(typed, loginEntry(typed));
    if (succeeded) {
      guard.succeeded(key, client);
    } else {
      guard.failed(key, client);
    }
  }

  /**
   * Finds the user by a login name ({@link AttributeMapping#loginAttributes()}; exactly one entry
   * must match) and binds as it. Brute-force limits and the verified-login cache work as in the
   * embedded directory; the cache is keyed by the entry's DN and last-change time, so a change of
   * the entry (a new password) stops a cached login from matching once the lookup is refreshed.
   */
  @Override
  public Optional<Account> authenticate(String username, String password, InetAddress client) {
    requireNonNull(username, "username");
    requireNonNull(password, "password");
    requireNonNull(client, "client");
    String typed = typed(username);
    Optional<SearchResultEntry> user = loginEntry(typed);
    String key = loginKey(typed, user);
    if (guard.blocked(key, client)) {
      return Optional.empty();
    }
    if (password.isEmpty()
        || password.length() > config.limits().maxPasswordChars()
        || password.indexOf('\u0000') >= 0) {
      guard.failed(key, client);
      return Optional.empty();
    }
    Optional<Account> account = user.filter(this::hasLocalAddress).map(this::account);
    if (account.isEmpty() || !account.get().status().canLogIn()) {
      dummyBind(password); // a bind's time either way: the answer time does not tell who exists
      guard.failed(key, client);
      return Optional.empty();
    }
    String dn = user.get().getDN();
    String version =
        dn
            + "|"
            + user.get().getAttributeValue("modifyTimestamp")
            + "|"
            + user.get().getAttributeValue("whenChanged");
    boolean ok = logins.matches(key, version, password);
    if (!ok) {
      try {
        BindResult r = binds.bindAndRevertAuthentication(dn, password);
        ok = r.getResultCode() == ResultCode.SUCCESS;
      } catch (LDAPException e) {
        if (e.getResultCode() != ResultCode.INVALID_CREDENTIALS) {
          log.warn("bind as {} failed: {}", dn, e.getMessage());
        }
      }
      if (ok) {
        logins.put(key, version, password);
      }
    }
    if (!ok) {
      guard.failed(key, client);
      return Optional.empty();
    }
    guard.succeeded(key, client);
    return account;
  }

  /** The same as {@link #authenticate}: an external directory has no app passwords here. */
  @Override
  public Optional<Account> authenticateAccountPassword(
      String username, String password, InetAddress client) {
    return authenticate(username, password, client);
  }

  @Override
  public List<AppPassword> appPasswords(String address) {
    return List.of();
  }

  @Override
  public String createAppPassword(String address, String name) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void revokeAppPassword(String address, String name) throws DirectoryException {
    throw readOnly();
  }

  private void dummyBind(String password) {
    try {
      binds.bindAndRevertAuthentication("cn=carbonio-no-such-user," + config.baseDn(), password);
    } catch (LDAPException e) {
      // expected: invalid credentials
    }
  }

  private Optional<SearchResultEntry> loginEntry(String login) {
    boolean bare = login.indexOf('@') < 0;
    List<Filter> any = new ArrayList<>();
    for (String attr : map.loginAttributes()) {
      if (bare == map.bareLoginAttributes().contains(attr)) {
        any.add(Filter.createEqualityFilter(attr, login));
      }
    }
    if (!bare) {
      map.aliasAttribute()
          .ifPresent(a -> any.add(Filter.createEqualityFilter(a, map.aliasPrefix() + login)));
    }
    if (any.isEmpty()) {
      return Optional.empty();
    }
    return unique(Filter.createANDFilter(userFilter, Filter.createORFilter(any)));
  }

  /** An external directory holds no DKIM keys. */
  @Override
  public List<DkimKey> dkimKeys(String domain) {
    return List.of();
  }

  @Override
  public Optional<DkimKey> activeDkimKey(String domain) {
    return Optional.empty();
  }

  // ---- changes: managed in the directory itself ----

  private DirectoryException.Unavailable readOnly() {
    return new DirectoryException.Unavailable(
        "read-only: this directory is managed with its own tools (" + config.baseDn() + ")", null);
  }

  @Override
  public Domain createDomain(String name) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void deleteDomain(String name) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public Domain createAliasDomain(String alias, String target) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public Account createAccount(String address, String password) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void setPassword(String address, String password) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void deleteAccount(String address) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void setAdmin(String address, boolean admin) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void setStatus(String address, AccountStatus status) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void setDisplayName(String address, String displayName) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void setQuota(String address, OptionalLong bytes) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void setClassOfService(String address, String cos) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void setMailHost(String address, Optional<String> host) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void addAlias(String address, String alias) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void removeAlias(String alias) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public DistributionList createList(String address, String displayName) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void deleteList(String address) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void addListMember(String list, String member) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void removeListMember(String list, String member) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public ClassOfService createClassOfService(ClassOfService cos) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void updateClassOfService(ClassOfService cos) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void deleteClassOfService(String name) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void grantRole(String address, Role role) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void revokeRole(String address, Role role) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void addDkimKey(String domain, DkimKey key) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void activateDkimKey(String domain, String selector) throws DirectoryException {
    throw readOnly();
  }

  @Override
  public void removeDkimKey(String domain, String selector) throws DirectoryException {
    throw readOnly();
  }

  // ---- lifecycle ----

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("directory is closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    search.close();
    binds.close();
  }
}
