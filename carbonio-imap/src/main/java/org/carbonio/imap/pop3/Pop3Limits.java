package org.carbonio.imap.pop3;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Immutable: resource bounds of a {@link Pop3Server}.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>limit</th><th>default</th><th>when exceeded</th></tr>
 *   <tr><td>maxLineLength (octets with CRLF; RFC 2449 §4 asks for 255 at least, SASL responses
 *       need more)</td><td>{@value #DEFAULT_MAX_LINE_LENGTH}</td><td>{@code -ERR}, the rest of the
 *       line skipped; counts as a bad command</td></tr>
 *   <tr><td>maxBadCommands (unknown, malformed, over-long)</td>
 *       <td>{@value #DEFAULT_MAX_BAD_COMMANDS}</td><td>{@code -ERR}, close</td></tr>
 *   <tr><td>maxAuthFailures</td><td>{@value #DEFAULT_MAX_AUTH_FAILURES}</td>
 *       <td>{@code -ERR [AUTH]}, close</td></tr>
 *   <tr><td>idleTimeout (RFC 1939 §3: at least 10 minutes)</td><td>10 minutes</td>
 *       <td>{@code -ERR}, close without UPDATE</td></tr>
 *   <tr><td>writeTimeout (one write blocked on a client that does not read)</td><td>60 seconds</td>
 *       <td>connection reset, no UPDATE</td></tr>
 *   <tr><td>loginDelay (RFC 2449 §8.1.2, between two logins to one maildrop)</td><td>0 (off)</td>
 *       <td>{@code -ERR [LOGIN-DELAY]}</td></tr>
 *   <tr><td>maxConnections</td><td>10000</td><td>closed at accept</td></tr>
 * </table>
 */
public record Pop3Limits(
    int maxLineLength,
    int maxBadCommands,
    int maxAuthFailures,
    Duration idleTimeout,
    Duration writeTimeout,
    Duration loginDelay,
    int maxConnections) {

  public static final int DEFAULT_MAX_LINE_LENGTH = 4096;
  public static final int DEFAULT_MAX_BAD_COMMANDS = 10;
  public static final int DEFAULT_MAX_AUTH_FAILURES = 3;

  public static final Pop3Limits DEFAULTS =
      new Pop3Limits(
          DEFAULT_MAX_LINE_LENGTH,
          DEFAULT_MAX_BAD_COMMANDS,
          DEFAULT_MAX_AUTH_FAILURES,
          Duration.ofMinutes(10),
          Duration.ofSeconds(60),
          Duration.ZERO,
          10_000);

  public Pop3Limits {
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(writeTimeout, "writeTimeout");
    requireNonNull(loginDelay, "loginDelay");
    if (maxLineLength < 255) throw new IllegalArgumentException("maxLineLength " + maxLineLength);
    if (maxBadCommands < 0) throw new IllegalArgumentException("maxBadCommands " + maxBadCommands);
    if (maxAuthFailures < 1) {
      throw new IllegalArgumentException("maxAuthFailures " + maxAuthFailures);
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout " + idleTimeout);
    }
    if (writeTimeout.isNegative() || writeTimeout.isZero()) {
      throw new IllegalArgumentException("writeTimeout " + writeTimeout);
    }
    if (loginDelay.isNegative()) throw new IllegalArgumentException("loginDelay " + loginDelay);
    if (maxConnections < 1) throw new IllegalArgumentException("maxConnections " + maxConnections);
  }

  public Pop3Limits withMaxLineLength(int v) {
    return new Pop3Limits(
        v, maxBadCommands, maxAuthFailures, idleTimeout, writeTimeout, loginDelay, maxConnections);
  }

  public Pop3Limits withMaxBadCommands(int v) {
    return new Pop3Limits(
        maxLineLength, v, maxAuthFailures, idleTimeout, writeTimeout, loginDelay, maxConnections);
  }

  public Pop3Limits withMaxAuthFailures(int v) {
    return new Pop3Limits(
        maxLineLength, maxBadCommands, v, idleTimeout, writeTimeout, loginDelay, maxConnections);
  }

  public Pop3Limits withIdleTimeout(Duration v) {
    return new Pop3Limits(
        maxLineLength,
        maxBadCommands,
        maxAuthFailures,
        v,
        writeTimeout,
        loginDelay,
        maxConnections);
  }

  public Pop3Limits withWriteTimeout(Duration v) {
    return new Pop3Limits(
        maxLineLength, maxBadCommands, maxAuthFailures, idleTimeout, v, loginDelay, maxConnections);
  }

  public Pop3Limits withLoginDelay(Duration v) {
    return new Pop3Limits(
        maxLineLength,
        maxBadCommands,
        maxAuthFailures,
        idleTimeout,
        writeTimeout,
        v,
        maxConnections);
  }

  public Pop3Limits withMaxConnections(int v) {
    return new Pop3Limits(
        maxLineLength, maxBadCommands, maxAuthFailures, idleTimeout, writeTimeout, loginDelay, v);
  }
}
