package org.carbonio.imap.testkit;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.carbonio.imap.spi.AuthRequest;
import org.carbonio.imap.spi.ImapAuthenticator;

/** Thread-safe: user name → password map; user names compare exactly. */
public final class InMemoryAuthenticator implements ImapAuthenticator {
  private final Map<String, String> passwords = new ConcurrentHashMap<>();

  public InMemoryAuthenticator() {}

  public InMemoryAuthenticator(Map<String, String> users) {
    passwords.putAll(users);
  }

  /** Adds or replaces a user; returns this. */
  public InMemoryAuthenticator user(String name, String password) {
    passwords.put(name, password);
    return this;
  }

  @Override
  public Optional<String> authenticate(AuthRequest request) {
    String expected = passwords.get(request.username());
    return expected != null && expected.equals(request.password())
        ? Optional.of(request.username())
        : Optional.empty();
  }
}
