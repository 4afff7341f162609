package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The extensions a client can turn on with ENABLE (RFC 5161) in one session, and which of them it
 * has turned on. Each extension registers its name with an action run once when it is first enabled
 * and one run when the session forgets it (UNAUTHENTICATE, RFC 8437 §3). Names compare
 * case-insensitively; unknown names are ignored (RFC 5161 §3.1).
 *
 * {@snippet :
 * extensions.register("CONDSTORE", condStore::enable, condStore::reset);
 * List<String> now = extensions.enable(List.of("condstore", "X-UNKNOWN")); // ["CONDSTORE"]
 * }
 *
 * <p>Not thread-safe: confine to one connection (one instance per {@link ImapSession}).
 */
public final class Extensions {

  /** IMAP4rev2 semantics (RFC 9051 §6.3.1). */
  public static final String IMAP4REV2 = "IMAP4rev2";

  /** UTF-8 strings and mailbox names (RFC 6855 §3). */
  public static final String UTF8_ACCEPT = "UTF8=ACCEPT";

  private record Entry(String name, Runnable onEnable, Runnable onReset) {}

  private final Map<String, Entry> byKey = new LinkedHashMap<>();
  private final Set<String> enabled = new LinkedHashSet<>();

  /** An empty registry. */
  public Extensions() {}

  /** Registers an extension whose enabling needs no undoing beyond forgetting it. */
  public void register(String name, Runnable onEnable) {
    register(name, onEnable, () -> {});
  }

  /**
   * Registers an extension.
   *
   * @param name the capability name as advertised, e.g. {@code CONDSTORE}
   * @param onEnable run when a client enables it for the first time in this session
   * @param onReset run by {@link #reset()} if it was enabled
   * @throws IllegalArgumentException if the name is empty or already registered
   */
  public void register(String name, Runnable onEnable, Runnable onReset) {
    requireNonNull(name, "name");
    requireNonNull(onEnable, "onEnable");
    requireNonNull(onReset, "onReset");
    if (name.isEmpty()) throw new IllegalArgumentException("empty extension name");
    String key = name.toUpperCase(Locale.ROOT);
    if (byKey.containsKey(key)) throw new IllegalArgumentException("already registered: " + name);
    byKey.put(key, new Entry(name, onEnable, onReset));
  }

  /**
   * Enables the named extensions (RFC 5161 §3.1) and returns the ones this call newly enabled, by
   * their registered names, for the {@code * ENABLED} response. Unknown and already enabled names
   * are skipped.
   */
  public List<String> enable(Collection<String> names) {
    List<String> now = new ArrayList<>();
    for (String n : names) {
      Entry e = byKey.get(n.toUpperCase(Locale.ROOT));
      if (e == null || !enabled.add(e.name())) continue;
      e.onEnable().run();
      now.add(e.name());
    }
    return now;
  }

  /** Whether the extension is enabled in this session; the name compares case-insensitively. */
  public boolean isEnabled(String name) {
    Entry e = byKey.get(name.toUpperCase(Locale.ROOT));
    return e != null && enabled.contains(e.name());
  }

  /** The enabled extensions, in the order they were enabled. */
  public Set<String> enabled() {
    return Set.copyOf(enabled);
  }

  /** The registered names, in registration order. */
  public List<String> registered() {
    List<String> names = new ArrayList<>();
    for (Entry e : byKey.values()) names.add(e.name());
    return names;
  }

  /** Forgets every enabled extension, running their reset actions (RFC 8437 §3). */
  public void reset() {
    for (Entry e : byKey.values()) {
      if (enabled.remove(e.name())) e.onReset().run();
    }
  }
}
