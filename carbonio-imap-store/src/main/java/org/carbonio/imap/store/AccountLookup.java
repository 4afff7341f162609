package org.carbonio.imap.store;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.carbonio.directory.Account;
import org.carbonio.directory.Directory;

/**
 * What the IMAP backend needs of the directory for sharing: account ids (the store's keys) and the
 * addresses users see in the shared namespace and in ACLs.
 *
 * <p>Implementations must be thread-safe; {@link #IDENTITY} and {@link #of(Directory)} are.
 */
public interface AccountLookup {

  /** The address of an account, empty if it does not exist. */
  Optional<String> address(String accountId);

  /** The account id of an address, empty if no account has it. */
  Optional<String> accountId(String address);

  /** The groups (lists) an account belongs to, for grants to groups. */
  Set<String> groups(String accountId);

  /** The account's domain, for grants to a domain; empty if unknown. */
  String domain(String accountId);

  /** Account ids are the addresses (no directory): for tests and embedders without one. */
  AccountLookup IDENTITY =
      new AccountLookup() {
        @Override
        public Optional<String> address(String accountId) {
          return Optional.of(accountId);
        }

        @Override
        public Optional<String> accountId(String address) {
          return Optional.of(address);
        }

        @Override
        public Set<String> groups(String accountId) {
          return Set.of();
        }

        @Override
        public String domain(String accountId) {
          int at = accountId.lastIndexOf('@');
          return at < 0 ? "" : accountId.substring(at + 1).toLowerCase(Locale.ROOT);
        }
      };

  /** Looks accounts up in {@code directory}, on every call (no cache). */
  static AccountLookup of(Directory directory) {
    requireNonNull(directory, "directory");
    return new AccountLookup() {
      @Override
      public Optional<String> address(String accountId) {
        return directory.findAccountById(accountId).map(Account::address);
      }

      @Override
      public Optional<String> accountId(String address) {
        return directory.findAccount(address).map(Account::id);
      }

      @Override
      public Set<String> groups(String accountId) {
        return directory
            .findAccountById(accountId)
            .map(a -> (Set<String>) new TreeSet<>(directory.groupsOf(a.address())))
            .orElse(Set.of());
      }

      @Override
      public String domain(String accountId) {
        return directory.findAccountById(accountId).map(Account::domain).orElse("");
      }
    };
  }
}
