package org.carbonio.smtp.queue;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Retry schedule, expiry and limits of a {@link MailQueue}. Start from {@link #DEFAULTS} and change
 * what you need with the {@code with*} methods. Immutable.
 *
 * <table class="striped">
 *   <caption>Defaults (Postfix equivalents in parentheses)</caption>
 *   <tr><th>component</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code hostname}</td><td>{@code localhost}</td><td>Reporting-MTA of DSNs and the
 *       domain of MAILER-DAEMON (set it to the server's name)</td></tr>
 *   <tr><td>{@code firstRetry}</td><td>5 min</td><td>delay after the first failed attempt
 *       ({@code minimal_backoff_time})</td></tr>
 *   <tr><td>{@code maxRetry}</td><td>1 h</td><td>the delay doubles after each failed attempt up
 *       to this ({@code maximal_backoff_time})</td></tr>
 *   <tr><td>{@code maxLifetime}</td><td>5 days</td><td>a recipient still failing temporarily after
 *       this is bounced as expired ({@code maximal_queue_lifetime})</td></tr>
 *   <tr><td>{@code delayWarning}</td><td>4 h</td><td>one "delayed" DSN per message after this;
 *       {@link Duration#ZERO} turns them off ({@code delay_warning_time})</td></tr>
 *   <tr><td>{@code maxConcurrentDeliveries}</td><td>20</td><td>delivery attempts running at once
 *       (each on a virtual thread)</td></tr>
 *   <tr><td>{@code attemptTimeout}</td><td>10 min</td><td>one {@code DeliveryAgent} call; after
 *       it the call is interrupted and its recipients without a reported outcome count as failed
 *       temporarily (outcomes reported through the progress callback stand); keep it above the
 *       agent's own deadline ({@code OutboundConfig} 9 min per destination)</td></tr>
 *   <tr><td>{@code maxMessages}</td><td>100,000</td><td>enqueue beyond it fails with
 *       {@link QueueFullException}</td></tr>
 *   <tr><td>{@code maxBytes}</td><td>10 GiB</td><td>sum of queued message sizes; same</td></tr>
 *   <tr><td>{@code bounceReturnLimit}</td><td>50,000 bytes</td><td>a failure DSN returns the whole
 *       message up to this size, otherwise only its header ({@code bounce_size_limit})</td></tr>
 *   <tr><td>{@code shutdownTimeout}</td><td>10 s</td><td>{@code close()} waits this long for
 *       running attempts, then interrupts them</td></tr>
 * </table>
 *
 * @param hostname the name of this MTA in DSNs
 * @param firstRetry the delay after the first failed attempt
 * @param maxRetry the largest delay between attempts
 * @param maxLifetime how long a message is retried
 * @param delayWarning when a delay DSN is sent; zero for never
 * @param maxConcurrentDeliveries the number of attempts at once
 * @param attemptTimeout the longest {@code DeliveryAgent} call
 * @param maxMessages the most messages queued (bounces are always accepted)
 * @param maxBytes the most bytes queued (bounces are always accepted)
 * @param bounceReturnLimit the largest message a failure DSN returns whole
 * @param shutdownTimeout how long {@code close()} waits for running attempts
 */
public record QueueConfig(
    String hostname,
    Duration firstRetry,
    Duration maxRetry,
    Duration maxLifetime,
    Duration delayWarning,
    int maxConcurrentDeliveries,
    Duration attemptTimeout,
    long maxMessages,
    long maxBytes,
    long bounceReturnLimit,
    Duration shutdownTimeout) {

  /** The defaults of the table above. */
  public static final QueueConfig DEFAULTS =
      new QueueConfig(
          "localhost",
          Duration.ofMinutes(5),
          Duration.ofHours(1),
          Duration.ofDays(5),
          Duration.ofHours(4),
          20,
          Duration.ofMinutes(10),
          100_000,
          10L << 30,
          50_000,
          Duration.ofSeconds(10));

  /** Checks the components. */
  public QueueConfig {
    requireNonNull(hostname, "hostname");
    if (hostname.isBlank() || hostname.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
      throw new IllegalArgumentException("bad hostname " + hostname);
    }
    positive(firstRetry, "firstRetry");
    positive(maxRetry, "maxRetry");
    positive(maxLifetime, "maxLifetime");
    requireNonNull(delayWarning, "delayWarning");
    if (delayWarning.isNegative()) {
      throw new IllegalArgumentException("delayWarning " + delayWarning);
    }
    positive(attemptTimeout, "attemptTimeout");
    requireNonNull(shutdownTimeout, "shutdownTimeout");
    if (maxConcurrentDeliveries < 1) {
      throw new IllegalArgumentException("maxConcurrentDeliveries " + maxConcurrentDeliveries);
    }
    if (maxMessages < 1 || maxBytes < 1 || bounceReturnLimit < 0) {
      throw new IllegalArgumentException(
          "limits " + maxMessages + "/" + maxBytes + "/" + bounceReturnLimit);
    }
  }

  private static void positive(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " " + d);
    }
  }

  /** This configuration with another DSN host name. */
  public QueueConfig withHostname(String h) {
    return new QueueConfig(
        h,
        firstRetry,
        maxRetry,
        maxLifetime,
        delayWarning,
        maxConcurrentDeliveries,
        attemptTimeout,
        maxMessages,
        maxBytes,
        bounceReturnLimit,
        shutdownTimeout);
  }

  /** This configuration with another backoff: {@code first}, doubling up to {@code max}. */
  public QueueConfig withRetry(Duration first, Duration max) {
    return new QueueConfig(
        hostname,
        first,
        max,
        maxLifetime,
        delayWarning,
        maxConcurrentDeliveries,
        attemptTimeout,
        maxMessages,
        maxBytes,
        bounceReturnLimit,
        shutdownTimeout);
  }

  /** This configuration with another expiry. */
  public QueueConfig withMaxLifetime(Duration d) {
    return new QueueConfig(
        hostname,
        firstRetry,
        maxRetry,
        d,
        delayWarning,
        maxConcurrentDeliveries,
        attemptTimeout,
        maxMessages,
        maxBytes,
        bounceReturnLimit,
        shutdownTimeout);
  }

  /** This configuration with another delay-DSN time (zero: none). */
  public QueueConfig withDelayWarning(Duration d) {
    return new QueueConfig(
        hostname,
        firstRetry,
        maxRetry,
        maxLifetime,
        d,
        maxConcurrentDeliveries,
        attemptTimeout,
        maxMessages,
        maxBytes,
        bounceReturnLimit,
        shutdownTimeout);
  }

  /** This configuration with another concurrency and attempt timeout. */
  public QueueConfig withDeliveries(int concurrent, Duration timeout) {
    return new QueueConfig(
        hostname,
        firstRetry,
        maxRetry,
        maxLifetime,
        delayWarning,
        concurrent,
        timeout,
        maxMessages,
        maxBytes,
        bounceReturnLimit,
        shutdownTimeout);
  }

  /** This configuration with other size limits. */
  public QueueConfig withLimits(long messages, long bytes, long returnLimit) {
    return new QueueConfig(
        hostname,
        firstRetry,
        maxRetry,
        maxLifetime,
        delayWarning,
        maxConcurrentDeliveries,
        attemptTimeout,
        messages,
        bytes,
        returnLimit,
        shutdownTimeout);
  }

  /** This configuration with another shutdown timeout. */
  public QueueConfig withShutdownTimeout(Duration d) {
    return new QueueConfig(
        hostname,
        firstRetry,
        maxRetry,
        maxLifetime,
        delayWarning,
        maxConcurrentDeliveries,
        attemptTimeout,
        maxMessages,
        maxBytes,
        bounceReturnLimit,
        d);
  }

  /** The delay after the {@code attempts}-th failed attempt: first, doubling, capped. */
  public Duration backoff(int attempts) {
    Duration d = firstRetry;
    for (int i = 1; i < attempts && d.compareTo(maxRetry) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxRetry) > 0 ? maxRetry : d;
  }
}
