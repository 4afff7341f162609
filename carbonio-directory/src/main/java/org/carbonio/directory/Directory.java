package org.carbonio.directory;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

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

  /** Releases files and sockets. Idempotent. */
  @Override
  void close();
}
