package org.carbonio.directory.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers recently verified logins so that repeated logins skip the slow hash.
 *
 * <p>For each account it keeps {@code HMAC-SHA256(k, storedHash ‖ 0 ‖ password)} with a random key
 * {@code k} that lives only in this object, never the password. The stored hash contains its salt,
 * so an entry stops matching as soon as the password hash changes; {@link #forget} drops it at
 * once. Entries expire after the TTL; at most {@code maxKeys} are kept (when full, expired ones are
 * dropped, then all).
 *
 * <p>Thread-safe.
 */
public final class LoginCache {
  private final Clock clock;
  private final Duration ttl;
  private final int maxKeys;
  private final SecretKeySpec key;
  private final ConcurrentHashMap<String, Verified> entries = new ConcurrentHashMap<>();

  public LoginCache(Clock clock, Duration ttl, int maxKeys) {
    this.clock = clock;
    this.ttl = ttl;
    this.maxKeys = maxKeys;
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    this.key = new SecretKeySpec(k, "HmacSHA256");
  }

  /** Returns whether this exact login was verified within the TTL. */
  public boolean matches(String account, String storedHash, String password) {
    if (ttl.isZero()) {
      return false;
    }
    Verified v = entries.get(account);
    if (v == null) {
      return false;
    }
    if (!clock.instant().isBefore(v.expires)) {
      entries.remove(account, v);
      return false;
    }
    return MessageDigest.isEqual(v.mac, mac(storedHash, password));
  }

  /** Remembers a login that was just verified against {@code storedHash}. */
  public void put(String account, String storedHash, String password) {
    if (ttl.isZero()) {
      return;
    }
    Instant now = clock.instant();
    if (entries.size() >= maxKeys && !entries.containsKey(account)) {
      entries.values().removeIf(v -> !now.isBefore(v.expires));
      if (entries.size() >= maxKeys) {
        entries.clear();
      }
    }
    entries.put(account, new Verified(mac(storedHash, password), now.plus(ttl)));
  }

  /** Forgets the account's cached login (password changed, account deleted). */
  public void forget(String account) {
    entries.remove(account);
  }

  private byte[] mac(String storedHash, String password) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      m.update(storedHash.getBytes(StandardCharsets.UTF_8));
      m.update((byte) 0);
      return m.doFinal(password.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static final class Verified {
    final byte[] mac;
    final Instant expires;

    Verified(byte[] mac, Instant expires) {
      this.mac = mac;
      this.expires = expires;
    }
  }
}
