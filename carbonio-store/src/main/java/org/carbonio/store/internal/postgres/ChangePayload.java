package org.carbonio.store.internal.postgres;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The NOTIFY payload of a committed write: {@code <node> <changed ids> <deleted ids>}, ids
 * comma-separated, {@code -} for none. A write that changed many folders sends several payloads,
 * each below PostgreSQL's 8000-byte limit.
 *
 * @param node the sender's node id
 * @param changed ids of folders whose content or state changed
 * @param deleted ids of folders that no longer exist
 */
record ChangePayload(String node, Set<Long> changed, Set<Long> deleted) {
  ChangePayload {
    changed = Set.copyOf(changed);
    deleted = Set.copyOf(deleted);
  }

  static List<String> encode(String node, Set<Long> changed, Set<Long> deleted) {
    List<String> out = new ArrayList<>();
    Iterator<Long> c = changed.iterator();
    Iterator<Long> d = deleted.iterator();
    while (c.hasNext() || d.hasNext()) {
      StringBuilder cs = new StringBuilder();
      StringBuilder ds = new StringBuilder();
      int budget = PostgresTransactor.MAX_PAYLOAD - node.length() - 4;
      while (budget > 20 && (c.hasNext() || d.hasNext())) {
        StringBuilder target = c.hasNext() ? cs : ds;
        String id = String.valueOf(c.hasNext() ? c.next() : d.next());
        if (!target.isEmpty()) {
          target.append(',');
        }
        target.append(id);
        budget -= id.length() + 1;
      }
      out.add(node + " " + orDash(cs) + " " + orDash(ds));
    }
    return out;
  }

  private static String orDash(StringBuilder b) {
    return b.isEmpty() ? "-" : b.toString();
  }

  /** Parses a payload; empty if it is not one of ours. */
  static Optional<ChangePayload> decode(String payload) {
    String[] parts = payload.split(" ", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ChangePayload(parts[0], ids(parts[1]), ids(parts[2])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Set<Long> ids(String s) {
    Set<Long> out = new HashSet<>();
    if (!s.equals("-")) {
      for (String id : s.split(",")) {
        out.add(Long.parseLong(id));
      }
    }
    return out;
  }
}
