package org.carbonio.smtp.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** RFC 7672 §2.2: the AD bit counts only over a trusted path to a validating resolver. */
class DnsjavaResolverTrustTest {

  @Test
  void trustedPathShouldBeTrueOnlyForLoopbackWhenNotTold() {
    assertThat(DnsjavaResolver.trustedPath(new InetSocketAddress("127.0.0.1", 53), false)).isTrue();
    assertThat(DnsjavaResolver.trustedPath(new InetSocketAddress("::1", 53), false)).isTrue();
    assertThat(DnsjavaResolver.trustedPath(new InetSocketAddress("192.0.2.53", 53), false))
        .isFalse();
    assertThat(DnsjavaResolver.trustedPath(new InetSocketAddress("2001:db8::53", 53), false))
        .isFalse();
  }

  @Test
  void trustedPathShouldBeTrueForRemoteWhenTrustAd() {
    assertThat(DnsjavaResolver.trustedPath(new InetSocketAddress("192.0.2.53", 53), true)).isTrue();
  }
}
