package org.carbonio.smtp.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.carbonio.smtp.abuse.Sessions.ip;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import org.junit.jupiter.api.Test;

class CidrTest {

  @Test
  void containsShouldMatchTheNetworkWhenIpv4() {
    Cidr net = Cidr.parse("192.0.2.17/24");
    assertThat(net.toString()).isEqualTo("192.0.2.0/24");
    assertThat(net.contains(ip("192.0.2.200"))).isTrue();
    assertThat(net.contains(ip("192.0.3.1"))).isFalse();
    assertThat(net.contains(ip("::ffff:192.0.2.9"))).isTrue();
    assertThat(net.contains(ip("2001:db8::1"))).isFalse();
  }

  @Test
  void containsShouldMatchThePrefixWhenIpv6() {
    Cidr net = Cidr.parse("2001:db8:1::/48");
    assertThat(net.contains(ip("2001:db8:1:ffff::1"))).isTrue();
    assertThat(net.contains(ip("2001:db8:2::1"))).isFalse();
    assertThat(Cidr.LOOPBACK.get(1).contains(ip("::1"))).isTrue();
  }

  @Test
  void parseShouldRefuseWhenNotANetwork() {
    assertThatThrownBy(() -> Cidr.parse("example.com/24"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cidr.parse("192.0.2.0/33"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cidr.parse("192.0.2.0/x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cidr.parse("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void containsShouldAgreeWithMaskArithmeticForEveryPrefix() {
    qt().forAll(integers().all(), integers().all(), integers().between(0, 32))
        .checkAssert(
            (a, b, prefix) -> {
              Cidr net = new Cidr(Sessions.ipv4(a), prefix);
              long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
              boolean same = ((a & 0xFFFFFFFFL) & mask) == ((b & 0xFFFFFFFFL) & mask);
              assertThat(net.contains(Sessions.ipv4(b))).isEqualTo(same);
            });
  }
}
