package org.carbonio.directory.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlainAndLoginMechanismTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void plainShouldYieldCredentialsWhenMessageIsWellFormed() {
    PlainMechanism m = new PlainMechanism();
    assertThat(m.name()).isEqualTo("PLAIN");
    assertThat(m.initialChallenge().message()).isEmpty();
    SaslResult r = m.evaluate(utf8("\0tim\0tanstaaftanstaaf")); // RFC 4616 §4
    assertThat(r).isEqualTo(new SaslResult.CheckPassword("", "tim", "tanstaaftanstaaf"));
    assertThat(r.toString()).doesNotContain("tanstaaf");
    assertThat(new PlainMechanism().evaluate(utf8("tim\0tim\0pässword")))
        .isEqualTo(new SaslResult.CheckPassword("", "tim", "pässword"));
    assertThatThrownBy(() -> m.evaluate(utf8("\0a\0b"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void plainShouldRefuseOtherAuthzidUnlessPolicyAllows() {
    assertThat(new PlainMechanism().evaluate(utf8("Ursel\0Kurt\0xipj3plmq")))
        .isEqualTo(new SaslResult.Failure(SaslError.AUTHORIZATION_REFUSED));
    assertThat(new PlainMechanism(AuthzidPolicy.ANY).evaluate(utf8("Ursel\0Kurt\0xipj3plmq")))
        .isEqualTo(new SaslResult.CheckPassword("Ursel", "Kurt", "xipj3plmq"));
  }

  @Test
  void plainShouldFailWhenMessageIsMalformed() {
    for (String bad : new String[] {"", "\0\0pw", "\0user\0", "user\0pw", "a\0b\0c\0d"}) {
      assertThat(new PlainMechanism().evaluate(utf8(bad)))
          .as(bad.replace('\0', '|'))
          .isEqualTo(new SaslResult.Failure(SaslError.INVALID_ENCODING));
    }
    assertThat(new PlainMechanism().evaluate(new byte[] {0, 'a', 0, (byte) 0xc3}))
        .isEqualTo(new SaslResult.Failure(SaslError.INVALID_ENCODING));
  }

  @Test
  void plainShouldRoundTripWhenFieldsHaveNoNul() {
    qt().forAll(text().ofLengthBetween(1, 40), text().ofLengthBetween(1, 40))
        .assuming((u, p) -> u.indexOf('\0') < 0 && p.indexOf('\0') < 0)
        .checkAssert(
            (u, p) ->
                assertThat(new PlainMechanism().evaluate(utf8("\0" + u + "\0" + p)))
                    .isEqualTo(new SaslResult.CheckPassword("", u, p)));
  }

  @Test
  void loginShouldPromptForUsernameThenPassword() {
    LoginMechanism m = new LoginMechanism();
    assertThat(m.name()).isEqualTo("LOGIN");
    assertThat(m.initialChallenge()).isEqualTo(new SaslResult.Challenge("Username:"));
    assertThat(m.evaluate(utf8("tim"))).isEqualTo(new SaslResult.Challenge("Password:"));
    assertThat(m.evaluate(utf8("pässword")))
        .isEqualTo(new SaslResult.CheckPassword("", "tim", "pässword"));
    assertThatThrownBy(() -> m.evaluate(utf8("x"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void loginShouldFailWhenAnswerIsEmptyOrNotUtf8() {
    assertThat(new LoginMechanism().evaluate(new byte[0]))
        .isEqualTo(new SaslResult.Failure(SaslError.INVALID_ENCODING));
    LoginMechanism m = new LoginMechanism();
    m.evaluate(utf8("tim"));
    assertThat(m.evaluate(new byte[] {(byte) 0xff}))
        .isEqualTo(new SaslResult.Failure(SaslError.INVALID_ENCODING));
  }

  /** Text without lone surrogates (which UTF-8 cannot encode). */
  static org.quicktheories.generators.StringsDSL.StringGeneratorBuilder text() {
    return strings().betweenCodePoints(1, 0xD7FF);
  }
}
