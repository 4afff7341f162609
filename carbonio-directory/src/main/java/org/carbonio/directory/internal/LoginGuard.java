package org.carbonio.directory.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts failed logins in memory, per account and client, per account and per client, each in a
 * sliding window; refuses logins while a counter is at its limit (see {@link #blocked} for the
 * per-account one).
 *
 * <p>IPv6 clients are counted per /64 prefix, since one host usually owns a whole /64. At most
 * {@code maxKeys} counters are kept; when full, expired counters are dropped, and if it is still
 * full, new keys are not counted (logged at WARN).
 *
 * <p>Thread-safe.
 */
public final class LoginGuard {
  private static final Logger log = LoggerFactory.getLogger(LoginGuard.class);

  private final Clock clock;
  private final Duration window;
  private final int perAccountAndClient;
  private final int perAccount;
  private final int perClient;
  private final int maxKeys;
  private final ConcurrentHashMap<String, Failures> counters = new ConcurrentHashMap<>();

  public LoginGuard(
      Clock clock,
      Duration window,
      int perAccountAndClient,
      int perAccount,
      int perClient,
      int maxKeys) {
    this.clock = clock;
    this.window = window;
    this.perAccountAndClient = perAccountAndClient;
    this.perAccount = perAccount;
    this.perClient = perClient;
    this.maxKeys = maxKeys;
  }

  /**
   * Returns whether a login for {@code account} from {@code client} must be refused now.
   *
   * <p>The per-account limit (a guessing attack spread over many addresses) refuses only clients
   * that have themselves failed on this account in the window: the account's owner, logging in from
   * an address that has not failed, is never locked out by other people's attempts, and each
   * attacking address gets at most one guess per window once the account's limit is reached.
   */
  public boolean blocked(String account, InetAddress client) {
    Instant now = clock.instant();
    String c = clientKey(client);
    String accountAndClient = "ac|" + account + "|" + c;
    return atLimit(accountAndClient, perAccountAndClient, now)
        || (atLimit("a|" + account, perAccount, now) && atLimit(accountAndClient, 1, now))
        || atLimit("c|" + c, perClient, now);
  }

  /** Records a failed login. */
  public void failed(String account, InetAddress client) {
    Instant now = clock.instant();
    String c = clientKey(client);
    record("ac|" + account + "|" + c, perAccountAndClient, now);
    record("a|" + account, perAccount, now);
    record("c|" + c, perClient, now);
  }

  /** Records a successful login: forgets this account's failures from this client. */
  public void succeeded(String account, InetAddress client) {
    counters.remove("ac|" + account + "|" + clientKey(client));
  }

  private boolean atLimit(String key, int limit, Instant now) {
    Failures f = counters.get(key);
    return f != null && f.count(now.minus(window)) >= limit;
  }

  private void record(String key, int limit, Instant now) {
    Failures f = counters.get(key);
    if (f == null) {
      if (counters.size() >= maxKeys) {
        Instant since = now.minus(window);
        counters.values().removeIf(x -> x.count(since) == 0);
        if (counters.size() >= maxKeys) {
          log.warn("login failure counters full ({}); not counting a new key", maxKeys);
          return;
        }
      }
      f = counters.computeIfAbsent(key, k -> new Failures());
    }
    f.add(now, limit);
  }

  static String clientKey(InetAddress client) {
    if (client instanceof Inet6Address) {
      byte[] a = client.getAddress();
      for (int i = 8; i < 16; i++) {
        a[i] = 0;
      }
      try {
        return InetAddress.getByAddress(a).getHostAddress() + "/64";
      } catch (UnknownHostException e) {
        throw new IllegalStateException("16-byte address refused", e);
      }
    }
    return client.getHostAddress();
  }

  /** The times of the most recent failures of one key, at most {@code limit} of them. */
  private static final class Failures {
    private final ArrayDeque<Instant> times = new ArrayDeque<>();

    synchronized int count(Instant since) {
      while (!times.isEmpty() && !times.peekFirst().isAfter(since)) {
        times.removeFirst();
      }
      return times.size();
    }

    synchronized void add(Instant now, int limit) {
      times.addLast(now);
      while (times.size() > limit) {
        times.removeFirst();
      }
    }
  }
}
