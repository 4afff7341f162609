package org.carbonio.directory.sasl;

import java.util.Optional;

/**
 * Finds the SCRAM credentials of a user for {@link ScramSha256Mechanism}. Implemented by the
 * directory. Called once per exchange, on the connection's thread, with the username the client
 * sent (after {@code =2C}/{@code =3D} unescaping and SASLprep); may block. Returns empty for
 * unknown users, users that may not log in, and users without SCRAM credentials: the mechanism then
 * goes on with fake credentials so that the client cannot tell these cases from a wrong password.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ScramCredentialLookup {
  Optional<ScramCredentials> find(String username);
}
