package org.carbonio.imap.spi;

import static java.util.Objects.requireNonNull;

import org.carbonio.directory.sasl.ScramCredentials;

/**
 * Immutable: what AUTHENTICATE SCRAM-SHA-256 (RFC 7677) needs to know of a user.
 *
 * @param canonicalName the user name handed to {@link MailboxBackend#open} after a successful
 *     exchange, as {@link ImapAuthenticator#authenticate} would return it
 * @param credentials the user's SCRAM-SHA-256 verifier (salt, iteration count, StoredKey,
 *     ServerKey)
 */
public record ScramAccount(String canonicalName, ScramCredentials credentials) {
  public ScramAccount {
    requireNonNull(canonicalName, "canonicalName");
    requireNonNull(credentials, "credentials");
  }
}
