package org.carbonio.smtp.abuse;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * Per-client bounds of a {@link ClientLimiter}, in the spirit of Postfix's anvil(8). A client is
 * one IPv4 address or one IPv6 /64. A limit of 0 turns that check off. Immutable.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>component</th><th>default</th><th>Postfix</th><th>when hit</th></tr>
 *   <tr><td>{@code maxConcurrentConnections}</td><td>{@value #DEFAULT_MAX_CONCURRENT}</td>
 *       <td>{@code smtpd_client_connection_count_limit} (50)</td>
 *       <td>{@code 421 4.7.0} at connect, close</td></tr>
 *   <tr><td>{@code maxConnectionsPerWindow}</td><td>{@value #DEFAULT_CONNECTION_RATE}</td>
 *       <td>{@code smtpd_client_connection_rate_limit} (0: off)</td>
 *       <td>{@code 421 4.7.0} at connect, close</td></tr>
 *   <tr><td>{@code maxMessagesPerWindow}</td><td>{@value #DEFAULT_MESSAGE_RATE}</td>
 *       <td>{@code smtpd_client_message_rate_limit} (0: off)</td>
 *       <td>{@code 450 4.7.1} at RCPT once reached, and at the end of DATA for the message
 *       that would exceed it</td></tr>
 *   <tr><td>{@code maxRecipientsPerWindow}</td><td>{@value #DEFAULT_RECIPIENT_RATE}</td>
 *       <td>{@code smtpd_client_recipient_rate_limit} (0: off)</td>
 *       <td>{@code 450 4.7.1} at RCPT</td></tr>
 *   <tr><td>{@code window}</td><td>1 minute</td><td>{@code anvil_rate_time_unit} (60 s)</td>
 *       <td></td></tr>
 *   <tr><td>{@code exempt}</td><td>{@link Cidr#LOOPBACK}</td>
 *       <td>{@code smtpd_client_event_limit_exceptions} ({@code $mynetworks})</td>
 *       <td>never limited</td></tr>
 *   <tr><td>{@code maxTrackedClients}</td><td>{@value #DEFAULT_MAX_TRACKED}</td><td></td>
 *       <td>idle clients are forgotten first, then clients without an open connection; about
 *       220 bytes each</td></tr>
 * </table>
 *
 * @param maxConcurrentConnections open connections per client at once
 * @param maxConnectionsPerWindow new connections per client in any {@code window}
 * @param maxMessagesPerWindow messages (ends of DATA) per client in any {@code window}
 * @param maxRecipientsPerWindow RCPT commands per client in any {@code window}, accepted or not
 * @param window the length of the sliding window of the three rates
 * @param exempt networks that no limit applies to
 * @param maxTrackedClients clients remembered at once; bounds the memory
 */
public record ClientLimits(
    int maxConcurrentConnections,
    int maxConnectionsPerWindow,
    int maxMessagesPerWindow,
    int maxRecipientsPerWindow,
    Duration window,
    List<Cidr> exempt,
    int maxTrackedClients) {

  /** Default open connections per client (Postfix's count limit). */
  public static final int DEFAULT_MAX_CONCURRENT = 50;

  /** Default new connections per client per minute. */
  public static final int DEFAULT_CONNECTION_RATE = 120;

  /** Default messages per client per minute. */
  public static final int DEFAULT_MESSAGE_RATE = 300;

  /** Default recipients per client per minute. */
  public static final int DEFAULT_RECIPIENT_RATE = 1500;

  /** Default number of clients remembered. */
  public static final int DEFAULT_MAX_TRACKED = 100_000;

  /** The defaults above; loopback is exempt. */
  public static final ClientLimits DEFAULTS =
      new ClientLimits(
          DEFAULT_MAX_CONCURRENT,
          DEFAULT_CONNECTION_RATE,
          DEFAULT_MESSAGE_RATE,
          DEFAULT_RECIPIENT_RATE,
          Duration.ofMinutes(1),
          Cidr.LOOPBACK,
          DEFAULT_MAX_TRACKED);

  /** No limit at all (every check off, nothing tracked). */
  public static final ClientLimits NONE =
      new ClientLimits(0, 0, 0, 0, Duration.ofMinutes(1), List.of(), 1);

  /** Validates and copies the exemptions. */
  public ClientLimits {
    nonNegative("maxConcurrentConnections", maxConcurrentConnections);
    nonNegative("maxConnectionsPerWindow", maxConnectionsPerWindow);
    nonNegative("maxMessagesPerWindow", maxMessagesPerWindow);
    nonNegative("maxRecipientsPerWindow", maxRecipientsPerWindow);
    requireNonNull(window, "window");
    if (window.toMillis() < ClientLimiter.SLOTS) {
      throw new IllegalArgumentException("window " + window + " shorter than 6 ms");
    }
    exempt = List.copyOf(exempt);
    if (maxTrackedClients < 1) {
      throw new IllegalArgumentException("maxTrackedClients " + maxTrackedClients + " < 1");
    }
  }

  private static void nonNegative(String name, int v) {
    if (v < 0) {
      throw new IllegalArgumentException(name + " " + v + " < 0");
    }
  }

  /** Whether any check is on. */
  public boolean enabled() {
    return maxConcurrentConnections > 0
        || maxConnectionsPerWindow > 0
        || maxMessagesPerWindow > 0
        || maxRecipientsPerWindow > 0;
  }

  /** A copy with another concurrent connection limit (0: off). */
  public ClientLimits withMaxConcurrentConnections(int n) {
    return new ClientLimits(
        n,
        maxConnectionsPerWindow,
        maxMessagesPerWindow,
        maxRecipientsPerWindow,
        window,
        exempt,
        maxTrackedClients);
  }

  /** A copy with another connection rate (0: off). */
  public ClientLimits withMaxConnectionsPerWindow(int n) {
    return new ClientLimits(
        maxConcurrentConnections,
        n,
        maxMessagesPerWindow,
        maxRecipientsPerWindow,
        window,
        exempt,
        maxTrackedClients);
  }

  /** A copy with another message rate (0: off). */
  public ClientLimits withMaxMessagesPerWindow(int n) {
    return new ClientLimits(
        maxConcurrentConnections,
        maxConnectionsPerWindow,
        n,
        maxRecipientsPerWindow,
        window,
        exempt,
        maxTrackedClients);
  }

  /** A copy with another recipient rate (0: off). */
  public ClientLimits withMaxRecipientsPerWindow(int n) {
    return new ClientLimits(
        maxConcurrentConnections,
        maxConnectionsPerWindow,
        maxMessagesPerWindow,
        n,
        window,
        exempt,
        maxTrackedClients);
  }

  /** A copy with another window. */
  public ClientLimits withWindow(Duration w) {
    return new ClientLimits(
        maxConcurrentConnections,
        maxConnectionsPerWindow,
        maxMessagesPerWindow,
        maxRecipientsPerWindow,
        w,
        exempt,
        maxTrackedClients);
  }

  /** A copy with other exempt networks (empty: none). */
  public ClientLimits withExempt(List<Cidr> networks) {
    return new ClientLimits(
        maxConcurrentConnections,
        maxConnectionsPerWindow,
        maxMessagesPerWindow,
        maxRecipientsPerWindow,
        window,
        networks,
        maxTrackedClients);
  }

  /** A copy that remembers at most {@code n} clients. */
  public ClientLimits withMaxTrackedClients(int n) {
    return new ClientLimits(
        maxConcurrentConnections,
        maxConnectionsPerWindow,
        maxMessagesPerWindow,
        maxRecipientsPerWindow,
        window,
        exempt,
        n);
  }
}
