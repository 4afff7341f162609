package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * A folder of another account that an account may use, as {@link MailStore#sharedWith} finds it.
 *
 * <p>Immutable.
 *
 * @param owner the account that owns the folder
 * @param folder the folder's full name in the owner's mailbox
 * @param rights the effective rights: the union of every grant that matches the account
 */
public record SharedFolder(String owner, String folder, Set<Right> rights) {
  /** Validates and copies. */
  public SharedFolder {
    requireNonNull(owner, "owner");
    requireNonNull(folder, "folder");
    rights = Set.copyOf(requireNonNull(rights, "rights"));
  }
}
