package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Password and authentication limits of a directory.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>field</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>pbkdf2Iterations</td><td>{@value #DEFAULT_PBKDF2_ITERATIONS}</td>
 *       <td>PBKDF2-HMAC-SHA512 work factor for new hashes (OWASP 2023)</td></tr>
 *   <tr><td>maxPasswordChars</td><td>{@value #DEFAULT_MAX_PASSWORD_CHARS}</td>
 *       <td>longest accepted password, in UTF-16 chars</td></tr>
 *   <tr><td>maxFailuresPerAccountAndClient</td>
 *       <td>{@value #DEFAULT_MAX_FAILURES_PER_ACCOUNT_AND_CLIENT}</td>
 *       <td>failed logins for one account from one client within the window</td></tr>
 *   <tr><td>maxFailuresPerAccount</td><td>{@value #DEFAULT_MAX_FAILURES_PER_ACCOUNT}</td>
 *       <td>failed logins for one account from all clients within the window</td></tr>
 *   <tr><td>maxFailuresPerClient</td><td>{@value #DEFAULT_MAX_FAILURES_PER_CLIENT}</td>
 *       <td>failed logins from one client (IPv4 address or IPv6 /64) for all accounts</td></tr>
 *   <tr><td>failureWindow</td><td>5 minutes</td><td>sliding window of the counters</td></tr>
 *   <tr><td>loginCacheTtl</td><td>1 hour</td>
 *       <td>how long a verified login skips the slow hash (Dovecot's {@code auth_cache_ttl} is
 *       also 1 hour); a password change or a deleted account drops the entry at once, and the entry
 *       only matches the stored hash it was verified against; {@link Duration#ZERO} disables</td></tr>
 *   <tr><td>maxTrackedKeys</td><td>{@value #DEFAULT_MAX_TRACKED_KEYS}</td>
 *       <td>memory bound of the failure counters and of the login cache</td></tr>
 *   <tr><td>lookupCache</td><td>true</td>
 *       <td>whether account lookups are cached until the next change; false only to measure
 *       the uncached path (benchmarks)</td></tr>
 * </table>
 *
 * <p>Immutable.
 */
public record DirectoryLimits(
    int pbkdf2Iterations,
    int maxPasswordChars,
    int maxFailuresPerAccountAndClient,
    int maxFailuresPerAccount,
    int maxFailuresPerClient,
    Duration failureWindow,
    Duration loginCacheTtl,
    int maxTrackedKeys,
    boolean lookupCache) {

  /** Levels of nested distribution lists {@link Directory#expand} follows. */
  public static final int MAX_LIST_DEPTH = 16;

  /** Addresses one {@link Directory#expand} visits at most (members of all lists together). */
  public static final int MAX_EXPANSION = 10_000;

  /** Members of one distribution list at most. */
  public static final int MAX_LIST_MEMBERS = 10_000;

  /** Aliases of one account at most. */
  public static final int MAX_ALIASES = 1_000;

  public static final int DEFAULT_PBKDF2_ITERATIONS = 210_000;
  public static final int MIN_PBKDF2_ITERATIONS = 1_000;
  public static final int MAX_PBKDF2_ITERATIONS = 10_000_000;
  public static final int DEFAULT_MAX_PASSWORD_CHARS = 1024;
  public static final int DEFAULT_MAX_FAILURES_PER_ACCOUNT_AND_CLIENT = 10;
  public static final int DEFAULT_MAX_FAILURES_PER_ACCOUNT = 50;
  public static final int DEFAULT_MAX_FAILURES_PER_CLIENT = 100;
  public static final int DEFAULT_MAX_TRACKED_KEYS = 100_000;

  /** The defaults listed above. */
  public static final DirectoryLimits DEFAULTS =
      new DirectoryLimits(
          DEFAULT_PBKDF2_ITERATIONS,
          DEFAULT_MAX_PASSWORD_CHARS,
          DEFAULT_MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
          DEFAULT_MAX_FAILURES_PER_ACCOUNT,
          DEFAULT_MAX_FAILURES_PER_CLIENT,
          Duration.ofMinutes(5),
          Duration.ofHours(1),
          DEFAULT_MAX_TRACKED_KEYS,
          true);

  public DirectoryLimits {
    if (pbkdf2Iterations < MIN_PBKDF2_ITERATIONS || pbkdf2Iterations > MAX_PBKDF2_ITERATIONS) {
      throw new IllegalArgumentException("pbkdf2Iterations out of range: " + pbkdf2Iterations);
    }
    positive("maxPasswordChars", maxPasswordChars);
    positive("maxFailuresPerAccountAndClient", maxFailuresPerAccountAndClient);
    positive("maxFailuresPerAccount", maxFailuresPerAccount);
    positive("maxFailuresPerClient", maxFailuresPerClient);
    positive("maxTrackedKeys", maxTrackedKeys);
    requireNonNull(failureWindow, "failureWindow");
    requireNonNull(loginCacheTtl, "loginCacheTtl");
    if (failureWindow.isNegative() || failureWindow.isZero()) {
      throw new IllegalArgumentException("failureWindow must be positive: " + failureWindow);
    }
    if (loginCacheTtl.isNegative()) {
      throw new IllegalArgumentException("loginCacheTtl must not be negative: " + loginCacheTtl);
    }
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }

  public DirectoryLimits withPbkdf2Iterations(int value) {
    return new DirectoryLimits(
        value,
        maxPasswordChars,
        maxFailuresPerAccountAndClient,
        maxFailuresPerAccount,
        maxFailuresPerClient,
        failureWindow,
        loginCacheTtl,
        maxTrackedKeys,
        lookupCache);
  }

  public DirectoryLimits withMaxPasswordChars(int value) {
    return new DirectoryLimits(
        pbkdf2Iterations,
        value,
        maxFailuresPerAccountAndClient,
        maxFailuresPerAccount,
        maxFailuresPerClient,
        failureWindow,
        loginCacheTtl,
        maxTrackedKeys,
        lookupCache);
  }

  public DirectoryLimits withMaxFailuresPerAccountAndClient(int value) {
    return new DirectoryLimits(
        pbkdf2Iterations,
        maxPasswordChars,
        value,
        maxFailuresPerAccount,
        maxFailuresPerClient,
        failureWindow,
        loginCacheTtl,
        maxTrackedKeys,
        lookupCache);
  }

  public DirectoryLimits withMaxFailuresPerAccount(int value) {
    return new DirectoryLimits(
        pbkdf2Iterations,
        maxPasswordChars,
        maxFailuresPerAccountAndClient,
        value,
        maxFailuresPerClient,
        failureWindow,
        loginCacheTtl,
        maxTrackedKeys,
        lookupCache);
  }

  public DirectoryLimits withMaxFailuresPerClient(int value) {
    return new DirectoryLimits(
        pbkdf2Iterations,
        maxPasswordChars,
        maxFailuresPerAccountAndClient,
        maxFailuresPerAccount,
        value,
        failureWindow,
        loginCacheTtl,
        maxTrackedKeys,
        lookupCache);
  }

  public DirectoryLimits withFailureWindow(Duration value) {
    return new DirectoryLimits(
        pbkdf2Iterations,
        maxPasswordChars,
        maxFailuresPerAccountAndClient,
        maxFailuresPerAccount,
        maxFailuresPerClient,
        value,
        loginCacheTtl,
        maxTrackedKeys,
        lookupCache);
  }

  public DirectoryLimits withLoginCacheTtl(Duration value) {
    return new DirectoryLimits(
        pbkdf2Iterations,
        maxPasswordChars,
        maxFailuresPerAccountAndClient,
        maxFailuresPerAccount,
        maxFailuresPerClient,
        failureWindow,
        value,
        maxTrackedKeys,
        lookupCache);
  }

  public DirectoryLimits withMaxTrackedKeys(int value) {
    return new DirectoryLimits(
        pbkdf2Iterations,
        maxPasswordChars,
        maxFailuresPerAccountAndClient,
        maxFailuresPerAccount,
        maxFailuresPerClient,
        failureWindow,
        loginCacheTtl,
        value,
        lookupCache);
  }

  public DirectoryLimits withLookupCache(boolean value) {
    return new DirectoryLimits(
        pbkdf2Iterations,
        maxPasswordChars,
        maxFailuresPerAccountAndClient,
        maxFailuresPerAccount,
        maxFailuresPerClient,
        failureWindow,
        loginCacheTtl,
        maxTrackedKeys,
        value);
  }
}
