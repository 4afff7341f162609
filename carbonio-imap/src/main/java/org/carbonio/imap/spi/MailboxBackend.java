package org.carbonio.imap.spi;

/** Opens a user's mailboxes after authentication. Implementations must be thread-safe. */
@FunctionalInterface
public interface MailboxBackend {
  /**
   * Opens the mailboxes of an authenticated user. The returned view is used by one connection and
   * closed when that connection logs out or drops.
   *
   * @param user the canonical user name returned by the {@link ImapAuthenticator}
   */
  UserMailboxes open(String user) throws BackendException;
}
