package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One folder as listed by {@link Mailbox#folders()}.
 *
 * <p>Immutable.
 *
 * @param name full "/"-delimited name; the inbox is always spelled {@code INBOX}
 * @param uidValidity UIDVALIDITY (RFC 9051 §2.3.1.1), 1..2^32-1
 * @param subscribed whether the folder is subscribed (RFC 9051 §6.3.7)
 * @param role the special-use role, if any (RFC 6154); only {@link FolderKind#MAIL} folders have
 *     one
 * @param kind what the folder holds, fixed at creation
 */
public record FolderInfo(
    String name, long uidValidity, boolean subscribed, Optional<SpecialUse> role, FolderKind kind) {
  /** Validates the fields. */
  public FolderInfo {
    requireNonNull(name, "name");
    requireNonNull(role, "role");
    requireNonNull(kind, "kind");
    if (uidValidity < 1 || uidValidity > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("uidValidity " + uidValidity);
    }
  }

  /** A {@link FolderKind#MAIL} folder. */
  public FolderInfo(String name, long uidValidity, boolean subscribed, Optional<SpecialUse> role) {
    this(name, uidValidity, subscribed, role, FolderKind.MAIL);
  }
}
