package org.carbonio.directory;

import java.util.List;

/**
 * Where mail for an address goes: the local accounts it reaches (through aliases, alias domains and
 * nested distribution lists) and the addresses outside the directory that lists name.
 *
 * <p>Immutable.
 *
 * @param accounts the accounts, each once, sorted by address
 * @param external the outside addresses, each once, sorted
 * @param truncated whether the expansion stopped at {@link DirectoryLimits#MAX_LIST_DEPTH} or
 *     {@link DirectoryLimits#MAX_EXPANSION} with members left: the lists above are then incomplete,
 *     and a receiving MTA should refuse rather than deliver to part of them (RFC 3463 X.2.4)
 */
public record Expansion(List<Account> accounts, List<String> external, boolean truncated) {
  public Expansion {
    accounts = List.copyOf(accounts);
    external = List.copyOf(external);
  }

  /** A complete expansion. */
  public Expansion(List<Account> accounts, List<String> external) {
    this(accounts, external, false);
  }

  /** Whether the address reaches nothing (unknown, or an empty list). */
  public boolean isEmpty() {
    return accounts.isEmpty() && external.isEmpty();
  }
}
