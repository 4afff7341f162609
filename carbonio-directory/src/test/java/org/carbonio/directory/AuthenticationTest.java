package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.carbonio.directory.Fixtures.ip;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticationTest {
  @TempDir Path dir;
  final MutableClock clock = new MutableClock();
  static final InetAddress A = ip("192.0.2.1");
  static final InetAddress B = ip("192.0.2.2");

  EmbeddedDirectory open(DirectoryLimits limits) throws Exception {
    EmbeddedDirectory d =
        EmbeddedDirectory.builder().dataDir(dir).limits(limits).clock(clock).build();
    d.createDomain("example.com");
    d.createAccount("alice@example.com", "right");
    d.createAccount("bob@example.com", "right");
    return d;
  }

  @Test
  void authenticateShouldRefuseRightPasswordWhenAccountAndClientHitTheLimit() throws Exception {
    try (EmbeddedDirectory d = open(Fixtures.FAST)) {
      for (int i = 0; i < 10; i++) {
        assertThat(d.authenticate("alice@example.com", "wrong" + i, A)).isEmpty();
      }
      assertThat(d.authenticate("alice@example.com", "right", A)).isEmpty();
      // other client, other account: unaffected
      assertThat(d.authenticate("alice@example.com", "right", B)).isPresent();
      assertThat(d.authenticate("bob@example.com", "right", A)).isPresent();

      clock.advance(Duration.ofMinutes(4).plusSeconds(59));
      assertThat(d.authenticate("alice@example.com", "right", A)).isEmpty();
      clock.advance(Duration.ofSeconds(2));
      assertThat(d.authenticate("alice@example.com", "right", A)).isPresent();
    }
  }

  @Test
  void authenticateShouldNotBlockWhenFailuresStayBelowTheLimit() throws Exception {
    try (EmbeddedDirectory d = open(Fixtures.FAST)) {
      for (int i = 0; i < 9; i++) {
        assertThat(d.authenticate("alice@example.com", "wrong", A)).isEmpty();
      }
      assertThat(d.authenticate("alice@example.com", "right", A)).isPresent();
      // success reset the account+client counter: 9 more failures are tolerated
      for (int i = 0; i < 9; i++) {
        assertThat(d.authenticate("alice@example.com", "wrong", A)).isEmpty();
      }
      assertThat(d.authenticate("alice@example.com", "right", A)).isPresent();
    }
  }

  @Test
  void authenticateShouldRefuseClientWhenItSpraysManyAccounts() throws Exception {
    try (EmbeddedDirectory d = open(Fixtures.FAST.withMaxFailuresPerClient(5))) {
      for (int i = 0; i < 5; i++) {
        assertThat(d.authenticate("user" + i + "@example.com", "guess", A)).isEmpty();
      }
      assertThat(d.authenticate("bob@example.com", "right", A)).isEmpty();
      assertThat(d.authenticate("bob@example.com", "right", B)).isPresent();
      clock.advance(Duration.ofMinutes(5).plusSeconds(1));
      assertThat(d.authenticate("bob@example.com", "right", A)).isPresent();
    }
  }

  @Test
  void authenticateShouldRefuseFailingClientsButNotOwnerWhenManyClientsFail() throws Exception {
    try (EmbeddedDirectory d = open(Fixtures.FAST.withMaxFailuresPerAccount(4))) {
      for (int i = 0; i < 4; i++) {
        assertThat(d.authenticate("alice@example.com", "guess", ip("198.51.100." + i))).isEmpty();
      }
      // an attacking address is refused even with the right password ...
      assertThat(d.authenticate("alice@example.com", "right", ip("198.51.100.0"))).isEmpty();
      // ... while the owner, from an address that never failed, still gets in
      assertThat(d.authenticate("alice@example.com", "right", B)).isPresent();
      assertThat(d.authenticate("bob@example.com", "right", B)).isPresent();
    }
  }

  @Test
  void authenticateShouldCountIpv6ClientsPerSlash64WhenAddressesShareAPrefix() throws Exception {
    try (EmbeddedDirectory d = open(Fixtures.FAST.withMaxFailuresPerAccountAndClient(3))) {
      for (int i = 1; i <= 3; i++) {
        assertThat(d.authenticate("alice@example.com", "guess", ip("2001:db8::" + i))).isEmpty();
      }
      assertThat(d.authenticate("alice@example.com", "right", ip("2001:db8::ff"))).isEmpty();
      assertThat(d.authenticate("alice@example.com", "right", ip("2001:db8:0:1::1"))).isPresent();
    }
  }

  @Test
  void authenticateShouldRejectOldPasswordAtOnceWhenPasswordChangedWhileCached() throws Exception {
    try (EmbeddedDirectory d = open(Fixtures.FAST)) {
      assertThat(d.authenticate("alice@example.com", "right", A)).isPresent(); // now cached
      assertThat(d.authenticate("alice@example.com", "right", A)).isPresent(); // cache hit
      d.setPassword("alice@example.com", "changed");
      assertThat(d.authenticate("alice@example.com", "right", A)).isEmpty();
      assertThat(d.authenticate("alice@example.com", "changed", A)).isPresent();
      assertThat(d.authenticate("alice@example.com", "changed", A)).isPresent();
      clock.advance(Duration.ofSeconds(61)); // expired: verified again with the slow hash
      assertThat(d.authenticate("alice@example.com", "changed", A)).isPresent();
      assertThat(d.authenticate("alice@example.com", "wrong", A)).isEmpty();
    }
  }

  @Test
  void authenticateShouldRefuseDeletedAccountWhenItWasCached() throws Exception {
    try (EmbeddedDirectory d = open(Fixtures.FAST)) {
      assertThat(d.authenticate("alice@example.com", "right", A)).isPresent();
      d.deleteAccount("alice@example.com");
      assertThat(d.authenticate("alice@example.com", "right", A)).isEmpty();
      d.createAccount("alice@example.com", "new");
      assertThat(d.authenticate("alice@example.com", "right", A)).isEmpty();
      assertThat(d.authenticate("alice@example.com", "new", A)).isPresent();
    }
  }

  @Test
  void authenticateShouldNeverFailWhenEightThreadsUseTheRightPassword() throws Exception {
    // cache off: every call runs PBKDF2 concurrently
    concurrentLogins(Fixtures.FAST.withLoginCacheTtl(Duration.ZERO), 40);
    // cache on: mostly cache hits, racing with misses
    concurrentLogins(Fixtures.FAST, 200);
  }

  private void concurrentLogins(DirectoryLimits limits, int perThread) throws Exception {
    try (EmbeddedDirectory d = open(limits);
        ExecutorService pool = Executors.newFixedThreadPool(8)) {
      d.createAccount("carol@example.com", "pässwörd ✓");
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        String user = (t % 2 == 0 ? "carol" : "CAROL") + "@example.com";
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  int ok = 0;
                  for (int i = 0; i < perThread; i++) {
                    if (d.authenticate(user, "pässwörd ✓", A).isPresent()) {
                      ok++;
                    }
                  }
                  return ok;
                }));
      }
      start.countDown();
      for (Future<Integer> f : results) {
        assertThat(f.get(2, TimeUnit.MINUTES)).isEqualTo(perThread);
      }
    }
    java.nio.file.Files.delete(dir.resolve("directory.ldif"));
  }
}
