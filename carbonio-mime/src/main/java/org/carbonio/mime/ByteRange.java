package org.carbonio.mime;

/**
 * A half-open range {@code [start, end)} of byte offsets into a message's bytes. Immutable.
 *
 * @param start first offset, inclusive
 * @param end last offset, exclusive
 */
public record ByteRange(int start, int end) {

  /** Validates {@code 0 <= start <= end}. */
  public ByteRange {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("invalid range [" + start + ", " + end + ")");
    }
  }

  /** Number of bytes in the range. */
  public int length() {
    return end - start;
  }

  /** True when the range holds no byte. */
  public boolean isEmpty() {
    return start == end;
  }

  /** True when {@code other} lies entirely within this range. */
  public boolean contains(ByteRange other) {
    return other.start >= start && other.end <= end;
  }
}
