package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Result of {@link Mailbox#setFlagsIfUnchanged}: STORE with UNCHANGEDSINCE (RFC 7162 §3.1.3).
 *
 * <p>Immutable.
 *
 * @param updated the resulting state of every listed message that passed the test (whether or not
 *     its flags actually changed), ascending UID order
 * @param modified the UIDs refused because their mod-sequence was above the limit, ascending (the
 *     MODIFIED response code)
 */
public record ConditionalFlags(List<MessageInfo> updated, List<Long> modified) {
  /** Validates and copies the fields. */
  public ConditionalFlags {
    updated = List.copyOf(requireNonNull(updated, "updated"));
    modified = List.copyOf(requireNonNull(modified, "modified"));
  }
}
