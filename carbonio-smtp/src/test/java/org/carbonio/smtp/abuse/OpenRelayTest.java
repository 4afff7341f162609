package org.carbonio.smtp.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.carbonio.smtp.abuse.OpenRelayCheck.assertNoOpenRelay;
import static org.carbonio.smtp.abuse.OpenRelayCheck.localDomainsOnly;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.junit.jupiter.api.Test;

/** No abuse control turns a refusal into an acceptance: none of them can open a relay. */
class OpenRelayTest {

  private static final String LOCAL = "example.com";
  private final RecipientPolicy localOnly = localDomainsOnly(Set.of(LOCAL));
  private final TestClock clock = new TestClock();

  @Test
  void localDomainsOnlyShouldRefuseEveryForeignRecipient() {
    assertNoOpenRelay(localOnly, LOCAL);
    assertThat(localOnly.check(Sessions.rcpt(Sessions.ip("192.0.2.1"), "", "u@Example.COM")))
        .isEqualTo(RecipientDecision.accept());
  }

  @Test
  void clientLimiterShouldNotOpenARelayWhenWrappingALocalPolicy() {
    ClientLimiter limiter =
        ClientLimiter.create(
            ClientLimits.DEFAULTS.withExempt(List.of()).withMaxRecipientsPerWindow(0), clock);
    assertNoOpenRelay(limiter.limitRecipients(localOnly), LOCAL);
    ClientLimiter none = ClientLimiter.create(ClientLimits.NONE, clock);
    assertNoOpenRelay(none.limitRecipients(localOnly), LOCAL);
  }

  @Test
  void greylistShouldNotOpenARelayEvenForWhitelistedAndExemptClients() {
    try (Greylist g =
        Greylist.builder(localOnly)
            .clock(clock)
            .delay(Duration.ZERO)
            .autoWhitelistAfter(1)
            .exempt(s -> true)
            .exemptNetworks(List.of(org.carbonio.smtp.abuse.Cidr.parse("0.0.0.0/0")))
            .build()) {
      assertNoOpenRelay(g, LOCAL);
    }
    try (Greylist g = Greylist.builder(localOnly).clock(clock).delay(Duration.ZERO).build()) {
      for (int i = 0; i < 10; i++) {
        g.check(Sessions.rcpt(Sessions.ipv4(i), "a@x.example", "u" + i + "@" + LOCAL));
      }
      assertNoOpenRelay(g, LOCAL);
    }
  }

  /**
   * {@link RecipientPolicy#ACCEPT_ALL}, the default of {@code SmtpServer.builder()}, accepts any
   * recipient: the server relays nothing itself (the {@code DeliveryHandler} decides where mail
   * goes), but an embedder whose handler forwards mail must set a policy like {@link
   * OpenRelayCheck#localDomainsOnly}. This test pins that fact so that the README's warning stays
   * true.
   */
  @Test
  void acceptAllShouldAcceptForeignRecipientsSoForwardingEmbeddersMustSetAPolicy() {
    assertThat(
            RecipientPolicy.ACCEPT_ALL.check(
                Sessions.rcpt(Sessions.ip("203.0.113.1"), "", "user@victim.example")))
        .isEqualTo(RecipientDecision.accept());
  }
}
