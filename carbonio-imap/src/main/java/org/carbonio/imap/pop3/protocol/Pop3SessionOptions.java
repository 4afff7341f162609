package org.carbonio.imap.pop3.protocol;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Immutable: server-wide settings a {@link Pop3Session} needs.
 *
 * @param greeting text of the {@code +OK} greeting (RFC 1939 §4)
 * @param implementation the CAPA {@code IMPLEMENTATION} text (RFC 2449 §6.9)
 * @param tlsAvailable whether STLS can be offered (RFC 2595 §4)
 * @param allowPlaintextAuth whether USER/PASS and plaintext SASL mechanisms work without TLS
 * @param mechanisms the SASL mechanisms offered, in CAPA order
 * @param maxBadCommands unknown or malformed commands (and over-long lines) tolerated; one more
 *     closes the connection
 * @param maxAuthFailures failed logins tolerated; the last one closes the connection
 * @param loginDelay the minimum time between two logins to one maildrop (RFC 2449 §8.1.2
 *     LOGIN-DELAY); zero for none
 * @param clock the clock for the login delay
 */
public record Pop3SessionOptions(
    String greeting,
    String implementation,
    boolean tlsAvailable,
    boolean allowPlaintextAuth,
    List<SaslOffer> mechanisms,
    int maxBadCommands,
    int maxAuthFailures,
    Duration loginDelay,
    Clock clock) {
  public Pop3SessionOptions {
    requireNonNull(greeting, "greeting");
    requireNonNull(implementation, "implementation");
    mechanisms = List.copyOf(mechanisms);
    requireNonNull(loginDelay, "loginDelay");
    requireNonNull(clock, "clock");
    if (maxBadCommands < 0) throw new IllegalArgumentException("maxBadCommands " + maxBadCommands);
    if (maxAuthFailures < 1) {
      throw new IllegalArgumentException("maxAuthFailures " + maxAuthFailures);
    }
    if (loginDelay.isNegative()) throw new IllegalArgumentException("loginDelay " + loginDelay);
    if (mechanisms.stream().map(SaslOffer::name).distinct().count() != mechanisms.size()) {
      throw new IllegalArgumentException("duplicate mechanism in " + mechanisms);
    }
  }

  /** Defaults for tests: plaintext allowed, no TLS, PLAIN and LOGIN, 10 bad commands, 3 fails. */
  public static Pop3SessionOptions defaults() {
    return new Pop3SessionOptions(
        "Carbonio POP3 ready",
        "Carbonio",
        false,
        true,
        List.of(SaslOffer.PLAIN, SaslOffer.LOGIN),
        10,
        3,
        Duration.ZERO,
        Clock.systemUTC());
  }
}
