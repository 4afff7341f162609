package org.carbonio.directory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginCacheTest {
  @Test
  void matchesShouldFailWhenForgottenExpiredEvictedOrHashChanged() {
    LoginGuardTest.MutableTime t = new LoginGuardTest.MutableTime();
    LoginCache c = new LoginCache(t, Duration.ofSeconds(60), 2);
    c.put("a", "{H}1", "pw");
    assertThat(c.matches("a", "{H}1", "pw")).isTrue();
    assertThat(c.matches("a", "{H}2", "pw")).isFalse();
    assertThat(c.matches("a", "{H}1", "pW")).isFalse();
    c.forget("a");
    assertThat(c.matches("a", "{H}1", "pw")).isFalse();
    c.put("a", "{H}1", "pw");
    t.now = t.now.plusSeconds(60);
    assertThat(c.matches("a", "{H}1", "pw")).isFalse();
    c.put("a", "{H}1", "pw");
    c.put("b", "{H}1", "pw");
    c.put("c", "{H}1", "pw"); // full: cleared, then c added
    assertThat(c.matches("a", "{H}1", "pw")).isFalse();
    assertThat(c.matches("c", "{H}1", "pw")).isTrue();
  }

  @Test
  void matchesShouldFailWhenTtlIsZero() {
    LoginCache c = new LoginCache(new LoginGuardTest.MutableTime(), Duration.ZERO, 10);
    c.put("a", "{H}1", "pw");
    assertThat(c.matches("a", "{H}1", "pw")).isFalse();
  }
}
