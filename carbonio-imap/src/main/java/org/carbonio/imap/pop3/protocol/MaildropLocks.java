package org.carbonio.imap.pop3.protocol;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive-access locks of maildrops (RFC 1939 §8: one POP3 session per maildrop at a time)
 * and the time of each maildrop's last login (RFC 2449 §8.1.2 LOGIN-DELAY). Share one instance
 * among every POP3 listener that serves the same mailboxes (POP3 and POP3S).
 *
 * <p>Thread-safe. Memory: one entry per maildrop that has logged in since start (its name and an
 * instant); entries of unlocked maildrops older than the login delay are dropped as new logins come
 * in.
 */
public final class MaildropLocks {
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  private static final class Entry {
    boolean locked;
    Instant lastLogin = Instant.MIN;
  }

  /** Outcome of {@link #tryLock}. */
  public sealed interface Outcome {
    /** Locked; close it to release (idempotent). */
    record Locked(Lock lock) implements Outcome {}

    /** Another session holds the maildrop. */
    record InUse() implements Outcome {}

    /** The last login was less than the login delay ago. */
    record TooSoon(Duration remaining) implements Outcome {}
  }

  /** The held lock of one maildrop. Thread-safe; {@link #close()} is idempotent. */
  public final class Lock implements AutoCloseable {
    private final String maildrop;
    private boolean released;

    private Lock(String maildrop) {
      this.maildrop = maildrop;
    }

    @Override
    public void close() {
      synchronized (this) {
        if (released) return;
        released = true;
      }
      entries.computeIfPresent(
          maildrop,
          (k, e) -> {
            e.locked = false;
            return e;
          });
    }
  }

  /**
   * Locks {@code maildrop} unless another session holds it or, with a positive {@code loginDelay},
   * its last login was less than that long before {@code now}; records {@code now} as its last
   * login when locked.
   */
  public Outcome tryLock(String maildrop, Instant now, Duration loginDelay) {
    requireNonNull(maildrop, "maildrop");
    requireNonNull(now, "now");
    requireNonNull(loginDelay, "loginDelay");
    Outcome[] result = new Outcome[1];
    entries.compute(
        maildrop,
        (k, e) -> {
          if (e == null) e = new Entry();
          if (e.locked) {
            result[0] = new Outcome.InUse();
            return e;
          }
          if (!loginDelay.isZero()
              && e.lastLogin.isAfter(Instant.MIN)
              && now.isBefore(e.lastLogin.plus(loginDelay))) {
            result[0] = new Outcome.TooSoon(Duration.between(now, e.lastLogin.plus(loginDelay)));
            return e;
          }
          e.locked = true;
          e.lastLogin = now;
          result[0] = new Outcome.Locked(new Lock(k));
          return e;
        });
    if (entries.size() > 10_000) prune(now, loginDelay);
    return result[0];
  }

  /** Whether a session holds {@code maildrop} now. */
  public boolean isLocked(String maildrop) {
    Entry e = entries.get(maildrop);
    return e != null && e.locked;
  }

  private void prune(Instant now, Duration loginDelay) {
    entries
        .keySet()
        .forEach(
            k ->
                entries.computeIfPresent(
                    k,
                    (key, e) ->
                        !e.locked && !now.isBefore(e.lastLogin.plus(loginDelay)) ? null : e));
  }
}
