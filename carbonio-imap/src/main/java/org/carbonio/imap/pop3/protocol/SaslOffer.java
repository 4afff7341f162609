package org.carbonio.imap.pop3.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.carbonio.directory.sasl.LoginMechanism;
import org.carbonio.directory.sasl.PlainMechanism;
import org.carbonio.directory.sasl.SaslMechanism;

/**
 * A SASL mechanism the POP3 server offers in AUTH (RFC 5034) and CAPA's {@code SASL} line.
 * Mechanisms whose result is a {@code CheckPassword} (PLAIN, LOGIN) have the password checked by
 * the {@link org.carbonio.imap.spi.ImapAuthenticator}; mechanisms that verify the client themselves
 * (SCRAM-SHA-256) end with a {@code Success} naming the user as the client wrote it, which {@code
 * canonicalUser} maps to the name the {@link org.carbonio.imap.spi.MailboxBackend} knows.
 *
 * {@snippet :
 * SaslOffer scram = new SaslOffer(ScramSha256Mechanism.NAME, false,
 *     () -> new ScramSha256Mechanism(directory::scramCredentials, secret),
 *     name -> directory.findAccount(name).map(Account::id));
 * }
 *
 * <p>Immutable (the suppliers must be thread-safe).
 *
 * @param name the registered mechanism name, upper case
 * @param plaintext whether the client sends the password itself, so that the mechanism is offered
 *     only over TLS unless plaintext authentication is allowed (RFC 2595 §2.2)
 * @param factory a new mechanism per exchange
 * @param canonicalUser maps the username of a {@code Success} to the backend's user name; empty
 *     refuses the login
 */
public record SaslOffer(
    String name,
    boolean plaintext,
    Supplier<SaslMechanism> factory,
    Function<String, Optional<String>> canonicalUser) {
  public SaslOffer {
    requireNonNull(name, "name");
    requireNonNull(factory, "factory");
    requireNonNull(canonicalUser, "canonicalUser");
    if (name.isEmpty() || !name.equals(name.toUpperCase(Locale.ROOT)) || name.contains(" ")) {
      throw new IllegalArgumentException("mechanism name " + name);
    }
  }

  /** PLAIN (RFC 4616), checked by the authenticator. */
  public static final SaslOffer PLAIN =
      new SaslOffer(PlainMechanism.NAME, true, PlainMechanism::new, Optional::of);

  /** LOGIN (draft-murchison-sasl-login), checked by the authenticator. */
  public static final SaslOffer LOGIN =
      new SaslOffer(LoginMechanism.NAME, true, LoginMechanism::new, Optional::of);
}
