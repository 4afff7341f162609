package org.carbonio.store;

import static java.util.Objects.requireNonNull;

/**
 * Where a message is: its folder and UID. Returned by {@link Mailbox#conversation(long)}.
 *
 * <p>Immutable.
 *
 * @param folder the folder's full name
 * @param uid the message's UID in that folder
 */
public record MessageRef(String folder, long uid) {
  /** Validates the fields. */
  public MessageRef {
    requireNonNull(folder, "folder");
    if (uid < 1) {
      throw new IllegalArgumentException("uid " + uid);
    }
  }
}
