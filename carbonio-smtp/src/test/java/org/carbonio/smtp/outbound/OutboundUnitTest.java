package org.carbonio.smtp.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Dot-stuffing, MTA-STS policies, EHLO parsing, xtext and the configuration. */
class OutboundUnitTest {

  private static String stuff(String in, int chunk) {
    DotStuffer s = new DotStuffer();
    byte[] bytes = in.getBytes(UTF_8);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < bytes.length; i += chunk) {
      int n = Math.min(chunk, bytes.length - i);
      byte[] part = java.util.Arrays.copyOfRange(bytes, i, i + n);
      byte[] o = new byte[2 * n + 8];
      out.append(new String(o, 0, s.stuff(part, n, o), UTF_8));
    }
    byte[] o = new byte[8];
    out.append(new String(o, 0, s.finish(o), UTF_8));
    return out.toString();
  }

  @Test
  void stuffShouldDoubleLeadingDotsAndEndWithDotWhenLinesStartWithDot() {
    assertThat(stuff(".a\r\nb\r\n..c\r\n", 100)).isEqualTo("..a\r\nb\r\n...c\r\n.\r\n");
  }

  @Test
  void stuffShouldAddCrlfWhenLastLineUnterminatedOrBareLf() {
    assertThat(stuff("a\nb", 100)).isEqualTo("a\r\nb\r\n.\r\n");
    assertThat(stuff("a\r", 100)).isEqualTo("a\r\n.\r\n");
    assertThat(stuff("", 100)).isEqualTo(".\r\n");
  }

  @Test
  void stuffShouldNeverEmitEndOfDataWhenInputIsArbitrary() {
    qt().forAll(strings().basicLatinAlphabet().ofLengthBetween(0, 60))
        .checkAssert(
            text -> {
              for (int chunk = 1; chunk <= 4; chunk++) {
                String out = stuff(text.replace('#', '\r').replace('~', '\n'), chunk);
                // only the final terminator ends the data (RFC 5321 §4.5.2)
                assertThat(out.indexOf("\r\n.\r\n")).isIn(-1, out.length() - 5);
                assertThat(out).endsWith(".\r\n");
                assertThat(out.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
              }
            });
  }

  @Test
  void parseShouldReadPolicyWhenWellFormed() {
    MtaStsPolicy p =
        MtaStsPolicy.parse(
                "version: STSv1\r\nmode: enforce\nmx: mx1.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\nextra: x\r\n")
            .orElseThrow();
    assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
    assertThat(p.maxAge()).isEqualTo(Duration.ofDays(7));
    assertThat(p.matches("MX1.example.com.")).isTrue();
    assertThat(p.matches("a.example.net")).isTrue();
    assertThat(p.matches("a.b.example.net")).isFalse(); // RFC 8461 §4.1: one label only
    assertThat(p.matches("example.net")).isFalse();
    assertThat(p.matches("mx2.example.com")).isFalse();
  }

  @Test
  void parseShouldRejectPolicyWhenFieldMissingOrInvalid() {
    assertThat(MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmax_age: 10\n")).isEmpty();
    assertThat(MtaStsPolicy.parse("version: STSv2\nmode: enforce\nmx: a\nmax_age: 10\n")).isEmpty();
    assertThat(MtaStsPolicy.parse("version: STSv1\nmode: strict\nmx: a\nmax_age: 10\n")).isEmpty();
    assertThat(MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: a\nmax_age: -1\n")).isEmpty();
    assertThat(MtaStsPolicy.parse("version: STSv1\nmode: none\nmax_age: 10\n")).isPresent();
    assertThat(MtaStsPolicy.parse("version: STSv1\nmode: testing\nmx: a\nmax_age: 99999999999\n"))
        .isEmpty();
    assertThat(
            MtaStsPolicy.parse("version: STSv1\nmode: testing\nmx: a\nmax_age: 9999999999\n")
                .orElseThrow()
                .maxAge())
        .isEqualTo(Duration.ofSeconds(MtaStsPolicy.MAX_AGE_LIMIT));
  }

  @Test
  void ehloShouldListKeywordsAndAuthMechanisms() {
    Ehlo e =
        Ehlo.parse(
            Reply.of(250, List.of("mx", "PIPELINING", "auth plain LOGIN plain", "SIZE", "")));
    assertThat(e.has("PIPELINING")).isTrue();
    assertThat(e.authMechanisms()).containsExactlyInAnyOrder("PLAIN", "LOGIN");
    assertThat(e.maxSize()).isZero();
  }

  @Test
  void xtextShouldEncodePlusEqualsAndNonPrintable() {
    assertThat(OutboundDelivery.xtext("a+b=c d")).isEqualTo("a+2Bb+3Dc+20d");
    assertThat(OutboundDelivery.xtext("ü")).isEqualTo("+C3+BC");
  }

  @Test
  void buildShouldNameMissingHeloAndRejectBadLimits() {
    assertThatThrownBy(() -> OutboundConfig.builder().build()).hasMessageContaining("heloName");
    assertThatThrownBy(() -> OutboundConfig.builder().heloName("h").port(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OutboundConfig.builder().heloName("bad name").build())
        .isInstanceOf(IllegalArgumentException.class);
    OutboundConfig c = OutboundConfig.builder().heloName("h.example").build();
    assertThat(c.port()).isEqualTo(25);
    assertThat(c.toBuilder().port(2525).build().port()).isEqualTo(2525);
  }

  @Test
  void smarthostShouldHidePasswordWhenPrinted() {
    Smarthost s =
        Smarthost.of("relay.test", 587, Smarthost.Tls.STARTTLS).withCredentials("u", "hunter2");
    assertThat(s.toString()).doesNotContain("hunter2").contains("u");
  }
}
