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
 *   <tr><td>maxCommandBytes (lines and literals of one command, except APPEND's message)</td>
 *       <td>1 MiB</td></tr>
 *   <tr><td>idleTimeout (RFC 3501 §5.4: at least 30 minutes)</td><td>30 minutes</td></tr>
 *   <tr><td>writeTimeout (a write blocked longer closes the connection)</td><td>60 seconds</td></tr>
 *   <tr><td>spoolThreshold (APPEND literals above it go to a temp file)</td><td>1 MiB</td></tr>
 *   <tr><td>maxConnections</td><td>10000</td></tr>
 * </table>
 *
 * <p>Before authentication a literal may be at most {@value
 * org.carbonio.imap.protocol.ImapSession#PRE_AUTH_LITERAL_LIMIT} bytes.
 */
public record ImapLimits(
    int maxLineLength,
    long maxLiteralSize,
    int maxNesting,
    int maxTokens,
    int maxCommandBytes,
    Duration idleTimeout,
    Duration writeTimeout,
    long spoolThreshold,
    int maxConnections) {

  public static final ImapLimits DEFAULTS =
      new ImapLimits(
          DecoderLimits.DEFAULT_MAX_LINE_LENGTH,
          DecoderLimits.DEFAULT_MAX_LITERAL_SIZE,
          DecoderLimits.DEFAULT_MAX_NESTING,
          DecoderLimits.DEFAULT_MAX_TOKENS,
          DecoderLimits.DEFAULT_MAX_COMMAND_BYTES,
          Duration.ofMinutes(30),
          Duration.ofSeconds(60),
          1L << 20,
          10_000);

  public ImapLimits {
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(writeTimeout, "writeTimeout");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout " + idleTimeout);
    }
    if (writeTimeout.isNegative() || writeTimeout.isZero()) {
      throw new IllegalArgumentException("writeTimeout " + writeTimeout);
    }
    if (spoolThreshold < 0) throw new IllegalArgumentException("spoolThreshold " + spoolThreshold);
    if (maxConnections < 1) throw new IllegalArgumentException("maxConnections " + maxConnections);
    new DecoderLimits(
        maxLineLength, maxLiteralSize, maxNesting, maxTokens, maxCommandBytes); // validates
  }

  /** Also raises maxCommandBytes to {@code v} if it was lower. */
  public ImapLimits withMaxLineLength(int v) {
    return new ImapLimits(
        v,
        maxLiteralSize,
        maxNesting,
        maxTokens,
        Math.max(v, maxCommandBytes),
        idleTimeout,
        writeTimeout,
        spoolThreshold,
        maxConnections);
  }

  public ImapLimits withMaxLiteralSize(long v) {
    return new ImapLimits(
        maxLineLength,
        v,
        maxNesting,
        maxTokens,
        maxCommandBytes,
        idleTimeout,
        writeTimeout,
        spoolThreshold,
        maxConnections);
  }

  public ImapLimits withMaxNesting(int v) {
    return new ImapLimits(
        maxLineLength,
        maxLiteralSize,
        v,
        maxTokens,
        maxCommandBytes,
        idleTimeout,
        writeTimeout,
        spoolThreshold,
        maxConnections);
  }

  public ImapLimits withMaxTokens(int v) {
    return new ImapLimits(
        maxLineLength,
        maxLiteralSize,
        maxNesting,
        v,
        maxCommandBytes,
        idleTimeout,
        writeTimeout,
        spoolThreshold,
        maxConnections);
  }

  /** Must be at least maxLineLength. */
  public ImapLimits withMaxCommandBytes(int v) {
    return new ImapLimits(
        maxLineLength,
        maxLiteralSize,
        maxNesting,
        maxTokens,
        v,
        idleTimeout,
        writeTimeout,
        spoolThreshold,
        maxConnections);
  }

  public ImapLimits withIdleTimeout(Duration v) {
    return new ImapLimits(
        maxLineLength,
        maxLiteralSize,
        maxNesting,
        maxTokens,
        maxCommandBytes,
        v,
        writeTimeout,
        spoolThreshold,
        maxConnections);
  }

  public ImapLimits withWriteTimeout(Duration v) {
    return new ImapLimits(
        maxLineLength,
        maxLiteralSize,
        maxNesting,
        maxTokens,
        maxCommandBytes,
        idleTimeout,
        v,
        spoolThreshold,
        maxConnections);
  }

  public ImapLimits withSpoolThreshold(long v) {
    return new ImapLimits(
        maxLineLength,
        maxLiteralSize,
        maxNesting,
        maxTokens,
        maxCommandBytes,
        idleTimeout,
        writeTimeout,
        v,
        maxConnections);
  }

  public ImapLimits withMaxConnections(int v) {
    return new ImapLimits(
        maxLineLength,
        maxLiteralSize,
        maxNesting,
        maxTokens,
        maxCommandBytes,
        idleTimeout,
        writeTimeout,
        spoolThreshold,
        v);
  }

  /** The decoder's share of these limits. */
  public DecoderLimits decoderLimits() {
    return new DecoderLimits(maxLineLength, maxLiteralSize, maxNesting, maxTokens, maxCommandBytes);
  }
}
