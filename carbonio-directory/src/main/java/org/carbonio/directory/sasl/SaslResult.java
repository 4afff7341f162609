package org.carbonio.directory.sasl;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What a {@link SaslMechanism} asks the transport to do after a client response.
 *
 * <p>Immutable.
 */
public sealed interface SaslResult {

  /**
   * Send {@code message} to the client (base64 of its UTF-8 bytes, e.g. IMAP "+ ", SMTP "334 ") and
   * pass the client's next response to {@link SaslMechanism#evaluate}.
   */
  record Challenge(String message) implements SaslResult {
    public Challenge {
      requireNonNull(message, "message");
    }
  }

  /**
   * PLAIN or LOGIN finished parsing: the transport checks {@code password} for {@code username}
   * against the directory (with its brute-force protection). The exchange is then over.
   *
   * @param authzid the identity to act as; empty when the client sent none. Not empty only under
   *     {@link AuthzidPolicy#ANY}, and then the caller decides whether {@code username} may act as
   *     it
   */
  record CheckPassword(String authzid, String username, String password) implements SaslResult {
    public CheckPassword {
      requireNonNull(authzid, "authzid");
      requireNonNull(username, "username");
      requireNonNull(password, "password");
    }

    /** Never shows the password. */
    @Override
    public String toString() {
      return "CheckPassword[authzid=" + authzid + ", username=" + username + ", password=***]";
    }
  }

  /**
   * The mechanism verified the client (SCRAM). The exchange is over.
   *
   * @param authzid as in {@link CheckPassword}
   * @param additionalData data the client must receive (SCRAM server-final {@code v=...}). RFC 4422
   *     §5: a protocol that carries additional data with success sends it with the success; IMAP
   *     and SMTP cannot, so they send it as one more challenge, expect an empty response, and then
   *     report success (RFC 9051 §6.2.2, RFC 4954 §4)
   */
  record Success(String authzid, String username, Optional<String> additionalData)
      implements SaslResult {
    public Success {
      requireNonNull(authzid, "authzid");
      requireNonNull(username, "username");
      requireNonNull(additionalData, "additionalData");
    }
  }

  /** The exchange failed; the transport refuses it (IMAP NO, SMTP 535 or 501). */
  record Failure(SaslError error) implements SaslResult {
    public Failure {
      requireNonNull(error, "error");
    }

    /**
     * The SCRAM server-final message for this error, {@code e=<value>} (RFC 5802 §7), for
     * transports that send one before refusing.
     */
    public String serverFinal() {
      return "e=" + error.value();
    }
  }
}
