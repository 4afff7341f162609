package org.carbonio.directory;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Domains and accounts of a mail system, and password authentication.
 *
 * <p>Names are normalised before use: a domain is converted to ASCII with {@link java.net.IDN} and
 * lower-cased; an address is {@code local-part@domain} with the local part lower-cased too. Lookups
 * are therefore case-insensitive on both parts ({@code Alice@Example.COM} and {@code
 * alice@example.com} are the same account), which departs from RFC 5321 §2.4 (local parts may be
 * case-sensitive) in the way nearly every mail system does.
 *
 * <p>Methods that change state return only after the change is durable.
 *
 * <p>Thread-safe.
 */
public interface Directory extends AutoCloseable {

  /**
   * Creates a domain.
   *
   * @param name a domain name, in Unicode or ASCII; stored as lower-case ASCII (IDNA)
   * @return the created domain, with its normalised name
   * @throws DirectoryException.Invalid if {@code name} is not a valid domain name (RFC 1035 §2.3.1
   *     labels, RFC 1123 §2.1)
   * @throws DirectoryException.Conflict if the domain exists
   * @throws DirectoryException.Unavailable if the change could not be made durable
   */
  Domain createDomain(String name) throws DirectoryException;

  /** Returns all domains, sorted by name. */
  List<Domain> domains();

  /** Returns whether {@code name} is a domain of this directory; false for an invalid name. */
  boolean isLocalDomain(String name);

  /**
   * Deletes a domain that has no accounts.
   *
   * @throws DirectoryException.NotFound if the domain does not exist
   * @throws DirectoryException.Conflict if the domain still has accounts
   * @throws DirectoryException.Invalid if {@code name} is not a valid domain name
   * @throws DirectoryException.Unavailable if the change could not be made durable
   */
  void deleteDomain(String name) throws DirectoryException;

  /**
   * Creates an active, non-admin account.
   *
   * @param address {@code local-part@domain}; the local part is an RFC 5321 §4.1.2 Dot-string of at
   *     most 64 octets (RFC 5321 §4.5.3.1.1)
   * @param password the initial password; only its hash is stored
   * @throws DirectoryException.Invalid if the address or the password is not acceptable
   * @throws DirectoryException.UnknownDomain if the address's domain is not local
   * @throws DirectoryException.Conflict if the account exists
   * @throws DirectoryException.Unavailable if the change could not be made durable
   */
  Account createAccount(String address, String password) throws DirectoryException;

  /**
   * Replaces an account's password, and forgets any cached login for it.
   *
   * @throws DirectoryException.NotFound if the account does not exist
   * @throws DirectoryException.Invalid if the address or the password is not acceptable
   * @throws DirectoryException.Unavailable if the change could not be made durable
   */
  void setPassword(String address, String password) throws DirectoryException;

  /**
   * Deletes an account.
   *
   * @throws DirectoryException.NotFound if the account does not exist
   * @throws DirectoryException.Invalid if the address is not valid
   * @throws DirectoryException.Unavailable if the change could not be made durable
   */
  void deleteAccount(String address) throws DirectoryException;

  /** Finds an account, case-insensitively; empty if none or if the address is invalid. */
  Optional<Account> findAccount(String address);

  /** Finds an account by its {@link Account#id()}; empty if none. */
  Optional<Account> findAccountById(String id);

  /**
   * Returns accounts sorted by address: all of them, or those of one domain (empty if that domain
   * does not exist).
   */
  List<Account> accounts(Optional<String> domain);

  /**
   * Checks a password.
   *
   * <p>Returns empty when the account does not exist, is not {@link AccountStatus#ACTIVE}, the
   * password is wrong, or too many recent failures came from this account or client (then even the
   * right password is refused until the window passes). Never throws for bad credentials.
   *
   * @param username the full address
   * @param password the password to check
   * @param client the client's address, for rate limiting
   */
  Optional<Account> authenticate(String username, String password, InetAddress client);

  /**
   * Like {@link #authenticate}, but only the account's own password counts, not its {@link
   * AppPassword app passwords}: for admin interfaces and password changes.
   */
  Optional<Account> authenticateAccountPassword(
      String username, String password, InetAddress client);

  /**
   * Creates an app-specific password and returns its secret, which is not stored in clear and
   * cannot be read again: 16 random letters (about 75 bits) shown in four groups, {@code
   * abcd-efgh-ijkl-mnop}; logins accept it with or without the dashes.
   *
   * @throws DirectoryException.Invalid if the name is not 1 to 64 letters, digits, spaces, {@code .
   *     _ -}
   * @throws DirectoryException.Conflict if the account has one of that name, or {@value
   *     AppPassword#MAX_PER_ACCOUNT} already
   */
  String createAppPassword(String address, String name) throws DirectoryException;

  /** The account's app passwords, by name; empty if the account does not exist. */
  List<AppPassword> appPasswords(String address);

  /** Revokes an app password; NotFound if the account has none of that name. */
  void revokeAppPassword(String address, String name) throws DirectoryException;

  /**
   * The SCRAM-SHA-256 verifier of an active account (by address, alias or alias-domain address),
   * for a SASL SCRAM-SHA-256 exchange ({@link org.carbonio.directory.sasl.ScramSha256Mechanism});
   * empty if the account does not exist, cannot log in, or has none yet (an imported hash gets one
   * at its next password login).
   */
  Optional<org.carbonio.directory.sasl.ScramCredentials> scramCredentials(String username);

  /**
   * The brute-force limits of {@link #authenticate}, for a login that the caller verifies itself
   * (SASL SCRAM-SHA-256: the protocol engine checks the client's proof against {@link
   * #scramCredentials}). False while this account or this client is refused; the caller must then
   * fail the login without checking it. Failures count per account however its name was spelled.
   */
  boolean loginAllowed(String username, InetAddress client);

  /**
   * Counts the outcome of a login that the caller verified itself, as {@link #authenticate} does.
   */
  void loginVerified(String username, InetAddress client, boolean succeeded);

  /**
   * Grants or revokes the global admin role.
   *
   * @throws DirectoryException.NotFound if the account does not exist
   * @throws DirectoryException.Invalid if the address is not valid
   * @throws DirectoryException.Unavailable if the change could not be made durable
   */
  void setAdmin(String address, boolean admin) throws DirectoryException;

  /**
   * Sets an account's status; only {@link AccountStatus#ACTIVE} accounts can authenticate.
   *
   * @throws DirectoryException.NotFound if the account does not exist
   * @throws DirectoryException.Invalid if the address is not valid
   * @throws DirectoryException.Unavailable if the change could not be made durable
   */
  void setStatus(String address, AccountStatus status) throws DirectoryException;

  // ---- alias domains ----

  /**
   * Creates an alias domain: every address in {@code alias} reaches the same local part in {@code
   * target} (mail, lookups and logins).
   *
   * @throws DirectoryException.Invalid if a name is not a valid domain name
   * @throws DirectoryException.UnknownDomain if {@code target} is not a local, non-alias domain
   * @throws DirectoryException.Conflict if {@code alias} exists
   */
  Domain createAliasDomain(String alias, String target) throws DirectoryException;

  /** A domain by name, local or alias; empty if none or invalid. */
  Optional<Domain> findDomain(String name);

  // ---- account attributes ----

  /** Sets the display name (empty clears it; at most 256 characters). */
  void setDisplayName(String address, String displayName) throws DirectoryException;

  /** Sets the account's own storage limit in octets, or clears it (the class's applies). */
  void setQuota(String address, OptionalLong bytes) throws DirectoryException;

  /**
   * Assigns a class of service.
   *
   * @throws DirectoryException.NotFound if the account or the class does not exist
   */
  void setClassOfService(String address, String cos) throws DirectoryException;

  /** Sets or clears the mail node that serves the account (a host name). */
  void setMailHost(String address, Optional<String> host) throws DirectoryException;

  /** The storage limit that applies: the account's own, else its class's; empty: unlimited. */
  OptionalLong effectiveQuota(String address);

  // ---- aliases ----

  /**
   * Adds an address that reaches the account.
   *
   * @throws DirectoryException.NotFound if the account does not exist
   * @throws DirectoryException.UnknownDomain if the alias's domain is not a local, non-alias domain
   * @throws DirectoryException.Conflict if the address is taken (account, alias or list)
   */
  void addAlias(String address, String alias) throws DirectoryException;

  /**
   * Removes an alias from the account that has it.
   *
   * @throws DirectoryException.NotFound if no account has it
   */
  void removeAlias(String alias) throws DirectoryException;

  // ---- distribution lists ----

  /**
   * Creates an empty distribution list.
   *
   * @throws DirectoryException.UnknownDomain if the domain is not a local, non-alias domain
   * @throws DirectoryException.Conflict if the address is taken (account, alias or list)
   */
  DistributionList createList(String address, String displayName) throws DirectoryException;

  /** Deletes a list; lists that name it as a member keep the address (it reaches nothing). */
  void deleteList(String address) throws DirectoryException;

  /**
   * Adds a member: an account, another list (nesting), or an address outside the directory.
   *
   * @throws DirectoryException.NotFound if the list does not exist
   * @throws DirectoryException.Invalid if the member is not a valid address, or is the list itself
   */
  void addListMember(String list, String member) throws DirectoryException;

  /** Removes a member; NotFound if the list does not exist or does not have it. */
  void removeListMember(String list, String member) throws DirectoryException;

  /** A list by address (alias domains resolved); empty if none or invalid. */
  Optional<DistributionList> findList(String address);

  /** The lists of a domain, sorted by address. */
  List<DistributionList> lists(String domain);

  /**
   * Where mail for an address goes: accounts reached through alias domains, aliases and lists
   * (nested up to {@link DirectoryLimits#MAX_LIST_DEPTH} levels, each list once, so cycles end),
   * and the outside addresses lists name. An address outside the directory's domains expands to
   * itself as external; an unknown local address, to nothing.
   */
  Expansion expand(String address);

  /**
   * The lists (groups) an account belongs to, directly or through nested lists, by address, sorted;
   * for grants to groups (the store's {@code sharedWith}). Empty if the account does not exist.
   * Bounded like {@link #expand}.
   */
  List<String> groupsOf(String address);

  // ---- classes of service ----

  /** Creates a class of service; Conflict if the name exists, Invalid for a bad name. */
  ClassOfService createClassOfService(ClassOfService cos) throws DirectoryException;

  /** Replaces a class's settings; NotFound if it does not exist. */
  void updateClassOfService(ClassOfService cos) throws DirectoryException;

  /**
   * Deletes a class of service.
   *
   * @throws DirectoryException.Conflict for {@value ClassOfService#DEFAULT} or a class in use
   */
  void deleteClassOfService(String name) throws DirectoryException;

  /** A class of service by name. */
  Optional<ClassOfService> classOfService(String name);

  /** All classes of service, sorted by name. */
  List<ClassOfService> classesOfService();

  // ---- DKIM keys ----

  /**
   * The DKIM keys of a domain (local or alias), oldest first; empty if the domain does not exist or
   * has none. Each key holds its private key: hand them only to trusted code (the signer).
   */
  List<DkimKey> dkimKeys(String domain);

  /** The domain's {@link DkimKey.State#ACTIVE} key, the one that signs; empty if none. */
  Optional<DkimKey> activeDkimKey(String domain);

  /**
   * Stores a DKIM key for a domain, as given (generating keys is the caller's business).
   *
   * @throws DirectoryException.Invalid if {@code domain} is not a valid domain name
   * @throws DirectoryException.NotFound if the domain does not exist
   * @throws DirectoryException.Conflict if the domain has a key with that selector, already has
   *     {@value DkimKey#MAX_PER_DOMAIN} keys, or the key is active and another one is (use {@link
   *     #activateDkimKey})
   */
  void addDkimKey(String domain, DkimKey key) throws DirectoryException;

  /**
   * Makes a key the domain's active one; the key active before, if any, becomes {@link
   * DkimKey.State#RETIRED}. Doing nothing if it is active already.
   *
   * @throws DirectoryException.NotFound if the domain or the selector does not exist
   */
  void activateDkimKey(String domain, String selector) throws DirectoryException;

  /**
   * Deletes a key, even the active one (the domain then signs nothing).
   *
   * @throws DirectoryException.NotFound if the domain or the selector does not exist
   */
  void removeDkimKey(String domain, String selector) throws DirectoryException;

  // ---- delegated admin roles ----

  /**
   * Grants a delegated admin role (domain admin or help desk for one local domain).
   *
   * @throws DirectoryException.NotFound if the account does not exist
   * @throws DirectoryException.UnknownDomain if the role's domain is not local
   */
  void grantRole(String address, Role role) throws DirectoryException;

  /** Revokes a role; doing nothing if the account does not have it. */
  void revokeRole(String address, Role role) throws DirectoryException;

  /** Releases files and sockets. Idempotent. */
  @Override
  void close();
}
