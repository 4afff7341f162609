package org.carbonio.imap.spi;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Immutable: one mailbox as listed.
 *
 * @param name Unicode name with {@code "/"} delimiter
 * @param attributes LIST attributes such as {@code "\\Noselect"} or {@code "\\Sent"}
 * @param subscribed whether the user subscribed to it
 */
public record MailboxInfo(String name, Set<String> attributes, boolean subscribed) {
  public MailboxInfo {
    requireNonNull(name, "name");
    attributes = Set.copyOf(attributes);
  }
}
