package org.carbonio.imap.spi;

import java.util.List;

/**
 * Immutable: the namespace prefixes a user sees (RFC 2342); the hierarchy delimiter is always
 * {@code "/"}. A prefix of another namespace ends with {@code "/"}.
 *
 * @param personal the user's own mailboxes, usually {@code [""]}
 * @param otherUsers other users' mailboxes (e.g. {@code "Other Users/"}), often empty
 * @param shared mailboxes shared with the user (e.g. {@code "Shared/"}), often empty
 */
public record Namespaces(List<String> personal, List<String> otherUsers, List<String> shared) {
  /** Only the personal namespace {@code ""}. */
  public static final Namespaces PERSONAL_ONLY = new Namespaces(List.of(""), List.of(), List.of());

  public Namespaces {
    personal = List.copyOf(personal);
    otherUsers = List.copyOf(otherUsers);
    shared = List.copyOf(shared);
  }
}
