package org.carbonio.directory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LookupCacheTest {

  @Test
  void getShouldLoadOnceWhenNothingChanges() {
    LookupCache<String, Integer> cache = new LookupCache<>(10);
    AtomicInteger loads = new AtomicInteger();
    assertThat(cache.get("a", k -> loads.incrementAndGet())).isEqualTo(1);
    assertThat(cache.get("a", k -> loads.incrementAndGet())).isEqualTo(1);
    assertThat(loads).hasValue(1);
  }

  @Test
  void getShouldLoadEveryTimeWhenMaxEntriesIsZero() {
    LookupCache<String, Integer> cache = new LookupCache<>(0);
    AtomicInteger loads = new AtomicInteger();
    assertThat(cache.get("a", k -> loads.incrementAndGet())).isEqualTo(1);
    assertThat(cache.get("a", k -> loads.incrementAndGet())).isEqualTo(2);
  }

  @Test
  void getShouldLoadAgainWhenInvalidated() {
    LookupCache<String, Integer> cache = new LookupCache<>(10);
    AtomicInteger loads = new AtomicInteger();
    cache.get("a", k -> loads.incrementAndGet());
    cache.invalidate();
    assertThat(cache.get("a", k -> loads.incrementAndGet())).isEqualTo(2);
  }

  @Test
  void answerShouldNotBeServedWhenAChangeHappenedWhileItWasRead() {
    LookupCache<String, String> cache = new LookupCache<>(10);
    // The load reads the old state, then a change lands before the answer is stored.
    assertThat(
            cache.get(
                "a",
                k -> {
                  cache.invalidate();
                  return "old";
                }))
        .isEqualTo("old");
    assertThat(cache.get("a", k -> "new")).isEqualTo("new");
  }

  @Test
  void cacheShouldStayBoundedWhenManyKeysAreRead() {
    LookupCache<Integer, Integer> cache = new LookupCache<>(3);
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < 10; i++) {
      cache.get(i, k -> loads.incrementAndGet());
    }
    cache.get(9, k -> loads.incrementAndGet());
    assertThat(loads).hasValue(10); // the last key is still cached after the map was emptied
  }
}
