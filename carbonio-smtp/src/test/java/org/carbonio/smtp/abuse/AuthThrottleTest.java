package org.carbonio.smtp.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.carbonio.smtp.abuse.Sessions.ip;
import static org.carbonio.smtp.abuse.Sessions.session;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.smtp.spi.Authenticator;
import org.carbonio.smtp.spi.RejectException;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {

  private final TestClock clock = new TestClock();
  private final AtomicInteger checks = new AtomicInteger();
  private final Authenticator passwords =
      (s, authz, login, password) -> {
        checks.incrementAndGet();
        return "secret".equals(password) ? Optional.of(login) : Optional.empty();
      };
  private final AuthThrottle throttle = AuthThrottle.wrap(passwords, AuthLimits.DEFAULTS, clock);
  private final InetAddress attacker = ip("203.0.113.5");

  private Optional<String> login(InetAddress from, String user, String password)
      throws RejectException, IOException {
    return throttle.authenticate(session(from), "", user, password);
  }

  private void assertLockedOut(InetAddress from, String user, String password) {
    int before = checks.get();
    assertThatThrownBy(() -> login(from, user, password))
        .isInstanceOfSatisfying(
            RejectException.class,
            e -> {
              assertThat(e.code()).isEqualTo(454);
              assertThat(e.enhancedStatus()).isEqualTo("4.7.0");
            });
    assertThat(checks.get()).as("password not checked").isEqualTo(before);
  }

  @Test
  void authenticateShouldRefuseWithoutCheckingWhenTheTableIsFullOfLockedOutLogins()
      throws Exception {
    AuthThrottle small = AuthThrottle.wrap(passwords, AuthLimits.DEFAULTS.withMaxTracked(2), clock);
    // Two logins locked out from two clients fill both tables.
    for (String user : List.of("a@example.com", "b@example.com")) {
      InetAddress from = ip(user.startsWith("a") ? "198.51.100.1" : "198.51.100.2");
      for (int i = 0; i < 5; i++) {
        assertThat(small.authenticate(session(from), "", user, "guess" + i)).isEmpty();
      }
    }
    int before = checks.get();
    // A third client guessing a third login would otherwise go uncounted.
    assertThatThrownBy(
            () -> small.authenticate(session(ip("198.51.100.3")), "", "c@example.com", "guess"))
        .isInstanceOfSatisfying(RejectException.class, e -> assertThat(e.code()).isEqualTo(454));
    assertThat(checks.get()).as("password not checked").isEqualTo(before);
  }

  @Test
  void authenticateShouldLockTheLoginOutWithoutCheckingWhenFiveFailures() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(login(attacker, "alice@example.com", "guess" + i)).isEmpty();
    }
    assertLockedOut(attacker, "alice@example.com", "secret");
    assertLockedOut(ip("198.51.100.7"), "ALICE@example.com", "secret"); // any client, any case
    assertThat(throttle.loginLockedOut("alice@example.com")).isTrue();
    assertThat(login(ip("198.51.100.7"), "bob@example.com", "secret")).contains("bob@example.com");
    clock.advance(Duration.ofMinutes(15));
    assertThat(login(attacker, "alice@example.com", "secret")).contains("alice@example.com");
  }

  @Test
  void authenticateShouldDoubleTheLockoutWhenTheOffenceRepeats() throws Exception {
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 5; i++) {
        login(ip("198.51.100." + (i + 10 * round)), "carol@example.com", "nope");
      }
      Duration lockout = Duration.ofMinutes(15L << round); // 15, 30, 60
      clock.advance(lockout.minusSeconds(1));
      assertLockedOut(ip("192.0.2.99"), "carol@example.com", "secret");
      clock.advance(Duration.ofSeconds(1));
      assertThat(throttle.loginLockedOut("carol@example.com")).isFalse();
    }
  }

  @Test
  void authenticateShouldCapTheLockoutAndForgiveAfterMaxLockout() throws Exception {
    for (int round = 0; round < 12; round++) {
      for (int i = 0; i < 5; i++) {
        login(ip("198.51.100." + i), "dave@example.com", "nope");
      }
      clock.advance(Duration.ofHours(24));
      assertThat(throttle.loginLockedOut("dave@example.com")).isFalse();
    }
    clock.advance(Duration.ofHours(25)); // a day without offence: back to 15 minutes
    for (int i = 0; i < 5; i++) {
      login(ip("198.51.100." + i), "dave@example.com", "nope");
    }
    clock.advance(Duration.ofMinutes(15));
    assertThat(throttle.loginLockedOut("dave@example.com")).isFalse();
  }

  @Test
  void authenticateShouldResetTheLoginCountWhenASuccessComes() throws Exception {
    InetAddress user = ip("192.0.2.10");
    for (int i = 0; i < 4; i++) {
      login(user, "erin@example.com", "typo");
    }
    assertThat(login(user, "erin@example.com", "secret")).isPresent();
    for (int i = 0; i < 4; i++) {
      login(ip("192.0.2.11"), "erin@example.com", "typo");
    }
    assertThat(login(user, "erin@example.com", "secret")).isPresent();
  }

  @Test
  void authenticateShouldLockTheClientOutWhenItTriesManyLogins() throws Exception {
    for (int i = 0; i < 10; i++) {
      login(attacker, "user" + i + "@example.com", "123456");
    }
    assertThat(throttle.clientLockedOut(attacker)).isTrue();
    assertLockedOut(attacker, "frank@example.com", "secret");
    assertThat(login(ip("203.0.114.5"), "frank@example.com", "secret")).isPresent();
    // a valid account of the attacker's does not reset the client's count
    clock.advance(Duration.ofMinutes(15));
    for (int i = 0; i < 9; i++) {
      login(attacker, "x" + i + "@example.com", "123456");
    }
    assertThat(login(attacker, "mine@example.com", "secret")).isPresent();
    login(attacker, "y@example.com", "123456");
    assertThat(throttle.clientLockedOut(attacker)).isTrue();
  }

  @Test
  void authenticateShouldCountAnIpv6SlashSixtyFourAsOneClient() throws Exception {
    for (int i = 0; i < 10; i++) {
      login(ip("2001:db8:0:7::" + Integer.toHexString(i + 1)), "u" + i + "@example.com", "x");
    }
    assertThat(throttle.clientLockedOut(ip("2001:db8:0:7::ffff"))).isTrue();
    assertThat(throttle.clientLockedOut(ip("2001:db8:0:8::1"))).isFalse();
  }

  @Test
  void authenticateShouldCheckAtMostTheLimitWhenAttemptsRunInParallel() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger reached = new AtomicInteger();
    AuthThrottle t =
        AuthThrottle.wrap(
            (s, z, l, p) -> {
              reached.incrementAndGet();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return Optional.empty();
            },
            AuthLimits.DEFAULTS,
            clock);
    AtomicInteger refused = new AtomicInteger();
    List<Thread> threads = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      InetAddress from = ip("198.51.100." + (i + 1)); // 20 clients, one login
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      t.authenticate(session(from), "", "grace@example.com", "guess");
                    } catch (RejectException e) {
                      refused.incrementAndGet();
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  }));
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> reached.get() + refused.get() == 20);
    release.countDown();
    for (Thread th : threads) {
      th.join();
    }
    assertThat(reached).hasValue(5);
    assertThat(refused).hasValue(15);
    assertThat(t.loginLockedOut("grace@example.com")).isTrue();
  }

  @Test
  void authenticateShouldNotClearTheLoginWhenTheDelegateFails() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    AuthThrottle t =
        AuthThrottle.wrap(
            (s, z, l, p) -> {
              if (calls.incrementAndGet() == 5) {
                throw new IOException("directory down");
              }
              return Optional.empty();
            },
            AuthLimits.DEFAULTS,
            clock);
    for (int i = 0; i < 4; i++) {
      t.authenticate(session(ip("192.0.2." + (i + 1))), "", "hank@example.com", "x");
    }
    assertThatThrownBy(() -> t.authenticate(session(ip("192.0.2.9")), "", "hank@example.com", "x"))
        .isInstanceOf(IOException.class);
    t.authenticate(session(ip("192.0.2.10")), "", "hank@example.com", "x");
    assertThat(t.loginLockedOut("hank@example.com")).isTrue();
  }

  @Test
  void authenticateShouldPassDelegateRefusalsThroughUncounted() throws Exception {
    AuthThrottle t =
        AuthThrottle.wrap(
            (s, z, l, p) -> {
              throw new RejectException(454, "4.7.0", "Directory unavailable");
            },
            AuthLimits.DEFAULTS,
            clock);
    for (int i = 0; i < 20; i++) {
      assertThatThrownBy(() -> t.authenticate(session(attacker), "", "a@example.com", "p"))
          .hasMessage("Directory unavailable");
    }
    assertThat(t.clientLockedOut(attacker)).isFalse();
  }

  @Test
  void authenticateShouldNotThrottleWhenClientExempt() throws Exception {
    AuthThrottle t =
        AuthThrottle.wrap(passwords, AuthLimits.DEFAULTS.withExempt(Cidr.LOOPBACK), clock);
    for (int i = 0; i < 50; i++) {
      assertThat(t.authenticate(session(ip("127.0.0.1")), "", "a@example.com", "bad")).isEmpty();
    }
    assertThat(t.authenticate(session(ip("127.0.0.1")), "", "a@example.com", "secret")).isPresent();
  }

  @Test
  void trackedShouldStayBoundedForAnyAttack() {
    qt().forAll(lists().of(integers().all()).ofSizeBetween(0, 2000), integers().between(1, 200))
        .checkAssert(
            (sources, max) -> {
              AuthThrottle t =
                  AuthThrottle.wrap(passwords, AuthLimits.DEFAULTS.withMaxTracked(max), clock);
              int most = 0;
              for (int a : sources) {
                try {
                  t.authenticate(
                      session(Sessions.ipv4(a)), "", "user" + (a & 0xFFF) + "@example.com", "x");
                } catch (RejectException | IOException e) {
                  // locked out: fine
                }
                most = Math.max(most, t.tracked());
              }
              assertThat(most).isLessThanOrEqualTo(2 * max);
            });
  }

  @Test
  void limitsShouldRefuseInconsistentDurations() {
    assertThatThrownBy(
            () ->
                AuthLimits.DEFAULTS.withDurations(
                    Duration.ofMinutes(5), Duration.ofHours(2), Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(AuthLimits.DEFAULTS.exempt()).isEqualTo(List.of());
  }
}
