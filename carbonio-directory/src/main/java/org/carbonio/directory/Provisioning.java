package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.carbonio.directory.internal.Names;

/**
 * The provisioning calls of a {@link Directory}, each checked against the caller's rights before it
 * runs. Admin interfaces (the REST API, {@code ./carbonio prov}) act through this class; code that
 * embeds the directory and is trusted calls the {@link Directory} directly.
 *
 * <p>Rights:
 *
 * <ul>
 *   <li>{@link Caller#system()} and accounts with the global admin role may do everything.
 *   <li>A {@link Role.Kind#DOMAIN_ADMIN} of a domain manages that domain's accounts (create,
 *       delete, password, status, display name, quota, class of service), aliases (the alias and
 *       the account must both be in its domains) and lists, and reads them and the classes of
 *       service.
 *   <li>A {@link Role.Kind#HELP_DESK} of a domain reads its accounts and lists, sets passwords, and
 *       sets statuses {@code ACTIVE} and {@code LOCKED} only.
 *   <li>A {@link Role.Kind#DOMAIN_ADMIN} of a domain also reads and manages its DKIM keys (and
 *       those of its alias domains); a help desk does not.
 *   <li>Only global admins create or delete domains and alias domains, manage classes of service,
 *       set mail hosts, and grant or revoke roles.
 *   <li>An account that itself holds admin roles can be changed only by a caller who manages every
 *       domain it administers (only by a global admin if it is one), and an alias that leads into
 *       another domain needs the rights there too: no delegated admin can take over a more powerful
 *       account. A help desk reopens no closed account.
 * </ul>
 *
 * The caller's roles are read again at every call, so a revocation takes effect at once. A refusal
 * throws {@link DirectoryException.Forbidden} and changes nothing; it does not tell whether the
 * target exists.
 *
 * <p>Thread-safe.
 */
public final class Provisioning {
  private final Directory directory;
  private final Caller caller;

  /**
   * Who is asking: the local system (full rights) or an account, whose roles are looked up in the
   * directory at each call.
   *
   * <p>Immutable.
   */
  public sealed interface Caller {
    /** The machine's own operator (a local CLI run, the embedding code): all rights. */
    static Caller system() {
      return SystemCaller.INSTANCE;
    }

    /** An authenticated account. */
    static Caller account(String address) {
      return new AccountCaller(requireNonNull(address, "address"));
    }
  }

  private enum SystemCaller implements Caller {
    INSTANCE
  }

  private record AccountCaller(String address) implements Caller {}

  public Provisioning(Directory directory, Caller caller) {
    this.directory = requireNonNull(directory, "directory");
    this.caller = requireNonNull(caller, "caller");
  }

  // ---- what the caller may do ----

  private enum Need {
    GLOBAL,
    MANAGE, // domain admin of the domain
    HELP // domain admin or help desk of the domain
  }

  /** Whether the caller may act on {@code domain} (empty: a global-only operation). */
  private boolean allowed(Need need, Optional<String> domain) {
    if (caller instanceof AccountCaller(String address)) {
      Optional<Account> me = directory.findAccount(address);
      if (me.isEmpty() || !me.get().status().canLogIn()) {
        return false;
      }
      if (me.get().admin()) {
        return true;
      }
      if (need == Need.GLOBAL || domain.isEmpty()) {
        return false;
      }
      for (Role r : me.get().roles()) {
        if (r.domain().equals(domain.get())
            && (r.kind() == Role.Kind.DOMAIN_ADMIN || need == Need.HELP)) {
          return true;
        }
      }
      return false;
    }
    return true; // system
  }

  private void check(Need need, Optional<String> domain, String what)
      throws DirectoryException.Forbidden {
    if (!allowed(need, domain)) {
      throw new DirectoryException.Forbidden("not allowed: " + what);
    }
  }

  private void global(String what) throws DirectoryException.Forbidden {
    check(Need.GLOBAL, Optional.empty(), what);
  }

  /** The domain of an address after alias domains (empty if invalid: then only globals pass). */
  private Optional<String> domainOf(String address) {
    try {
      return domainName(Names.address(address).domain());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A domain name after alias domains (empty if invalid: then only globals pass). */
  private Optional<String> domainName(String domain) {
    try {
      String d = Names.domain(domain);
      return Optional.of(directory.findDomain(d).flatMap(Domain::aliasOf).orElse(d));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private void manage(String address, String what) throws DirectoryException.Forbidden {
    check(Need.MANAGE, domainOf(address), what + " " + address);
  }

  /**
   * Checks an operation on an existing account: the rights on the address's domain, and on the
   * account it reaches (an alias may lead into another domain); an account with admin roles of its
   * own can only be handled by someone who manages every domain it administers (a global admin for
   * a global admin), so no delegated admin can take over a more powerful account.
   */
  private void onAccount(Need need, String address, String what)
      throws DirectoryException.Forbidden {
    check(need, domainOf(address), what + " " + address);
    if (!(caller instanceof AccountCaller)) {
      return;
    }
    Optional<Account> target = directory.findAccount(address);
    if (target.isEmpty()) {
      return;
    }
    Account t = target.get();
    check(need, Optional.of(t.domain()), what + " " + address);
    if (t.admin()) {
      global(what + " a global admin");
    }
    for (Role r : t.roles()) {
      check(Need.MANAGE, Optional.of(r.domain()), what + " an admin of " + r.domain());
    }
    if (!t.roles().isEmpty()) {
      check(Need.MANAGE, Optional.of(t.domain()), what + " an admin");
    }
  }

  // ---- domains ----

  public Domain createDomain(String name) throws DirectoryException {
    global("create domains");
    return directory.createDomain(name);
  }

  public Domain createAliasDomain(String alias, String target) throws DirectoryException {
    global("create alias domains");
    return directory.createAliasDomain(alias, target);
  }

  public void deleteDomain(String name) throws DirectoryException {
    global("delete domains");
    directory.deleteDomain(name);
  }

  /** The domains the caller may see: all for global admins, else those of its roles. */
  public List<Domain> domains() {
    return directory.domains().stream()
        .filter(d -> allowed(Need.HELP, Optional.of(d.aliasOf().orElse(d.name()))))
        .toList();
  }

  // ---- accounts ----

  public Account createAccount(String address, String password) throws DirectoryException {
    manage(address, "create account");
    return directory.createAccount(address, password);
  }

  public void deleteAccount(String address) throws DirectoryException {
    onAccount(Need.MANAGE, address, "delete account");
    directory.deleteAccount(address);
  }

  public void setPassword(String address, String password) throws DirectoryException {
    onAccount(Need.HELP, address, "set the password of");
    directory.setPassword(address, password);
  }

  public void setStatus(String address, AccountStatus status) throws DirectoryException {
    requireNonNull(status, "status");
    // A help desk locks and unlocks; closing, maintenance and reopening are the domain admin's.
    AccountStatus now =
        directory.findAccount(address).map(Account::status).orElse(AccountStatus.ACTIVE);
    boolean lockOrUnlock =
        (status == AccountStatus.ACTIVE || status == AccountStatus.LOCKED)
            && (now == AccountStatus.ACTIVE || now == AccountStatus.LOCKED);
    onAccount(
        lockOrUnlock ? Need.HELP : Need.MANAGE,
        address,
        "set status " + status.name().toLowerCase(Locale.ROOT) + " of");
    directory.setStatus(address, status);
  }

  public void setDisplayName(String address, String displayName) throws DirectoryException {
    onAccount(Need.MANAGE, address, "rename");
    directory.setDisplayName(address, displayName);
  }

  public void setQuota(String address, OptionalLong bytes) throws DirectoryException {
    onAccount(Need.MANAGE, address, "set the quota of");
    directory.setQuota(address, bytes);
  }

  public void setClassOfService(String address, String cos) throws DirectoryException {
    onAccount(Need.MANAGE, address, "set the class of service of");
    directory.setClassOfService(address, cos);
  }

  public void setMailHost(String address, Optional<String> host) throws DirectoryException {
    global("set mail hosts");
    directory.setMailHost(address, host);
  }

  public void setAdmin(String address, boolean admin) throws DirectoryException {
    global("grant or revoke the global admin role");
    directory.setAdmin(address, admin);
  }

  public Optional<Account> findAccount(String address) throws DirectoryException {
    onAccount(Need.HELP, address, "read account");
    return directory.findAccount(address);
  }

  /** The accounts of a domain (all domains for a global admin when empty). */
  public List<Account> accounts(Optional<String> domain) throws DirectoryException {
    requireNonNull(domain, "domain");
    if (domain.isEmpty()) {
      global("list the accounts of every domain");
    } else {
      check(Need.HELP, domainName(domain.get()), "list the accounts of " + domain.get());
    }
    return directory.accounts(domain);
  }

  // ---- aliases ----

  public void addAlias(String address, String alias) throws DirectoryException {
    onAccount(Need.MANAGE, address, "add an alias to");
    manage(alias, "use the address");
    directory.addAlias(address, alias);
  }

  public void removeAlias(String alias) throws DirectoryException {
    onAccount(Need.MANAGE, alias, "remove the alias"); // and its owner's rights
    directory.removeAlias(alias);
  }

  // ---- lists ----

  public DistributionList createList(String address, String displayName) throws DirectoryException {
    manage(address, "create list");
    return directory.createList(address, displayName);
  }

  public void deleteList(String address) throws DirectoryException {
    manage(address, "delete list");
    directory.deleteList(address);
  }

  public void addListMember(String list, String member) throws DirectoryException {
    manage(list, "change list");
    directory.addListMember(list, member);
  }

  public void removeListMember(String list, String member) throws DirectoryException {
    manage(list, "change list");
    directory.removeListMember(list, member);
  }

  public Optional<DistributionList> findList(String address) throws DirectoryException {
    check(Need.HELP, domainOf(address), "read list " + address);
    return directory.findList(address);
  }

  public List<DistributionList> lists(String domain) throws DirectoryException {
    check(Need.HELP, domainName(domain), "list the lists of " + domain);
    return directory.lists(domain);
  }

  // ---- classes of service ----

  public ClassOfService createClassOfService(ClassOfService cos) throws DirectoryException {
    global("create classes of service");
    return directory.createClassOfService(cos);
  }

  public void updateClassOfService(ClassOfService cos) throws DirectoryException {
    global("change classes of service");
    directory.updateClassOfService(cos);
  }

  public void deleteClassOfService(String name) throws DirectoryException {
    global("delete classes of service");
    directory.deleteClassOfService(name);
  }

  /** Classes of service: readable by every admin (domain admins assign them). */
  public List<ClassOfService> classesOfService() throws DirectoryException {
    if (caller instanceof AccountCaller(String address)
        && directory
            .findAccount(address)
            .filter(a -> a.status().canLogIn() && (a.admin() || !a.roles().isEmpty()))
            .isEmpty()) {
      throw new DirectoryException.Forbidden("not allowed: read classes of service");
    }
    return directory.classesOfService();
  }

  // ---- DKIM keys: global admins and the domain's admins ----

  /** The domain's DKIM keys, private keys included. */
  public List<DkimKey> dkimKeys(String domain) throws DirectoryException {
    check(Need.MANAGE, domainName(domain), "read the DKIM keys of " + domain);
    return directory.dkimKeys(domain);
  }

  public void addDkimKey(String domain, DkimKey key) throws DirectoryException {
    check(Need.MANAGE, domainName(domain), "add a DKIM key to " + domain);
    directory.addDkimKey(domain, key);
  }

  public void activateDkimKey(String domain, String selector) throws DirectoryException {
    check(Need.MANAGE, domainName(domain), "activate a DKIM key of " + domain);
    directory.activateDkimKey(domain, selector);
  }

  public void removeDkimKey(String domain, String selector) throws DirectoryException {
    check(Need.MANAGE, domainName(domain), "remove a DKIM key of " + domain);
    directory.removeDkimKey(domain, selector);
  }

  // ---- roles ----

  public void grantRole(String address, Role role) throws DirectoryException {
    global("grant roles");
    directory.grantRole(address, role);
  }

  public void revokeRole(String address, Role role) throws DirectoryException {
    global("revoke roles");
    directory.revokeRole(address, role);
  }
}
