package org.carbonio.smtp.abuse;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * Bounds of an {@link AuthThrottle}. Immutable.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>component</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code maxFailuresPerClient}</td><td>{@value #DEFAULT_MAX_FAILURES_PER_CLIENT}</td>
 *       <td>failed AUTH from one IPv4 address or IPv6 /64 within {@code window} that lock the
 *       client out (higher than per login: several users may share a NAT address)</td></tr>
 *   <tr><td>{@code maxFailuresPerLogin}</td><td>{@value #DEFAULT_MAX_FAILURES_PER_LOGIN}</td>
 *       <td>failed AUTH for one login name within {@code window}, from anywhere, that lock the
 *       login out</td></tr>
 *   <tr><td>{@code window}</td><td>5 minutes</td><td>failures older than this are forgotten
 *       </td></tr>
 *   <tr><td>{@code lockout}</td><td>15 minutes</td><td>the first lockout; each further one
 *       within {@code maxLockout} of the last doubles it</td></tr>
 *   <tr><td>{@code maxLockout}</td><td>24 hours</td><td>the longest lockout, and how long a
 *       repeat offence is remembered</td></tr>
 *   <tr><td>{@code exempt}</td><td>none</td><td>client networks never throttled</td></tr>
 *   <tr><td>{@code maxTracked}</td><td>{@value #DEFAULT_MAX_TRACKED}</td><td>clients, and
 *       logins, remembered at once</td></tr>
 * </table>
 *
 * @param maxFailuresPerClient failures per client within {@code window} before a lockout; 0: off
 * @param maxFailuresPerLogin failures per login name within {@code window} before a lockout; 0: off
 * @param window the failure counting window
 * @param lockout the first lockout
 * @param maxLockout the cap of the doubling lockout, and the memory of repeat offences
 * @param exempt client networks that are never throttled
 * @param maxTracked clients (and, separately, logins) remembered at once
 */
public record AuthLimits(
    int maxFailuresPerClient,
    int maxFailuresPerLogin,
    Duration window,
    Duration lockout,
    Duration maxLockout,
    List<Cidr> exempt,
    int maxTracked) {

  /** Default failures per client. */
  public static final int DEFAULT_MAX_FAILURES_PER_CLIENT = 10;

  /** Default failures per login. */
  public static final int DEFAULT_MAX_FAILURES_PER_LOGIN = 5;

  /** Default clients (and logins) remembered. */
  public static final int DEFAULT_MAX_TRACKED = 100_000;

  /** The defaults above. */
  public static final AuthLimits DEFAULTS =
      new AuthLimits(
          DEFAULT_MAX_FAILURES_PER_CLIENT,
          DEFAULT_MAX_FAILURES_PER_LOGIN,
          Duration.ofMinutes(5),
          Duration.ofMinutes(15),
          Duration.ofHours(24),
          List.of(),
          DEFAULT_MAX_TRACKED);

  /** Validates. */
  public AuthLimits {
    if (maxFailuresPerClient < 0 || maxFailuresPerLogin < 0) {
      throw new IllegalArgumentException("failure limits must be >= 0");
    }
    positive("window", window);
    positive("lockout", lockout);
    positive("maxLockout", maxLockout);
    if (maxLockout.compareTo(lockout) < 0) {
      throw new IllegalArgumentException("maxLockout " + maxLockout + " < lockout " + lockout);
    }
    exempt = List.copyOf(exempt);
    if (maxTracked < 1) {
      throw new IllegalArgumentException("maxTracked " + maxTracked + " < 1");
    }
  }

  private static void positive(String name, Duration d) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " " + d + " <= 0");
    }
  }

  /** A copy with other failure limits. */
  public AuthLimits withMaxFailures(int perClient, int perLogin) {
    return new AuthLimits(perClient, perLogin, window, lockout, maxLockout, exempt, maxTracked);
  }

  /** A copy with other durations. */
  public AuthLimits withDurations(Duration window, Duration lockout, Duration maxLockout) {
    return new AuthLimits(
        maxFailuresPerClient, maxFailuresPerLogin, window, lockout, maxLockout, exempt, maxTracked);
  }

  /** A copy with other exempt networks. */
  public AuthLimits withExempt(List<Cidr> networks) {
    return new AuthLimits(
        maxFailuresPerClient,
        maxFailuresPerLogin,
        window,
        lockout,
        maxLockout,
        networks,
        maxTracked);
  }

  /** A copy that remembers at most {@code n} clients and {@code n} logins. */
  public AuthLimits withMaxTracked(int n) {
    return new AuthLimits(
        maxFailuresPerClient, maxFailuresPerLogin, window, lockout, maxLockout, exempt, n);
  }
}
