package org.carbonio.directory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginGuardTest {
  final Clock clock = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

  static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void failedShouldStopCountingNewKeysWhenTableIsFull() throws Exception {
    LoginGuard g = new LoginGuard(clock, Duration.ofMinutes(5), 2, 100, 100, 5);
    g.failed("a", ip("192.0.2.1")); // 3 keys: pair, account, client
    g.failed("b", ip("192.0.2.1")); // 2 more (the client key is shared): full
    g.failed("c", ip("192.0.2.1")); // c's pair and account keys are not counted
    g.failed("a", ip("192.0.2.1"));
    assertThat(g.blocked("a", ip("192.0.2.1"))).isTrue();
    g.failed("c", ip("192.0.2.1"));
    assertThat(g.blocked("c", ip("192.0.2.1"))).isFalse();
  }

  @Test
  void blockedShouldSpareCleanClientsWhenAccountLimitReachedFromManyAddresses() throws Exception {
    LoginGuard g = new LoginGuard(clock, Duration.ofMinutes(5), 10, 3, 100, 1000);
    g.failed("victim", ip("198.51.100.1"));
    g.failed("victim", ip("198.51.100.2"));
    g.failed("victim", ip("198.51.100.3"));
    assertThat(g.blocked("victim", ip("198.51.100.1"))).as("an attacking address").isTrue();
    assertThat(g.blocked("victim", ip("203.0.113.7"))).as("the owner's clean address").isFalse();
    g.failed("victim", ip("198.51.100.4"));
    assertThat(g.blocked("victim", ip("198.51.100.4"))).as("one guess per new address").isTrue();
  }

  @Test
  void clientKeyShouldUseSlash64WhenAddressIsIpv6() throws Exception {
    assertThat(LoginGuard.clientKey(ip("2001:db8:1:2:3:4:5:6")))
        .isEqualTo("2001:db8:1:2:0:0:0:0/64");
    assertThat(LoginGuard.clientKey(ip("192.0.2.9"))).isEqualTo("192.0.2.9");
  }

  static final class MutableTime extends Clock {
    Instant now = Instant.parse("2025-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
