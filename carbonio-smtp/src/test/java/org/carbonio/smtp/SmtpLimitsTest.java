package org.carbonio.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmtpLimitsTest {

  @Test
  void defaultsShouldSeparateDeliveryFromRecipientCheckWhenUnchanged() {
    // RFC 5321 §4.5.3.2.6: a client waits 10 minutes for the reply to the final dot
    assertThat(SmtpLimits.DEFAULTS.deliveryTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(SmtpLimits.DEFAULTS.recipientCheckTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(SmtpLimits.DEFAULTS.writeTimeout()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void withersShouldChangeOnlyTheirComponentWhenCalled() {
    SmtpLimits l =
        SmtpLimits.DEFAULTS
            .withWriteTimeout(Duration.ofSeconds(7))
            .withRecipientCheckTimeout(Duration.ofSeconds(8))
            .withDeliveryTimeout(Duration.ofSeconds(9));
    assertThat(l.writeTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(l.recipientCheckTimeout()).isEqualTo(Duration.ofSeconds(8));
    assertThat(l.deliveryTimeout()).isEqualTo(Duration.ofSeconds(9));
    assertThat(l.idleTimeout()).isEqualTo(SmtpLimits.DEFAULTS.idleTimeout());
    assertThat(l.dataTimeout()).isEqualTo(SmtpLimits.DEFAULTS.dataTimeout());
    assertThat(l.maxConnections()).isEqualTo(SmtpLimits.DEFAULTS.maxConnections());
    assertThat(l.spoolThreshold()).isEqualTo(SmtpLimits.DEFAULTS.spoolThreshold());
  }

  @Test
  void constructorShouldRejectTimeoutsWhenNotPositive() {
    assertThatThrownBy(() -> SmtpLimits.DEFAULTS.withWriteTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writeTimeout");
    assertThatThrownBy(() -> SmtpLimits.DEFAULTS.withDeliveryTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deliveryTimeout");
    assertThatThrownBy(() -> SmtpLimits.DEFAULTS.withRecipientCheckTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("recipientCheckTimeout");
  }

  @Test
  void maxAuthFailuresShouldDefaultToThreeAndKeepOtherComponents() {
    assertThat(SmtpLimits.DEFAULTS.maxAuthFailures()).isEqualTo(3);
    SmtpLimits l = SmtpLimits.DEFAULTS.withMaxRecipients(7).withMaxAuthFailures(5);
    assertThat(l.maxAuthFailures()).isEqualTo(5);
    assertThat(l.maxRecipients()).isEqualTo(7);
    assertThat(l.withSpoolThreshold(1).maxAuthFailures()).isEqualTo(5);
    assertThatThrownBy(() -> SmtpLimits.DEFAULTS.withMaxAuthFailures(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAuthFailures");
    // the constructor of before AUTH still works and takes the default
    SmtpLimits old =
        new SmtpLimits(
            1000,
            10,
            10,
            10,
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            10,
            0);
    assertThat(old.maxAuthFailures()).isEqualTo(SmtpLimits.DEFAULT_MAX_AUTH_FAILURES);
  }
}
