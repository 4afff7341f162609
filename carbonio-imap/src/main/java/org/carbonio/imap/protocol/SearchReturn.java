package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Immutable: the RETURN options of an extended SEARCH (RFC 4731 §3.1) or SORT (RFC 5267 §3.2), with
 * SAVE (RFC 5182 §2.1) and PARTIAL (RFC 9394 §3.1). Empty options, as in {@code RETURN ()}, mean
 * ALL.
 *
 * @param options the plain options, without PARTIAL
 * @param partial the PARTIAL range, if requested
 */
public record SearchReturn(Set<Option> options, Optional<PartialRange> partial) {
  public SearchReturn {
    options = options.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(options));
    requireNonNull(partial, "partial");
  }

  /** A RETURN option other than PARTIAL. */
  public enum Option {
    MIN,
    MAX,
    ALL,
    COUNT,
    SAVE
  }

  /** Whether any result data is asked for besides SAVE (RFC 5182 §2.4). */
  public boolean onlySave() {
    return partial.isEmpty() && options.equals(Set.of(Option.SAVE));
  }

  /** ALL, explicitly or by an empty option list (RFC 4731 §3.1). */
  public boolean all() {
    return options.contains(Option.ALL) || (options.isEmpty() && partial.isEmpty());
  }

  /**
   * Immutable: a PARTIAL range (RFC 9394 §3.1): {@code first:last} counts from the start of the
   * result (1 is the first), {@code -first:-last} from its end (-1 is the last). Both bounds have
   * the same sign; they are stored ordered by magnitude.
   *
   * @param first the bound nearer to the end it counts from (1 or -1 for the first/last hit)
   * @param last the other bound
   */
  public record PartialRange(long first, long last) {
    public PartialRange {
      if (first == 0 || last == 0 || (first > 0) != (last > 0)) {
        throw new IllegalArgumentException("partial range " + first + ":" + last);
      }
      if (Math.abs(first) > Math.abs(last)) {
        long t = first;
        first = last;
        last = t;
      }
    }

    /** Whether it counts from the end of the result. */
    public boolean fromEnd() {
      return first < 0;
    }

    /** The 0-based index interval {@code [from, to)} this range selects of {@code size} hits. */
    int[] slice(int size) {
      long a;
      long b;
      if (fromEnd()) {
        a = size + last; // -last counts from the end; -1 is index size-1
        b = size + first + 1;
      } else {
        a = first - 1;
        b = last;
      }
      int from = (int) Math.max(0, Math.min(size, a));
      int to = (int) Math.max(from, Math.min(size, b));
      return new int[] {from, to};
    }

    @Override
    public String toString() {
      return first + ":" + last;
    }

    /** Parses {@code 1:100} or {@code -1:-100}; null when malformed. */
    static PartialRange parse(String s) {
      int colon = s.indexOf(':', 1);
      if (colon < 0) return null;
      long a = signed(s.substring(0, colon));
      long b = signed(s.substring(colon + 1));
      if (a == 0 || b == 0 || (a > 0) != (b > 0)) return null;
      return new PartialRange(a, b);
    }

    private static long signed(String s) {
      boolean neg = s.startsWith("-");
      String digits = neg ? s.substring(1) : s;
      if (digits.isEmpty() || digits.length() > 10 || digits.charAt(0) == '0') return 0;
      long v = 0;
      for (int i = 0; i < digits.length(); i++) {
        char c = digits.charAt(i);
        if (c < '0' || c > '9') return 0;
        v = v * 10 + (c - '0');
      }
      if (v > 0xFFFF_FFFFL) return 0;
      return neg ? -v : v;
    }
  }
}
