package org.carbonio.mime;

/**
 * Bounds on the work done when parsing one message. Immutable.
 *
 * <p>Beyond a limit parsing degrades gracefully and never throws: a multipart or message/rfc822
 * part that would exceed {@code maxDepth} or {@code maxParts} is kept as one opaque leaf (its
 * BODYSTRUCTURE says {@code "APPLICATION" "OCTET-STREAM"}, as Dovecot does for parts it could not
 * parse), and header fields past {@code maxHeaderBytes} of a header block are ignored when reading
 * Content-* fields (the header range still extends to its blank line).
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>limit</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>maxDepth</td><td>{@value #DEFAULT_MAX_DEPTH}</td>
 *       <td>nesting of multiparts and embedded messages (1 to {@value #MAX_DEPTH_CAP})</td></tr>
 *   <tr><td>maxParts</td><td>{@value #DEFAULT_MAX_PARTS}</td>
 *       <td>parts in the whole tree, the message included</td></tr>
 *   <tr><td>maxHeaderBytes</td><td>{@value #DEFAULT_MAX_HEADER_BYTES}</td>
 *       <td>bytes of one header block scanned for Content-* fields</td></tr>
 * </table>
 *
 * @param maxDepth maximum nesting depth
 * @param maxParts maximum number of parts
 * @param maxHeaderBytes maximum bytes of a header block examined for fields
 */
public record MimeLimits(int maxDepth, int maxParts, int maxHeaderBytes) {

  /** Default nesting depth. */
  public static final int DEFAULT_MAX_DEPTH = 100;

  /** Largest accepted {@code maxDepth} (the parser recurses once per level). */
  public static final int MAX_DEPTH_CAP = 1000;

  /** Default number of parts. */
  public static final int DEFAULT_MAX_PARTS = 10_000;

  /** Default header bytes examined per header block. */
  public static final int DEFAULT_MAX_HEADER_BYTES = 1 << 20;

  /** The defaults above. */
  public static final MimeLimits DEFAULTS =
      new MimeLimits(DEFAULT_MAX_DEPTH, DEFAULT_MAX_PARTS, DEFAULT_MAX_HEADER_BYTES);

  /** Validates that every limit is positive and {@code maxDepth <= MAX_DEPTH_CAP}. */
  public MimeLimits {
    if (maxDepth < 1 || maxDepth > MAX_DEPTH_CAP) {
      throw new IllegalArgumentException("maxDepth " + maxDepth);
    }
    if (maxParts < 1) {
      throw new IllegalArgumentException("maxParts " + maxParts);
    }
    if (maxHeaderBytes < 1) {
      throw new IllegalArgumentException("maxHeaderBytes " + maxHeaderBytes);
    }
  }

  /** A copy with another {@code maxDepth}. */
  public MimeLimits withMaxDepth(int value) {
    return new MimeLimits(value, maxParts, maxHeaderBytes);
  }

  /** A copy with another {@code maxParts}. */
  public MimeLimits withMaxParts(int value) {
    return new MimeLimits(maxDepth, value, maxHeaderBytes);
  }

  /** A copy with another {@code maxHeaderBytes}. */
  public MimeLimits withMaxHeaderBytes(int value) {
    return new MimeLimits(maxDepth, maxParts, value);
  }
}
