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
 * @param role the special-use role, if any (RFC 6154)
 */
public record FolderInfo(
    String name, long uidValidity, boolean subscribed, Optional<SpecialUse> role) {
  /** Validates the fields. */
  public FolderInfo {
    requireNonNull(name, "name");
    requireNonNull(role, "role");
    if (uidValidity < 1 || uidValidity > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("uidValidity " + uidValidity);
    }
  }
}
