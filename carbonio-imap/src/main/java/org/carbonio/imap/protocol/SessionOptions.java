package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.time.Clock;

/**
 * Immutable: server-wide settings an {@link ImapSession} needs.
 *
 * @param greeting text of the {@code * OK} greeting
 * @param tlsAvailable whether STARTTLS can be offered
 * @param allowPlaintextAuth whether LOGIN/AUTHENTICATE work without TLS (default false)
 * @param appendLimit APPENDLIMIT advertised (RFC 7889)
 * @param clock the clock for APPEND without date-time
 */
public record SessionOptions(
    String greeting,
    boolean tlsAvailable,
    boolean allowPlaintextAuth,
    long appendLimit,
    Clock clock) {
  public SessionOptions {
    requireNonNull(greeting, "greeting");
    requireNonNull(clock, "clock");
    if (appendLimit < 0) throw new IllegalArgumentException("appendLimit " + appendLimit);
  }
}
