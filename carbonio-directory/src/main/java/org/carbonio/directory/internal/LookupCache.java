package org.carbonio.directory.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Answers of directory reads (account by address, local domain), kept until the next change. Every
 * change calls {@link #invalidate()}, which starts a new generation; an answer is used only in the
 * generation it was computed in, so a read that raced with a change is never served afterwards (it
 * may be stored, but carries the old generation and is ignored). Bounded: the map is emptied when
 * it holds {@code maxEntries}; with {@code maxEntries} 0 nothing is cached. With a time to live, an
 * answer also expires after it (for a directory that others change without telling this one).
 *
 * <p>Thread-safe.
 */
public final class LookupCache<K, V> {
  private record Stamped<V>(long generation, long expires, V value) {}

  private final ConcurrentHashMap<K, Stamped<V>> entries = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final int maxEntries;
  private final Clock clock;
  private final long ttlMillis; // 0: no expiry

  public LookupCache(int maxEntries) {
    this(maxEntries, Clock.systemUTC(), Duration.ZERO);
  }

  /** A cache whose answers also expire {@code ttl} after they were loaded (zero: never). */
  public LookupCache(int maxEntries, Clock clock, Duration ttl) {
    this.maxEntries = maxEntries;
    this.clock = clock;
    this.ttlMillis = ttl.toMillis();
  }

  /** The cached answer for {@code key} in the current generation, else {@code load}'s. */
  public V get(K key, Function<K, V> load) {
    if (maxEntries == 0) {
      return load.apply(key);
    }
    long g = generation.get();
    long now = ttlMillis == 0 ? 0 : clock.millis();
    Stamped<V> hit = entries.get(key);
    if (hit != null && hit.generation() == g && (ttlMillis == 0 || now < hit.expires())) {
      return hit.value();
    }
    V value = load.apply(key);
    if (entries.size() >= maxEntries) {
      entries.clear();
    }
    entries.put(key, new Stamped<>(g, now + ttlMillis, value));
    return value;
  }

  /** Forgets every answer: call after each change, once it is visible to reads. */
  public void invalidate() {
    generation.incrementAndGet();
    entries.clear();
  }
}
