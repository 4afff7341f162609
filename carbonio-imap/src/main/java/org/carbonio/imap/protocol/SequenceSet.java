package org.carbonio.imap.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Immutable: an RFC 3501 sequence-set ({@code 1:3,5,7:*}). {@code *} is stored as {@link #STAR} and
 * resolved against the largest number in use.
 */
public record SequenceSet(List<Range> ranges) {
  /** Stands for {@code *}. */
  public static final long STAR = Long.MAX_VALUE;

  /**
   * {@code $}: the saved search result (RFC 5182 §2.1); the session resolves it to the messages of
   * its last SEARCH RETURN (SAVE), whatever the command's UID-ness.
   */
  public static final SequenceSet SAVED = new SequenceSet(List.of(new Range(STAR - 1, STAR - 1)));

  /** Whether this is {@link #SAVED} ({@code $}). */
  public boolean isSaved() {
    return this.equals(SAVED);
  }

  public SequenceSet {
    ranges = List.copyOf(ranges);
    if (ranges.isEmpty()) throw new IllegalArgumentException("empty sequence set");
  }

  /** Immutable: {@code low:high} with {@code low <= high} after resolving {@code *}. */
  public record Range(long first, long last) {
    public Range {
      if (first < 1 || last < 1) throw new IllegalArgumentException("range " + first + ":" + last);
    }

    boolean contains(long n, long max) {
      long a = first == STAR ? max : first;
      long b = last == STAR ? max : last;
      return n >= Math.min(a, b) && n <= Math.max(a, b);
    }
  }

  /** Whether {@code n} is in the set when {@code *} means {@code max}. */
  public boolean contains(long n, long max) {
    for (Range r : ranges) if (r.contains(n, max)) return true;
    return false;
  }

  /**
   * Parses {@code 1:3,5,*}; returns null when malformed.
   *
   * @param s the atom
   */
  public static SequenceSet parse(String s) {
    if (s.isEmpty()) return null;
    List<Range> out = new ArrayList<>();
    for (String part : s.split(",", -1)) {
      int colon = part.indexOf(':');
      long a;
      long b;
      if (colon < 0) {
        a = b = number(part);
      } else {
        a = number(part.substring(0, colon));
        b = number(part.substring(colon + 1));
      }
      if (a < 1 || b < 1) return null;
      out.add(new Range(a, b));
    }
    return new SequenceSet(out);
  }

  private static long number(String s) {
    if (s.equals("*")) return STAR;
    if (s.isEmpty() || s.length() > 10) return -1;
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v > 0xFFFFFFFFL ? -1 : v;
  }

  /** Formats a sorted list of numbers compactly ({@code 1:3,7}), as used by COPYUID. */
  public static String format(List<Long> numbers) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < numbers.size()) {
      long start = numbers.get(i);
      int j = i;
      while (j + 1 < numbers.size() && numbers.get(j + 1) == numbers.get(j) + 1) j++;
      if (!sb.isEmpty()) sb.append(',');
      sb.append(start);
      if (j > i) sb.append(':').append(numbers.get(j));
      i = j + 1;
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    if (isSaved()) return "$";
    StringBuilder sb = new StringBuilder();
    for (Range r : ranges) {
      if (!sb.isEmpty()) sb.append(',');
      sb.append(r.first == STAR ? "*" : Long.toString(r.first));
      if (r.first != r.last) sb.append(':').append(r.last == STAR ? "*" : Long.toString(r.last));
    }
    return sb.toString();
  }
}
