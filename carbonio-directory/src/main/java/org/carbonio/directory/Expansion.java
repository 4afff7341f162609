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
 */
public record Expansion(List<Account> accounts, List<String> external) {
  public Expansion {
    accounts = List.copyOf(accounts);
    external = List.copyOf(external);
  }

  /** Whether the address reaches nothing (unknown, or an empty list). */
  public boolean isEmpty() {
    return accounts.isEmpty() && external.isEmpty();
  }
}
