package org.carbonio.smtp.spi;

import java.io.IOException;
import java.util.Optional;

/**
 * Checks the credentials of {@code AUTH PLAIN} and {@code AUTH LOGIN} (RFC 4954). Implementations
 * must be thread-safe: the engine calls them from many connections at once.
 *
 * <p>Outcomes: an identity is {@code 235 2.7.0}; empty is {@code 535 5.7.8} (bad credentials);
 * {@link RejectException} yields its reply (e.g. {@code 454 4.7.0} while a client is locked out
 * after too many failures); {@link IOException} or a runtime exception is {@code 454 4.7.0}
 * (temporary authentication failure, RFC 4954 §6).
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * Verifies one set of credentials.
   *
   * @param session the connection (its remote address is what a rate limit keys on)
   * @param authorizationId the identity to act as, {@code ""} when the client gave none
   * @param authenticationId the login name
   * @param password the password
   * @return the authenticated identity (e.g. the account's canonical address), or empty
   */
  Optional<String> authenticate(
      SessionInfo session, String authorizationId, String authenticationId, String password)
      throws RejectException, IOException;
}
