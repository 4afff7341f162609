package org.carbonio.store;

import static java.util.Objects.requireNonNull;

/**
 * A named tag of an account, Zimbra style. A message carries the tag exactly when it carries the
 * IMAP keyword of the same name (RFC 9051 §2.3.2), so IMAP clients see tags as keywords and tag
 * messages with STORE.
 *
 * <p>Immutable.
 *
 * @param name the tag's name, which is also its keyword: 1 to 255 characters, no whitespace,
 *     control characters or {@code ( ) { % * " \ ]}; compared exactly
 * @param color 24-bit RGB color, {@code 0x000000} to {@value #MAX_COLOR}
 */
public record Tag(String name, int color) {
  /** The largest color value, white ({@code 0xFFFFFF}). */
  public static final int MAX_COLOR = 0xFF_FFFF;

  /** Validates the color (the name is validated by the store). */
  public Tag {
    requireNonNull(name, "name");
    if (color < 0 || color > MAX_COLOR) {
      throw new IllegalArgumentException("color " + color + " outside 0..0xFFFFFF");
    }
  }
}
