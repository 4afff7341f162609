package org.carbonio.imap.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.carbonio.imap.protocol.SearchReturn.Option;

/**
 * What an extended SEARCH or SORT returns (RFC 4731 §3.1, RFC 5267 §3.2, RFC 9394 §3.1) and what
 * SAVE keeps (RFC 5182 §2.4), from the hits in result order: ascending for SEARCH, sort order for
 * SORT. MIN and MAX are the first and last hit in that order. Package-private; stateless.
 */
final class SearchResults {
  private SearchResults() {}

  /** RETURN (ALL): what a rev2 SEARCH without RETURN answers (RFC 9051 §6.4.4). */
  static final SearchReturn ALL =
      new SearchReturn(java.util.Set.of(Option.ALL), java.util.Optional.empty());

  /** The ESEARCH data items for {@code numbers} (MSNs or UIDs) in result order. */
  static List<Map.Entry<String, String>> data(SearchReturn r, List<Long> numbers) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    boolean any = !numbers.isEmpty();
    if (r.options().contains(Option.MIN) && any) {
      out.add(Map.entry("MIN", Long.toString(numbers.get(0))));
    }
    if (r.options().contains(Option.MAX) && any) {
      out.add(Map.entry("MAX", Long.toString(numbers.get(numbers.size() - 1))));
    }
    if (r.all() && any) out.add(Map.entry("ALL", sequence(numbers)));
    if (r.options().contains(Option.COUNT)) {
      out.add(Map.entry("COUNT", Integer.toString(numbers.size())));
    }
    if (r.partial().isPresent()) {
      SearchReturn.PartialRange range = r.partial().get();
      int[] slice = range.slice(numbers.size());
      List<Long> part = numbers.subList(slice[0], slice[1]);
      // RFC 9394 §3.1: PARTIAL (range sequence-set-or-NIL)
      out.add(
          Map.entry(
              "PARTIAL", "(" + range + " " + (part.isEmpty() ? "NIL" : sequence(part)) + ")"));
    }
    return out;
  }

  /**
   * The UIDs SAVE keeps (RFC 5182 §2.4), given every hit's UID in result order: only MIN and/or MAX
   * when those are asked for without ALL or COUNT; only the PARTIAL range when that is asked for
   * without ALL or COUNT; otherwise all of them. Ascending.
   */
  static long[] saved(SearchReturn r, List<Long> uids) {
    boolean whole = r.all() || r.options().contains(Option.COUNT);
    List<Long> keep = new ArrayList<>();
    if (!whole && (r.options().contains(Option.MIN) || r.options().contains(Option.MAX))) {
      if (!uids.isEmpty()) {
        if (r.options().contains(Option.MIN)) keep.add(uids.get(0));
        if (r.options().contains(Option.MAX)) keep.add(uids.get(uids.size() - 1));
      }
    } else if (!whole && r.partial().isPresent()) {
      int[] slice = r.partial().get().slice(uids.size());
      keep.addAll(uids.subList(slice[0], slice[1]));
    } else {
      keep.addAll(uids);
    }
    return keep.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
  }

  /**
   * A sequence-set listing {@code numbers} in their order: ascending runs become {@code a:b}, so
   * that a sort order survives (RFC 5267 §3.2).
   */
  static String sequence(List<Long> numbers) {
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
}
