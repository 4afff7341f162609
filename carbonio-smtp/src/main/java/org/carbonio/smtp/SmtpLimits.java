package org.carbonio.smtp;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Every size, count and time bound of an SMTP listener. Immutable.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>component</th><th>default</th><th>when hit</th></tr>
 *   <tr><td>{@code maxLineLength}</td><td>{@value #DEFAULT_MAX_LINE_LENGTH} octets incl. CRLF</td>
 *       <td>{@code 500 5.5.2 Line too long}; the rest of the line is discarded</td></tr>
 *   <tr><td>{@code maxMessageBytes}</td><td>{@value #DEFAULT_MAX_MESSAGE_BYTES} (50 MiB)</td>
 *       <td>{@code MAIL ... SIZE=} above it: {@code 552 5.3.4}; DATA above it is read and
 *       discarded, then {@code 552 5.3.4}; the BDAT chunk that crosses it is read and discarded,
 *       answered {@code 552 5.3.4}, and the transaction ends</td></tr>
 *   <tr><td>{@code maxRecipients}</td><td>{@value #DEFAULT_MAX_RECIPIENTS}</td>
 *       <td>{@code 452 4.5.3 Too many recipients}</td></tr>
 *   <tr><td>{@code maxBadCommands}</td><td>{@value #DEFAULT_MAX_BAD_COMMANDS}</td>
 *       <td>the reply to the last one is {@code 421 4.7.0}, then the connection closes</td></tr>
 *   <tr><td>{@code idleTimeout}</td><td>5 minutes (RFC 5321 §4.5.3.2.7)</td>
 *       <td>{@code 421 4.4.2}, close</td></tr>
 *   <tr><td>{@code dataTimeout}</td><td>5 minutes</td><td>{@code 421 4.4.2}, close</td></tr>
 *   <tr><td>{@code writeTimeout}</td><td>60 seconds</td>
 *       <td>a write to the client (a reply) that has not completed after this long: the socket is
 *       closed without a reply</td></tr>
 *   <tr><td>{@code recipientCheckTimeout}</td><td>30 seconds</td>
 *       <td>the {@code RecipientPolicy} call is interrupted: {@code 451 4.3.0}; it also bounds
 *       each {@code Authenticator} call ({@code 454 4.7.0})</td></tr>
 *   <tr><td>{@code deliveryTimeout}</td><td>10 minutes (RFC 5321 §4.5.3.2.6)</td>
 *       <td>the {@code DeliveryHandler} call is interrupted: {@code 451 4.3.0}; see the
 *       warning below</td></tr>
 *   <tr><td>{@code maxConnections}</td><td>{@value #DEFAULT_MAX_CONNECTIONS}</td>
 *       <td>new connections get {@code 421 4.3.2} and are closed</td></tr>
 *   <tr><td>{@code spoolThreshold}</td><td>{@value #DEFAULT_SPOOL_THRESHOLD} (1 MiB)</td>
 *       <td>a larger message body is spooled to a file in {@code
 *       SmtpServer.Builder.spoolDirectory} (default {@code java.io.tmpdir}), deleted when the
 *       transaction ends, whatever its outcome</td></tr>
 *   <tr><td>{@code maxAuthFailures}</td><td>{@value #DEFAULT_MAX_AUTH_FAILURES}</td>
 *       <td>the reply to the last failed AUTH is {@code 421 4.7.0}, then the connection
 *       closes</td></tr>
 * </table>
 *
 * <p>{@code maxLineLength} defaults to 1000 rather than the 512 of RFC 5321 §4.5.3.1.4 because
 * ESMTP parameters (SIZE, BODY, and later DSN and SMTPUTF8) lengthen MAIL and RCPT lines, which
 * that section allows; values below 512 break RFC 5321 and are meant for tests. Message lines
 * inside DATA have no length limit; only {@code maxMessageBytes} bounds them.
 *
 * <p>{@code deliveryTimeout} is long on purpose. When it expires the client gets {@code 451} and
 * will retry, but the interrupted handler may still commit (JDBC and most storage ignore thread
 * interrupts), which duplicates the message. The default matches the 10 minutes a client waits for
 * the reply to the final dot (RFC 5321 §4.5.3.2.6); a {@code DeliveryHandler} must finish or fail
 * well within it. {@code recipientCheckTimeout} is short because a recipient check is a lookup with
 * no side effects, and a slow one holds the whole transaction.
 *
 * @param maxLineLength longest command line in octets, CRLF included
 * @param maxMessageBytes largest message body in octets after dot-unstuffing, trace header excluded
 * @param maxRecipients most RCPT TO accepted per transaction
 * @param maxBadCommands errors (unknown commands, syntax and sequence errors) before the server
 *     closes the connection
 * @param idleTimeout longest wait for the next command or TLS handshake bytes
 * @param dataTimeout longest wait for the next bytes of a message during DATA
 * @param writeTimeout longest time one write to the client may block, for example because the
 *     client pipelines commands and never reads the replies; a watchdog then closes the socket
 * @param recipientCheckTimeout longest wait for one {@code RecipientPolicy.check} call
 * @param deliveryTimeout longest wait for one {@code DeliveryHandler.deliver} call
 * @param maxConnections most simultaneous connections of one listener
 * @param spoolThreshold body size above which the body goes to a temporary file
 * @param maxAuthFailures failed AUTH exchanges per connection before the server closes it
 */
public record SmtpLimits(
    int maxLineLength,
    long maxMessageBytes,
    int maxRecipients,
    int maxBadCommands,
    Duration idleTimeout,
    Duration dataTimeout,
    Duration writeTimeout,
    Duration recipientCheckTimeout,
    Duration deliveryTimeout,
    int maxConnections,
    int spoolThreshold,
    int maxAuthFailures) {

  /** Default longest command line, CRLF included. */
  public static final int DEFAULT_MAX_LINE_LENGTH = 1000;

  /** Default largest message: 50 MiB. */
  public static final long DEFAULT_MAX_MESSAGE_BYTES = 50L << 20;

  /** Default most recipients per transaction (RFC 5321 §4.5.3.1.8 asks for at least 100). */
  public static final int DEFAULT_MAX_RECIPIENTS = 100;

  /** Default errors before the connection is closed. */
  public static final int DEFAULT_MAX_BAD_COMMANDS = 10;

  /** Default most simultaneous connections. */
  public static final int DEFAULT_MAX_CONNECTIONS = 500;

  /** Default spool threshold: 1 MiB. */
  public static final int DEFAULT_SPOOL_THRESHOLD = 1 << 20;

  /** Default failed AUTH attempts before the connection is closed. */
  public static final int DEFAULT_MAX_AUTH_FAILURES = 3;

  /** The defaults listed in the table above. */
  public static final SmtpLimits DEFAULTS =
      new SmtpLimits(
          DEFAULT_MAX_LINE_LENGTH,
          DEFAULT_MAX_MESSAGE_BYTES,
          DEFAULT_MAX_RECIPIENTS,
          DEFAULT_MAX_BAD_COMMANDS,
          Duration.ofMinutes(5),
          Duration.ofMinutes(5),
          Duration.ofSeconds(60),
          Duration.ofSeconds(30),
          Duration.ofMinutes(10),
          DEFAULT_MAX_CONNECTIONS,
          DEFAULT_SPOOL_THRESHOLD,
          DEFAULT_MAX_AUTH_FAILURES);

  /** Validates every bound. */
  public SmtpLimits {
    if (maxLineLength < 16) {
      throw new IllegalArgumentException("maxLineLength " + maxLineLength + " < 16");
    }
    if (maxMessageBytes < 1) {
      throw new IllegalArgumentException("maxMessageBytes " + maxMessageBytes + " < 1");
    }
    if (maxRecipients < 1) {
      throw new IllegalArgumentException("maxRecipients " + maxRecipients + " < 1");
    }
    if (maxBadCommands < 1) {
      throw new IllegalArgumentException("maxBadCommands " + maxBadCommands + " < 1");
    }
    positive(idleTimeout, "idleTimeout");
    positive(dataTimeout, "dataTimeout");
    positive(writeTimeout, "writeTimeout");
    positive(recipientCheckTimeout, "recipientCheckTimeout");
    positive(deliveryTimeout, "deliveryTimeout");
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections " + maxConnections + " < 1");
    }
    if (spoolThreshold < 0) {
      throw new IllegalArgumentException("spoolThreshold " + spoolThreshold + " < 0");
    }
    if (maxAuthFailures < 1) {
      throw new IllegalArgumentException("maxAuthFailures " + maxAuthFailures + " < 1");
    }
  }

  /** The limits without {@code maxAuthFailures} (which gets its default), as before AUTH. */
  public SmtpLimits(
      int maxLineLength,
      long maxMessageBytes,
      int maxRecipients,
      int maxBadCommands,
      Duration idleTimeout,
      Duration dataTimeout,
      Duration writeTimeout,
      Duration recipientCheckTimeout,
      Duration deliveryTimeout,
      int maxConnections,
      int spoolThreshold) {
    this(
        maxLineLength,
        maxMessageBytes,
        maxRecipients,
        maxBadCommands,
        idleTimeout,
        dataTimeout,
        writeTimeout,
        recipientCheckTimeout,
        deliveryTimeout,
        maxConnections,
        spoolThreshold,
        DEFAULT_MAX_AUTH_FAILURES);
  }

  private static void positive(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " " + d + " not in (0, 24 days]");
    }
  }

  /** Returns a copy with another {@code maxLineLength}. */
  public SmtpLimits withMaxLineLength(int v) {
    return new SmtpLimits(
        v,
        maxMessageBytes,
        maxRecipients,
        maxBadCommands,
        idleTimeout,
        dataTimeout,
        writeTimeout,
        recipientCheckTimeout,
        deliveryTimeout,
        maxConnections,
        spoolThreshold,
        maxAuthFailures);
  }

  /** Returns a copy with another {@code maxMessageBytes}. */
  public SmtpLimits withMaxMessageBytes(long v) {
    return new SmtpLimits(
        maxLineLength,
        v,
        maxRecipients,
        maxBadCommands,
        idleTimeout,
        dataTimeout,
        writeTimeout,
        recipientCheckTimeout,
        deliveryTimeout,
        maxConnections,
        spoolThreshold,
        maxAuthFailures);
  }

  /** Returns a copy with another {@code maxRecipients}. */
  public SmtpLimits withMaxRecipients(int v) {
    return new SmtpLimits(
        maxLineLength,
        maxMessageBytes,
        v,
        maxBadCommands,
        idleTimeout,
        dataTimeout,
        writeTimeout,
        recipientCheckTimeout,
        deliveryTimeout,
        maxConnections,
        spoolThreshold,
        maxAuthFailures);
  }

  /** Returns a copy with another {@code maxBadCommands}. */
  public SmtpLimits withMaxBadCommands(int v) {
    return new SmtpLimits(
        maxLineLength,
        maxMessageBytes,
        maxRecipients,
        v,
        idleTimeout,
        dataTimeout,
        writeTimeout,
        recipientCheckTimeout,
        deliveryTimeout,
        maxConnections,
        spoolThreshold,
        maxAuthFailures);
  }

  /** Returns a copy with another {@code idleTimeout}. */
  public SmtpLimits withIdleTimeout(Duration v) {
    return new SmtpLimits(
        maxLineLength,
        maxMessageBytes,
        maxRecipients,
        maxBadCommands,
        v,
        dataTimeout,
        writeTimeout,
        recipientCheckTimeout,
        deliveryTimeout,
        maxConnections,
        spoolThreshold,
        maxAuthFailures);
  }

  /** Returns a copy with another {@code dataTimeout}. */
  public SmtpLimits withDataTimeout(Duration v) {
    return new SmtpLimits(
        maxLineLength,
        maxMessageBytes,
        maxRecipients,
        maxBadCommands,
        idleTimeout,
        v,
        writeTimeout,
        recipientCheckTimeout,
        deliveryTimeout,
        maxConnections,
        spoolThreshold,
        maxAuthFailures);
  }

  /** Returns a copy with another {@code writeTimeout}. */
  public SmtpLimits withWriteTimeout(Duration v) {
    return new SmtpLimits(
        maxLineLength,
        maxMessageBytes,
        maxRecipients,
        maxBadCommands,
        idleTimeout,
        dataTimeout,
        v,
        recipientCheckTimeout,
        deliveryTimeout,
        maxConnections,
        spoolThreshold,
        maxAuthFailures);
  }

  /** Returns a copy with another {@code recipientCheckTimeout}. */
  public SmtpLimits withRecipientCheckTimeout(Duration v) {
    return new SmtpLimits(
        maxLineLength,
        maxMessageBytes,
        maxRecipients,
        maxBadCommands,
        idleTimeout,
        dataTimeout,
        writeTimeout,
        v,
        deliveryTimeout,
        maxConnections,
        spoolThreshold,
        maxAuthFailures);
  }

  /** Returns a copy with another {@code deliveryTimeout}. */
  public SmtpLimits withDeliveryTimeout(Duration v) {
    return new SmtpLimits(
        maxLineLength,
        maxMessageBytes,
        maxRecipients,
        maxBadCommands,
        idleTimeout,
        dataTimeout,
        writeTimeout,
        recipientCheckTimeout,
        v,
        maxConnections,
        spoolThreshold,
        maxAuthFailures);
  }

  /** Returns a copy with another {@code maxConnections}. */
  public SmtpLimits withMaxConnections(int v) {
    return new SmtpLimits(
        maxLineLength,
        maxMessageBytes,
        maxRecipients,
        maxBadCommands,
        idleTimeout,
        dataTimeout,
        writeTimeout,
        recipientCheckTimeout,
        deliveryTimeout,
        v,
        spoolThreshold,
        maxAuthFailures);
  }

  /** Returns a copy with another {@code spoolThreshold}. */
  public SmtpLimits withSpoolThreshold(int v) {
    return new SmtpLimits(
        maxLineLength,
        maxMessageBytes,
        maxRecipients,
        maxBadCommands,
        idleTimeout,
        dataTimeout,
        writeTimeout,
        recipientCheckTimeout,
        deliveryTimeout,
        maxConnections,
        v,
        maxAuthFailures);
  }

  /** Returns a copy with another {@code maxAuthFailures}. */
  public SmtpLimits withMaxAuthFailures(int v) {
    return new SmtpLimits(
        maxLineLength,
        maxMessageBytes,
        maxRecipients,
        maxBadCommands,
        idleTimeout,
        dataTimeout,
        writeTimeout,
        recipientCheckTimeout,
        deliveryTimeout,
        maxConnections,
        spoolThreshold,
        v);
  }
}
