package org.carbonio.imap.spi;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Immutable: how AUTHENTICATE SCRAM-SHA-256 (RFC 5802, RFC 7677) finds users, returned by {@link
 * ImapAuthenticator#scram()}.
 *
 * <p>Unknown users get fake credentials derived from the user name under {@code secret}, so that a
 * client cannot tell them from a wrong password (see {@link
 * org.carbonio.directory.sasl.ScramSha256Mechanism}). Give every server the same secret, stable
 * across restarts.
 */
public final class ScramSupport {

  /**
   * Finds a user's SCRAM verifier by the name the client sent (after SASLprep). Returns empty for
   * unknown users, users that may not log in and users without a verifier. Called on the
   * connection's thread; may block; must be thread-safe.
   */
  @FunctionalInterface
  public interface Lookup {
    Optional<ScramAccount> find(String username);
  }

  /**
   * The brute-force limits for SCRAM logins, which the engine verifies itself: asked before the
   * proof is checked, told the outcome after. Called on the connection's thread; must be
   * thread-safe.
   */
  public interface Attempts {
    /** False while this user or client is refused: the login then fails without a check. */
    boolean allowed(String username, InetAddress client);

    /** The outcome of a checked login. */
    void verified(String username, InetAddress client, boolean succeeded);

    /** No limits: for tests and embedders whose authenticator keeps none. */
    Attempts UNLIMITED =
        new Attempts() {
          @Override
          public boolean allowed(String username, InetAddress client) {
            return true;
          }

          @Override
          public void verified(String username, InetAddress client, boolean succeeded) {}
        };
  }

  private final Lookup lookup;
  private final byte[] secret;
  private final Attempts attempts;

  /** Without brute-force limits ({@link Attempts#UNLIMITED}). */
  public ScramSupport(Lookup lookup, byte[] secret) {
    this(lookup, secret, Attempts.UNLIMITED);
  }

  /**
   * @param secret at least 16 bytes (copied)
   * @param attempts the brute-force limits SCRAM logins count against
   * @throws IllegalArgumentException if the secret is shorter than 16 bytes
   */
  public ScramSupport(Lookup lookup, byte[] secret, Attempts attempts) {
    this.lookup = requireNonNull(lookup, "lookup");
    this.attempts = requireNonNull(attempts, "attempts");
    requireNonNull(secret, "secret");
    if (secret.length < 16) {
      throw new IllegalArgumentException("secret of " + secret.length + " bytes; 16 at least");
    }
    this.secret = secret.clone();
  }

  public Lookup lookup() {
    return lookup;
  }

  public Attempts attempts() {
    return attempts;
  }

  /** A copy of the secret. */
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public String toString() {
    return "ScramSupport[lookup=" + lookup + "]";
  }
}
