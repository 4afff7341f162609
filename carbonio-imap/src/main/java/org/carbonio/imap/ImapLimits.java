package org.carbonio.imap;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.carbonio.imap.protocol.DecoderLimits;

/**
 * Immutable: resource bounds of an {@link ImapServer}.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>limit</th><th>default</th></tr>
 *   <tr><td>maxLineLength</td><td>64 KiB</td></tr>
 *   <tr><td>maxLiteralSize (APPENDLIMIT, RFC 7889)</td><td>50 MiB</td></tr>
 *   <tr><td>maxNesting</td><td>32</td></tr>
 *   <tr><td>maxTokens</td><td>10000</td></tr>
 *   <tr><td>idleTimeout (RFC 3501 §5.4: at least 30 minutes)</td><td>30 minutes</td></tr>
 *   <tr><td>spoolThreshold (APPEND literals above it go to a temp file)</td><td>1 MiB</td></tr>
 *   <tr><td>maxConnections</td><td>10000</td></tr>
 * </table>
 */
public record ImapLimits(
    int maxLineLength,
    long maxLiteralSize,
    int maxNesting,
    int maxTokens,
    Duration idleTimeout,
    long spoolThreshold,
    int maxConnections) {

  public static final ImapLimits DEFAULTS =
      new ImapLimits(
          DecoderLimits.DEFAULT_MAX_LINE_LENGTH,
          DecoderLimits.DEFAULT_MAX_LITERAL_SIZE,
          DecoderLimits.DEFAULT_MAX_NESTING,
          DecoderLimits.DEFAULT_MAX_TOKENS,
          Duration.ofMinutes(30),
          1L << 20,
          10_000);

  public ImapLimits {
    requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout " + idleTimeout);
    }
    if (spoolThreshold < 0) throw new IllegalArgumentException("spoolThreshold " + spoolThreshold);
    if (maxConnections < 1) throw new IllegalArgumentException("maxConnections " + maxConnections);
    new DecoderLimits(maxLineLength, maxLiteralSize, maxNesting, maxTokens); // validates
  }

  public ImapLimits withMaxLineLength(int v) {
    return new ImapLimits(
        v, maxLiteralSize, maxNesting, maxTokens, idleTimeout, spoolThreshold, maxConnections);
  }

  public ImapLimits withMaxLiteralSize(long v) {
    return new ImapLimits(
        maxLineLength, v, maxNesting, maxTokens, idleTimeout, spoolThreshold, maxConnections);
  }

  public ImapLimits withMaxNesting(int v) {
    return new ImapLimits(
        maxLineLength, maxLiteralSize, v, maxTokens, idleTimeout, spoolThreshold, maxConnections);
  }

  public ImapLimits withMaxTokens(int v) {
    return new ImapLimits(
        maxLineLength, maxLiteralSize, maxNesting, v, idleTimeout, spoolThreshold, maxConnections);
  }

  public ImapLimits withIdleTimeout(Duration v) {
    return new ImapLimits(
        maxLineLength, maxLiteralSize, maxNesting, maxTokens, v, spoolThreshold, maxConnections);
  }

  public ImapLimits withSpoolThreshold(long v) {
    return new ImapLimits(
        maxLineLength, maxLiteralSize, maxNesting, maxTokens, idleTimeout, v, maxConnections);
  }

  public ImapLimits withMaxConnections(int v) {
    return new ImapLimits(
        maxLineLength, maxLiteralSize, maxNesting, maxTokens, idleTimeout, spoolThreshold, v);
  }

  /** The decoder's share of these limits. */
  public DecoderLimits decoderLimits() {
    return new DecoderLimits(maxLineLength, maxLiteralSize, maxNesting, maxTokens);
  }
}
