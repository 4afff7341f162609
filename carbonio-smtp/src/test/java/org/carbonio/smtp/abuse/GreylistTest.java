package org.carbonio.smtp.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.carbonio.smtp.abuse.Sessions.ip;
import static org.carbonio.smtp.abuse.Sessions.rcpt;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GreylistTest {

  private static final RecipientDecision ACCEPT = RecipientDecision.accept();
  private final TestClock clock = new TestClock();
  private final InetAddress mta = ip("192.0.2.1");

  private Greylist.Builder builder() {
    return Greylist.builder(RecipientPolicy.ACCEPT_ALL).clock(clock);
  }

  private static RecipientDecision greylisted(long seconds) {
    return RecipientDecision.reject(
        451, "4.7.1", "Greylisted, try again in " + seconds + " seconds");
  }

  @Test
  void checkShouldGreylistFirstThenAcceptAfterTheDelay() {
    try (Greylist g = builder().build()) {
      assertThat(g.check(rcpt(mta, "a@example.net", "b@example.com"))).isEqualTo(greylisted(300));
      clock.advance(Duration.ofSeconds(100));
      assertThat(g.check(rcpt(mta, "a@example.net", "b@example.com"))).isEqualTo(greylisted(200));
      assertThat(g.check(rcpt(mta, "a@example.net", "c@example.com"))).isEqualTo(greylisted(300));
      clock.advance(Duration.ofSeconds(200));
      assertThat(g.check(rcpt(ip("192.0.2.77"), "A@Example.NET", "b@example.com")))
          .as("same /24, any case")
          .isEqualTo(ACCEPT);
      clock.advance(Duration.ofDays(30));
      assertThat(g.check(rcpt(mta, "a@example.net", "b@example.com"))).isEqualTo(ACCEPT);
      clock.advance(Duration.ofDays(36));
      assertThat(g.check(rcpt(mta, "a@example.net", "b@example.com"))).isEqualTo(greylisted(300));
    }
  }

  @Test
  void checkShouldGreylistAgainWhenTheRetryComesAfterTheWindow() {
    try (Greylist g = builder().build()) {
      g.check(rcpt(mta, "a@example.net", "b@example.com"));
      clock.advance(Duration.ofHours(25));
      assertThat(g.check(rcpt(mta, "a@example.net", "b@example.com"))).isEqualTo(greylisted(300));
      clock.advance(Duration.ofMinutes(5));
      assertThat(g.check(rcpt(mta, "a@example.net", "b@example.com"))).isEqualTo(ACCEPT);
    }
  }

  @Test
  void checkShouldWhitelistTheClientWhenItPassedFiveTimes() {
    try (Greylist g = builder().build()) {
      for (int i = 0; i < 5; i++) {
        g.check(rcpt(mta, "s" + i + "@example.net", "b@example.com"));
      }
      clock.advance(Duration.ofMinutes(5));
      for (int i = 0; i < 4; i++) {
        assertThat(g.check(rcpt(mta, "s" + i + "@example.net", "b@example.com"))).isEqualTo(ACCEPT);
      }
      assertThat(g.check(rcpt(mta, "new@example.net", "b@example.com"))).isEqualTo(greylisted(300));
      assertThat(g.check(rcpt(mta, "s4@example.net", "b@example.com"))).isEqualTo(ACCEPT);
      assertThat(g.check(rcpt(ip("192.0.2.200"), "other@example.org", "z@example.com")))
          .isEqualTo(ACCEPT);
      assertThat(g.check(rcpt(ip("192.0.3.1"), "other@example.org", "z@example.com")))
          .isEqualTo(greylisted(300));
    }
  }

  @Test
  void checkShouldNotGreylistWhenExempt() {
    try (Greylist g =
        builder()
            .exempt(s -> s.heloName().equals("trusted.example"))
            .exemptNetworks(List.of(Cidr.parse("198.51.100.0/24")))
            .build()) {
      assertThat(g.check(rcpt(ip("198.51.100.9"), "a@x.example", "b@example.com")))
          .isEqualTo(ACCEPT);
      var s = Sessions.session(ip("203.0.113.1")).withHelo("trusted.example", true);
      assertThat(
              g.check(new org.carbonio.smtp.spi.RecipientCheck(s, "a@x.example", "b@example.com")))
          .isEqualTo(ACCEPT);
      assertThat(g.check(rcpt(ip("203.0.113.1"), "a@x.example", "b@example.com")))
          .isInstanceOf(RecipientDecision.Reject.class);
      assertThat(g.trackedTriplets()).isEqualTo(1);
    }
  }

  @Test
  void checkShouldNotGreylistLoopbackByDefault() {
    try (Greylist g = builder().build()) {
      assertThat(g.check(rcpt(ip("127.0.0.1"), "a@x.example", "b@example.com"))).isEqualTo(ACCEPT);
      assertThat(g.check(rcpt(ip("::1"), "a@x.example", "b@example.com"))).isEqualTo(ACCEPT);
      assertThat(g.trackedTriplets()).isZero();
    }
  }

  @Test
  void checkShouldNeverAcceptWhatTheDelegateRefused() {
    RecipientDecision relayDenied = RecipientDecision.reject(550, "5.7.1", "Relaying denied");
    try (Greylist g =
        Greylist.builder(c -> relayDenied).clock(clock).delay(Duration.ZERO).build()) {
      qt().forAll(integers().all(), strings().basicLatinAlphabet().ofLengthBetween(0, 20))
          .checkAssert(
              (a, local) -> {
                clock.advance(Duration.ofMinutes(10));
                assertThat(g.check(rcpt(Sessions.ipv4(a), local + "@x.example", "v@y.example")))
                    .isEqualTo(relayDenied);
              });
      assertThat(g.trackedTriplets()).isZero();
    }
  }

  @Test
  void checkShouldAcceptOnlyRetriesAfterTheDelayForAnyTiming() {
    // retries of one triplet at random gaps (seconds): accepted iff some attempt of the current
    // greylisting round was at least 300 s after the round's first attempt and within 24 h
    qt().forAll(lists().of(integers().between(0, 400)).ofSizeBetween(1, 30))
        .checkAssert(
            gaps -> {
              TestClock c = new TestClock();
              try (Greylist g = Greylist.builder(RecipientPolicy.ACCEPT_ALL).clock(c).build()) {
                long first = -1;
                boolean passed = false;
                for (int gap : gaps) {
                  c.advance(Duration.ofSeconds(gap));
                  long now = c.millis();
                  if (first < 0) {
                    first = now;
                  }
                  boolean expect = passed || now - first >= 300_000;
                  RecipientDecision d = g.check(rcpt(mta, "a@example.net", "b@example.com"));
                  assertThat(d instanceof RecipientDecision.Accept).isEqualTo(expect);
                  passed = expect;
                }
              }
            });
  }

  @Test
  void trackedTripletsShouldStayBoundedWhenManyTripletsArrive() {
    try (Greylist g = builder().maxEntries(5_000).build()) {
      int most = 0;
      for (int i = 0; i < 200_000; i++) {
        g.check(rcpt(Sessions.ipv4(0x0A000000 + (i >>> 4)), "s@example.net", i + "@example.com"));
        most = Math.max(most, Math.max(g.trackedTriplets(), g.trackedClients()));
      }
      assertThat(most).isLessThanOrEqualTo(5_000);
    }
  }

  @Test
  void buildShouldRestoreTheStateWhenPersisted(@TempDir Path dir) throws IOException {
    try (Greylist g = builder().persistence(dir).build()) {
      g.check(rcpt(mta, "old@example.net", "b@example.com"));
      clock.advance(Duration.ofMinutes(5));
      assertThat(g.check(rcpt(mta, "old@example.net", "b@example.com"))).isEqualTo(ACCEPT);
      g.check(rcpt(mta, "pending@example.net", "b@example.com"));
      g.flush();
    }
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList())
        .containsExactly(Greylist.FILE);
    clock.advance(Duration.ofMinutes(1));
    try (Greylist g = builder().persistence(dir).build()) {
      assertThat(g.check(rcpt(mta, "old@example.net", "b@example.com"))).isEqualTo(ACCEPT);
      assertThat(g.check(rcpt(mta, "pending@example.net", "b@example.com")))
          .isEqualTo(greylisted(240));
    }
  }

  @Test
  void buildShouldKeepWhatWasReadWhenTheFileIsTruncated(@TempDir Path dir) throws IOException {
    try (Greylist g = builder().persistence(dir).build()) {
      for (int i = 0; i < 100; i++) {
        g.check(rcpt(mta, "s" + i + "@example.net", "b@example.com"));
      }
    } // close writes the state
    Path file = dir.resolve(Greylist.FILE);
    byte[] all = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(all, all.length / 2));
    try (Greylist g = builder().persistence(dir).build()) {
      assertThat(g.trackedTriplets()).isBetween(40, 60);
    }
    Files.write(file, new byte[] {1, 2, 3, 4, 5, 6});
    try (Greylist g = builder().persistence(dir).build()) {
      assertThat(g.trackedTriplets()).isZero();
    }
  }
}
