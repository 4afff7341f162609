package org.carbonio.imap.spi;

import java.util.Arrays;

/**
 * An ascending list of UIDs stored in 4 bytes each (UIDs are unsigned 32-bit, RFC 9051 §2.3.1.1):
 * the compact form of a mailbox's message list that a session keeps while it is selected.
 *
 * <p>Immutable.
 */
public final class UidList {
  private static final UidList EMPTY = new UidList(new int[0]);

  private final int[] uids;

  private UidList(int[] uids) {
    this.uids = uids;
  }

  /** The empty list. */
  public static UidList empty() {
    return EMPTY;
  }

  /**
   * A list of the given UIDs, which must be strictly ascending and between 1 and 2^32-1.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static UidList of(long... uids) {
    Builder b = new Builder(uids.length);
    for (long u : uids) {
      b.add(u);
    }
    return b.build();
  }

  /** Number of UIDs. */
  public int size() {
    return uids.length;
  }

  /** The UID at {@code index} (0-based). */
  public long get(int index) {
    return Integer.toUnsignedLong(uids[index]);
  }

  /** The index of {@code uid}, or -1 if absent. */
  public int indexOf(long uid) {
    if (uid < 1 || uid > 0xFFFF_FFFFL) {
      return -1;
    }
    int lo = 0;
    int hi = uids.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long v = get(mid);
      if (v < uid) {
        lo = mid + 1;
      } else if (v > uid) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  /** A copy of the UIDs as unsigned 32-bit values. */
  public int[] toIntArray() {
    return uids.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UidList other && Arrays.equals(uids, other.uids);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(uids);
  }

  @Override
  public String toString() {
    return "UidList[size=" + uids.length + "]";
  }

  /** Collects ascending UIDs. Not thread-safe: confine to one thread. */
  public static final class Builder {
    private int[] buf;
    private int size;
    private long last;

    /** A builder with room for {@code expected} UIDs (it grows as needed). */
    public Builder(int expected) {
      buf = new int[Math.max(expected, 16)];
    }

    /**
     * Appends a UID greater than the previous one.
     *
     * @throws IllegalArgumentException if not ascending or out of range
     */
    public Builder add(long uid) {
      if (uid <= last || uid > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("uid " + uid + " after " + last);
      }
      if (size == buf.length) {
        buf = Arrays.copyOf(buf, buf.length + (buf.length >> 1) + 16);
      }
      buf[size++] = (int) uid;
      last = uid;
      return this;
    }

    /** The list; the builder must not be used afterwards. */
    public UidList build() {
      if (size == 0) {
        return EMPTY;
      }
      int[] out = size == buf.length ? buf : Arrays.copyOf(buf, size);
      buf = null;
      return new UidList(out);
    }
  }
}
