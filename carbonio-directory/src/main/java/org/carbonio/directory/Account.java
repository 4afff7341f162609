package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

/**
 * An account, as read from the directory.
 *
 * <p>Immutable.
 *
 * @param address normalised address, {@code localPart@domain}, lower-case
 * @param localPart the part before {@code @}, lower-case
 * @param domain the normalised domain name
 * @param id stable identifier (a UUID), unchanged for the account's lifetime
 * @param admin whether the account has the global admin role
 * @param status whether the account may log in
 */
public record Account(
    String address,
    String localPart,
    String domain,
    String id,
    boolean admin,
    AccountStatus status) {
  public Account {
    requireNonNull(address, "address");
    requireNonNull(localPart, "localPart");
    requireNonNull(domain, "domain");
    requireNonNull(id, "id");
    requireNonNull(status, "status");
  }
}
