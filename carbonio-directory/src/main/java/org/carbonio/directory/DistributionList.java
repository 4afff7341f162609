package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A distribution list: an address whose mail goes to its members, which are addresses of accounts,
 * of other lists (nested), or outside the directory's domains.
 *
 * <p>Immutable.
 *
 * @param address the list's normalised address
 * @param id stable identifier (a UUID)
 * @param displayName the name shown for the list; empty if none
 * @param members member addresses, sorted
 */
public record DistributionList(
    String address, String id, String displayName, List<String> members) {
  public DistributionList {
    requireNonNull(address, "address");
    requireNonNull(id, "id");
    requireNonNull(displayName, "displayName");
    members = List.copyOf(members);
  }
}
