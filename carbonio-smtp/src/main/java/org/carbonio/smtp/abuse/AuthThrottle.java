package org.carbonio.smtp.abuse;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import org.carbonio.smtp.spi.Authenticator;
import org.carbonio.smtp.spi.RejectException;
import org.carbonio.smtp.spi.SessionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Authenticator} decorator that locks out clients and login names after too many failed
 * attempts (defaults in {@link AuthLimits}: 5 failures of a login or 10 of a client within 5
 * minutes lock it out for 15 minutes, doubling for each repeat offence up to 24 hours). While a
 * client or a login is locked out, every attempt gets {@code 454 4.7.0} (RFC 4954 §6) and the
 * password is not checked at all, so a brute force learns nothing, not even from timing. An attempt
 * in flight counts as a failure until it ends, so parallel connections cannot get more passwords
 * checked than the limit. Failures are counted in a window that starts at the first failure.
 * Thread-safe.
 *
 * {@snippet :
 * Authenticator auth = AuthThrottle.wrap(directoryAuthenticator, AuthLimits.DEFAULTS);
 * }
 *
 * <p>A failure is the delegate answering empty (wrong credentials). A {@link RejectException} or an
 * {@link IOException} of the delegate passes through and counts as nothing. A success clears the
 * login's failures and offences; it does not clear the client's failures, so that one valid account
 * cannot be used to reset the count while guessing the passwords of others.
 *
 * <p>Locking out a login name lets anyone lock a user out of SMTP AUTH for a while by guessing
 * wrong on purpose; that is the price of stopping distributed guessing of one password. Set {@code
 * maxFailuresPerLogin} to 0 to count clients only.
 *
 * <p>Nothing sensitive is kept: login names are held lower-cased in memory only, passwords never.
 * Memory is bounded by {@link AuthLimits#maxTracked()} clients plus as many logins; when a table is
 * full of locked-out entries, new clients or logins are refused ({@code 454 4.7.0}) until entries
 * expire: failing closed, since counting nothing would let whoever filled the table guess freely.
 */
public final class AuthThrottle implements Authenticator {

  private static final Logger log = LoggerFactory.getLogger(AuthThrottle.class);
  private static final int MAX_LOGIN_KEY = 320;

  private final Authenticator delegate;
  private final AuthLimits limits;
  private final Clock clock;
  private final BoundedTable<ClientKey, Record> clients;
  private final BoundedTable<String, Record> logins;
  private final BoundedTable.Rules<Record> evictable;

  private AuthThrottle(Authenticator delegate, AuthLimits limits, Clock clock) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.limits = requireNonNull(limits, "limits");
    this.clock = requireNonNull(clock, "clock");
    this.clients = new BoundedTable<>(limits.maxTracked());
    this.logins = new BoundedTable<>(limits.maxTracked());
    this.evictable =
        BoundedTable.Rules.of(
            r -> r.forgettable(clock.millis(), limits),
            r -> r.pending == 0 && r.lockedUntil <= clock.millis());
  }

  /** Wraps {@code delegate} with the given limits on the system clock. */
  public static AuthThrottle wrap(Authenticator delegate, AuthLimits limits) {
    return new AuthThrottle(delegate, limits, Clock.systemUTC());
  }

  /** Wraps {@code delegate} with the given limits and clock (tests). */
  public static AuthThrottle wrap(Authenticator delegate, AuthLimits limits, Clock clock) {
    return new AuthThrottle(delegate, limits, clock);
  }

  @Override
  public Optional<String> authenticate(
      SessionInfo session, String authorizationId, String authenticationId, String password)
      throws RejectException, IOException {
    InetAddress address = session.remote().getAddress();
    if (address == null || Cidr.anyContains(limits.exempt(), address)) {
      return delegate.authenticate(session, authorizationId, authenticationId, password);
    }
    ClientKey client = ClientKey.of(address);
    String login = loginKey(authenticationId);
    // Reserve an attempt on both counters before checking: attempts in flight count as failures
    // until they end, so parallel connections cannot get more than the limit checked per window.
    Record c = begin(clients, client, limits.maxFailuresPerClient());
    Record l = c == REFUSED ? REFUSED : begin(logins, login, limits.maxFailuresPerLogin());
    if (c == REFUSED || l == REFUSED) {
      end(c, false, limits.maxFailuresPerClient());
      log.debug(
          "AUTH refused without checking: {} or its login locked out", address.getHostAddress());
      throw new RejectException(
          454, "4.7.0", "Too many failed authentication attempts, try again later");
    }
    Boolean accepted = null; // null: the delegate gave no verdict (an exception)
    try {
      Optional<String> result =
          delegate.authenticate(session, authorizationId, authenticationId, password);
      accepted = result.isPresent();
      return result;
    } finally {
      boolean failed = Boolean.FALSE.equals(accepted);
      if (end(c, failed, limits.maxFailuresPerClient())) {
        log.info("AUTH: client {} locked out after failures", address.getHostAddress());
      }
      if (end(l, failed, limits.maxFailuresPerLogin())) {
        log.info(
            "AUTH: a login name is locked out after failures from {}", address.getHostAddress());
      }
      if (Boolean.TRUE.equals(accepted) && l != null) {
        synchronized (l) {
          l.failures = 0; // a success clears the login's count, not the client's
          l.offences = 0;
        }
      }
    }
  }

  private static final Record REFUSED = new Record();

  /**
   * Reserves one attempt on {@code key}'s record: the record (null when uncounted: limit off), or
   * {@link #REFUSED} when locked out, at the limit with attempts in flight, or the table is full.
   */
  private <K> Record begin(BoundedTable<K, Record> table, K key, int max) {
    if (max == 0) {
      return null;
    }
    while (true) {
      Record r = table.getOrCreate(key, k -> new Record(), evictable);
      if (r == null) {
        // Full of locked-out entries: refuse rather than check uncounted, or whoever filled the
        // table could then guess passwords without limit.
        return REFUSED;
      }
      synchronized (r) {
        if (r.removed) {
          continue;
        }
        return r.begin(clock.millis(), max, limits) ? r : REFUSED;
      }
    }
  }

  /** Ends a reserved attempt; true when its failure starts a lockout. */
  private boolean end(Record r, boolean failed, int max) {
    if (r == null || r == REFUSED) {
      return false;
    }
    synchronized (r) {
      r.pending--;
      return failed && r.fail(clock.millis(), max, limits);
    }
  }

  /** Whether {@code address} is locked out now. */
  public boolean clientLockedOut(InetAddress address) {
    return lockedOut(clients.get(ClientKey.of(address)), clock.millis());
  }

  /** Whether {@code login} is locked out now. */
  public boolean loginLockedOut(String login) {
    return lockedOut(logins.get(loginKey(login)), clock.millis());
  }

  /** Clients and logins remembered now. */
  public int tracked() {
    return clients.size() + logins.size();
  }

  private static String loginKey(String authenticationId) {
    String s = authenticationId.strip().toLowerCase(Locale.ROOT);
    return s.length() > MAX_LOGIN_KEY ? s.substring(0, MAX_LOGIN_KEY) : s;
  }

  private static boolean lockedOut(Record r, long now) {
    if (r == null) {
      return false;
    }
    synchronized (r) {
      return !r.removed && now < r.lockedUntil;
    }
  }

  /** Failures of one client or login. Guarded by its monitor. */
  static final class Record extends BoundedTable.Slot {
    int failures;
    long windowStart;
    long lockedUntil;
    int offences;
    long lastOffence;
    int pending;

    boolean begin(long now, int max, AuthLimits limits) {
      if (now < lockedUntil) {
        return false;
      }
      if (now - windowStart >= limits.window().toMillis()) {
        windowStart = now;
        failures = 0;
      }
      if (failures + pending >= max) {
        return false;
      }
      pending++;
      return true;
    }

    boolean fail(long now, int max, AuthLimits limits) {
      long window = limits.window().toMillis();
      long maxLockout = limits.maxLockout().toMillis();
      if (now - windowStart >= window) {
        windowStart = now;
        failures = 0;
      }
      if (offences > 0 && now - lastOffence >= maxLockout) {
        offences = 0; // forgiven
      }
      failures++;
      if (failures < max) {
        return false;
      }
      long lockout = limits.lockout().toMillis();
      for (int i = 0; i < offences && lockout < maxLockout; i++) {
        lockout *= 2; // exponential growth for repeat offenders
      }
      lockedUntil = now + Math.min(lockout, maxLockout);
      offences++;
      lastOffence = now;
      failures = 0;
      windowStart = now;
      return true;
    }

    /** Nothing worth keeping: no lockout, no recent failure, no offence to remember. */
    boolean forgettable(long now, AuthLimits limits) {
      return lockedUntil <= now
          && pending == 0
          && (failures == 0 || now - windowStart >= limits.window().toMillis())
          && (offences == 0 || now - lastOffence >= limits.maxLockout().toMillis());
    }
  }
}
