package org.carbonio.imap.protocol;

/**
 * Immutable: bounds the decoder enforces on every command.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>limit</th><th>default</th><th>when exceeded</th></tr>
 *   <tr><td>maxLineLength</td><td>{@value #DEFAULT_MAX_LINE_LENGTH} bytes</td><td>BAD, skip to next line</td></tr>
 *   <tr><td>maxLiteralSize (APPEND)</td><td>{@value #DEFAULT_MAX_LITERAL_SIZE} bytes</td><td>NO [TOOBIG]</td></tr>
 *   <tr><td>maxNesting</td><td>{@value #DEFAULT_MAX_NESTING}</td><td>BAD</td></tr>
 *   <tr><td>maxTokens</td><td>{@value #DEFAULT_MAX_TOKENS}</td><td>BAD</td></tr>
 *   <tr><td>maxCommandBytes</td><td>{@value #DEFAULT_MAX_COMMAND_BYTES} bytes</td><td>BAD, skip the rest of the command</td></tr>
 * </table>
 *
 * <p>Literals of commands other than APPEND, and the literals of an APPEND other than its message,
 * are bounded by {@code maxLineLength} each. {@code maxCommandBytes} bounds what one command may
 * hold in memory: the sum of its lines and all those literals. The APPEND message literal is not
 * counted: it is bounded by {@code maxLiteralSize} and spooled to disk above a threshold.
 *
 * @param maxLineLength longest line (without literals) of a command, in bytes
 * @param maxLiteralSize largest APPEND message literal (advertised as APPENDLIMIT, RFC 7889)
 * @param maxNesting deepest parenthesis nesting
 * @param maxTokens most tokens in one command
 * @param maxCommandBytes most bytes of one command, lines plus literals other than the APPEND
 *     message; at least {@code maxLineLength}
 */
public record DecoderLimits(
    int maxLineLength, long maxLiteralSize, int maxNesting, int maxTokens, int maxCommandBytes) {
  public static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024;
  public static final long DEFAULT_MAX_LITERAL_SIZE = 50L * 1024 * 1024;
  public static final int DEFAULT_MAX_NESTING = 32;
  public static final int DEFAULT_MAX_TOKENS = 10_000;
  public static final int DEFAULT_MAX_COMMAND_BYTES = 1024 * 1024;

  public static final DecoderLimits DEFAULTS =
      new DecoderLimits(
          DEFAULT_MAX_LINE_LENGTH,
          DEFAULT_MAX_LITERAL_SIZE,
          DEFAULT_MAX_NESTING,
          DEFAULT_MAX_TOKENS,
          DEFAULT_MAX_COMMAND_BYTES);

  public DecoderLimits {
    if (maxLineLength < 64) throw new IllegalArgumentException("maxLineLength " + maxLineLength);
    if (maxLiteralSize < 0) throw new IllegalArgumentException("maxLiteralSize " + maxLiteralSize);
    if (maxNesting < 1) throw new IllegalArgumentException("maxNesting " + maxNesting);
    if (maxTokens < 4) throw new IllegalArgumentException("maxTokens " + maxTokens);
    if (maxCommandBytes < maxLineLength) {
      throw new IllegalArgumentException(
          "maxCommandBytes " + maxCommandBytes + " below maxLineLength " + maxLineLength);
    }
  }

  /**
   * Limits with {@code maxCommandBytes} at its default (or {@code maxLineLength} if that is
   * larger).
   */
  public DecoderLimits(int maxLineLength, long maxLiteralSize, int maxNesting, int maxTokens) {
    this(
        maxLineLength,
        maxLiteralSize,
        maxNesting,
        maxTokens,
        Math.max(DEFAULT_MAX_COMMAND_BYTES, maxLineLength));
  }
}
