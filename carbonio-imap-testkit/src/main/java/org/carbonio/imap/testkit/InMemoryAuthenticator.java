package org.carbonio.imap.testkit;

import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.carbonio.directory.sasl.ScramCredentials;
import org.carbonio.imap.spi.AuthRequest;
import org.carbonio.imap.spi.ImapAuthenticator;
import org.carbonio.imap.spi.ScramAccount;
import org.carbonio.imap.spi.ScramSupport;

/**
 * Thread-safe: user name → password map; user names compare exactly. Offers SCRAM-SHA-256 too, with
 * verifiers derived from the passwords on first use.
 */
public final class InMemoryAuthenticator implements ImapAuthenticator {
  private final Map<String, String> passwords = new ConcurrentHashMap<>();
  private final Map<String, ScramCredentials> verifiers = new ConcurrentHashMap<>();
  private final ScramSupport scram;

  public InMemoryAuthenticator() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    scram = new ScramSupport(this::scramAccount, secret);
  }

  public InMemoryAuthenticator(Map<String, String> users) {
    this();
    passwords.putAll(users);
  }

  /** Adds or replaces a user; returns this. */
  public InMemoryAuthenticator user(String name, String password) {
    passwords.put(name, password);
    verifiers.remove(name);
    return this;
  }

  @Override
  public Optional<String> authenticate(AuthRequest request) {
    String expected = passwords.get(request.username());
    return expected != null && expected.equals(request.password())
        ? Optional.of(request.username())
        : Optional.empty();
  }

  @Override
  public Optional<ScramSupport> scram() {
    return Optional.of(scram);
  }

  private Optional<ScramAccount> scramAccount(String username) {
    String password = passwords.get(username);
    if (password == null) return Optional.empty();
    ScramCredentials c =
        verifiers.computeIfAbsent(username, u -> ScramCredentials.derive(password));
    return Optional.of(new ScramAccount(username, c));
  }
}
