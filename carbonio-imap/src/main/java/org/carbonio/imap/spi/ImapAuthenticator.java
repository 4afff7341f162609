package org.carbonio.imap.spi;

import java.util.Optional;

/**
 * Checks credentials for LOGIN and AUTHENTICATE PLAIN and LOGIN, and finds SCRAM verifiers for
 * AUTHENTICATE SCRAM-SHA-256. Implementations must be thread-safe; the server calls them from many
 * connection threads.
 */
@FunctionalInterface
public interface ImapAuthenticator {
  /**
   * Returns the canonical user name when the credentials are valid, empty otherwise.
   *
   * @param request the credentials and connection facts; valid only during the call
   */
  Optional<String> authenticate(AuthRequest request);

  /**
   * SCRAM-SHA-256 support (RFC 7677): when present, the server offers {@code AUTH=SCRAM-SHA-256}.
   * Called once per connection. The default is empty: only PLAIN and LOGIN are offered.
   */
  default Optional<ScramSupport> scram() {
    return Optional.empty();
  }
}
