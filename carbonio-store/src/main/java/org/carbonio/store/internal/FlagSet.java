package org.carbonio.store.internal;

import static org.carbonio.store.StoreException.quote;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.Flags;
import org.carbonio.store.StoreException;

/**
 * Flags in storage form: a bit mask of system flags and a sorted set of keywords.
 *
 * <p>Immutable.
 *
 * @param system bits {@link #SEEN} etc.
 * @param keywords keywords, sorted
 */
public record FlagSet(int system, Set<String> keywords) {
  public static final int SEEN = 1;
  public static final int ANSWERED = 2;
  public static final int FLAGGED = 4;
  public static final int DELETED = 8;
  public static final int DRAFT = 16;

  private static final String[] NAMES = {
    Flags.SEEN, Flags.ANSWERED, Flags.FLAGGED, Flags.DELETED, Flags.DRAFT
  };

  /** Maximum characters of a keyword. */
  public static final int MAX_KEYWORD = 255;

  /** The empty flag set. */
  public static final FlagSet EMPTY = new FlagSet(0, Set.of());

  /** Copies the keywords into a sorted, unmodifiable set. */
  public FlagSet {
    keywords = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(keywords));
  }

  /**
   * Parses client flags.
   *
   * @throws StoreException.Invalid for an unknown system flag or a bad keyword
   */
  public static FlagSet of(Collection<String> flags) {
    if (flags == null || flags.isEmpty()) {
      return EMPTY;
    }
    int bits = 0;
    Set<String> keywords = new TreeSet<>();
    for (String f : flags) {
      if (f == null || f.isEmpty()) {
        throw new StoreException.Invalid("empty flag");
      }
      if (f.charAt(0) == '\\') {
        bits |= systemBit(f);
      } else {
        checkKeyword(f);
        keywords.add(f);
      }
    }
    return new FlagSet(bits, keywords);
  }

  private static int systemBit(String f) {
    for (int i = 0; i < NAMES.length; i++) {
      if (NAMES[i].equalsIgnoreCase(f)) {
        return 1 << i;
      }
    }
    throw new StoreException.Invalid("unknown system flag " + quote(f));
  }

  private static void checkKeyword(String f) {
    if (f.length() > MAX_KEYWORD) {
      throw new StoreException.Invalid("keyword longer than " + MAX_KEYWORD + ": " + quote(f));
    }
    for (int i = 0; i < f.length(); i++) {
      char c = f.charAt(i);
      // RFC 9051 §9: flag-keyword = atom; atom-specials and "]" are excluded.
      if (c <= ' ' || c == 0x7f || "(){%*\"\\]".indexOf(c) >= 0 || Character.isWhitespace(c)) {
        throw new StoreException.Invalid("bad character in keyword " + quote(f));
      }
    }
  }

  /** Restores a stored set (keywords space-separated). */
  public static FlagSet stored(int system, String keywords) {
    if (keywords == null || keywords.isEmpty()) {
      return new FlagSet(system, Set.of());
    }
    return new FlagSet(system, Set.of(keywords.split(" ")));
  }

  /** Keywords in storage form: sorted, space-separated. */
  public String keywordText() {
    return String.join(" ", keywords);
  }

  /** Whether {@code \Deleted} is set. */
  public boolean deleted() {
    return (system & DELETED) != 0;
  }

  /** Applies an operation. */
  public FlagSet apply(FlagOperation op, FlagSet arg) {
    return switch (op) {
      case REPLACE -> arg;
      case ADD -> {
        Set<String> k = new TreeSet<>(keywords);
        k.addAll(arg.keywords);
        yield new FlagSet(system | arg.system, k);
      }
      case REMOVE -> {
        Set<String> k = new TreeSet<>(keywords);
        k.removeAll(arg.keywords);
        yield new FlagSet(system & ~arg.system, k);
      }
    };
  }

  /** The flags as strings: system flags first, then keywords. */
  public Set<String> toSet() {
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < NAMES.length; i++) {
      if ((system & (1 << i)) != 0) {
        out.add(NAMES[i]);
      }
    }
    out.addAll(keywords);
    return out;
  }
}
