package org.carbonio.imap.spi;

import java.util.Optional;

/**
 * Checks credentials for LOGIN and AUTHENTICATE PLAIN. Implementations must be thread-safe; the
 * server calls them from many connection threads.
 */
@FunctionalInterface
public interface ImapAuthenticator {
  /**
   * Returns the canonical user name when the credentials are valid, empty otherwise.
   *
   * @param request the credentials and connection facts; valid only during the call
   */
  Optional<String> authenticate(AuthRequest request);
}
