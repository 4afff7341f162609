package org.carbonio.store;

/**
 * How {@link Mailbox#setFlags} combines the given flags with the current ones (RFC 9051 §6.4.6).
 */
public enum FlagOperation {
  /** FLAGS: the message ends up with exactly the given flags. */
  REPLACE,
  /** +FLAGS: the given flags are added. */
  ADD,
  /** -FLAGS: the given flags are removed. */
  REMOVE
}
