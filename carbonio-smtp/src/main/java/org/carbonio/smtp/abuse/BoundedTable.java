package org.carbonio.smtp.abuse;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A concurrent map with at most about {@code max} entries, the shared memory bound of the abuse
 * controls. Lookups are lock-free ({@link ConcurrentHashMap}); when the table is full, one caller
 * sweeps it (the others do not wait) with each eviction rule in turn until it is three quarters
 * full. Entries are locked by their users with {@code synchronized (entry)} for short in-memory
 * updates; the sweeper evicts an entry under the same lock and marks it {@link Slot#removed}, so a
 * user that finds an entry removed looks it up again. Thread-safe.
 *
 * <p>The bound is exact for a single thread; concurrent inserts may overshoot it by the number of
 * threads inserting at that moment.
 */
final class BoundedTable<K, V extends BoundedTable.Slot> {

  /** The base of an entry: {@code removed} is read and written under the entry's monitor. */
  abstract static class Slot {
    boolean removed;
  }

  private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();
  private final int max;
  private final ReentrantLock sweeping = new ReentrantLock();
  private final AtomicInteger skipSweeps = new AtomicInteger();

  BoundedTable(int max) {
    this.max = max;
  }

  int size() {
    return map.size();
  }

  V get(K key) {
    return map.get(key);
  }

  /**
   * The entry of {@code key}, created when absent; null when the table is full of entries that no
   * rule may evict (the caller then treats the key as untracked).
   *
   * @param rules eviction rules, mildest first, each tested under the entry's monitor
   */
  V getOrCreate(K key, Function<K, V> factory, Rules<V> rules) {
    V v = map.get(key);
    if (v != null) {
      return v;
    }
    if (map.size() >= max && !sweep(rules)) {
      return null;
    }
    return map.computeIfAbsent(key, factory);
  }

  /** Evicts entries; true when there is room afterwards. */
  private boolean sweep(Rules<V> rules) {
    if (skipSweeps.get() > 0) {
      skipSweeps.decrementAndGet();
      return map.size() < max;
    }
    if (!sweeping.tryLock()) {
      return map.size() < max; // someone else is sweeping
    }
    try {
      int target = Math.max(0, max - Math.max(1, max / 4));
      for (Predicate<V> rule : rules.all()) {
        if (map.size() <= target) {
          break;
        }
        Iterator<Map.Entry<K, V>> it = map.entrySet().iterator();
        while (it.hasNext() && map.size() > target) {
          Map.Entry<K, V> e = it.next();
          V v = e.getValue();
          synchronized (v) {
            if (!v.removed && rule.test(v)) {
              v.removed = true;
              map.remove(e.getKey(), v);
            }
          }
        }
      }
      boolean room = map.size() < max;
      if (!room) {
        // Nothing evictable: let the next max/4 inserts overflow rather than rescan each time.
        skipSweeps.set(Math.max(1, max / 4));
      }
      return room;
    } finally {
      sweeping.unlock();
    }
  }

  /** Removes every entry {@code rule} accepts (a periodic clean-up, or a test). */
  void removeIf(Predicate<V> rule) {
    for (Map.Entry<K, V> e : map.entrySet()) {
      V v = e.getValue();
      synchronized (v) {
        if (!v.removed && rule.test(v)) {
          v.removed = true;
          map.remove(e.getKey(), v);
        }
      }
    }
  }

  /** Iterates the live entries (weakly consistent). */
  Iterable<Map.Entry<K, V>> entries() {
    return map.entrySet();
  }

  /** Adds an entry read from storage, unless full or present. */
  void putIfAbsent(K key, V value) {
    if (map.size() < max) {
      map.putIfAbsent(key, value);
    }
  }

  /** Eviction rules, mildest first. */
  record Rules<V>(List<Predicate<V>> all) {
    @SafeVarargs
    static <V> Rules<V> of(Predicate<V>... rules) {
      List<Predicate<V>> all = new java.util.ArrayList<>(rules.length);
      for (Predicate<V> r : rules) {
        all.add(r);
      }
      return new Rules<>(List.copyOf(all));
    }
  }
}
