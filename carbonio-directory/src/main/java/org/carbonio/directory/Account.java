package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

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
 * @param status whether the account may log in and receive mail
 * @param displayName the name shown for the account; empty if none was set
 * @param quotaBytes the account's own storage limit, overriding its class of service's; empty if
 *     none
 * @param cos the name of its class of service ({@value ClassOfService#DEFAULT} unless set)
 * @param mailHost the mail node that serves the account (multi-node installations); empty: this one
 * @param aliases other addresses that reach the account, sorted
 * @param roles the delegated admin roles (domain admin, help desk); {@link #admin} is the global
 *     one
 */
public record Account(
    String address,
    String localPart,
    String domain,
    String id,
    boolean admin,
    AccountStatus status,
    String displayName,
    OptionalLong quotaBytes,
    String cos,
    Optional<String> mailHost,
    List<String> aliases,
    Set<Role> roles) {
  public Account {
    requireNonNull(address, "address");
    requireNonNull(localPart, "localPart");
    requireNonNull(domain, "domain");
    requireNonNull(id, "id");
    requireNonNull(status, "status");
    requireNonNull(displayName, "displayName");
    requireNonNull(quotaBytes, "quotaBytes");
    requireNonNull(cos, "cos");
    requireNonNull(mailHost, "mailHost");
    aliases = List.copyOf(aliases);
    roles = Set.copyOf(roles);
  }
}
