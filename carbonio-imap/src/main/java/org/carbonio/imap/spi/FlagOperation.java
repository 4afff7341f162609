package org.carbonio.imap.spi;

/** How {@link UserMailboxes#setFlags} combines the given flags with the current ones. */
public enum FlagOperation {
  REPLACE,
  ADD,
  REMOVE
}
