package org.carbonio.directory.internal;

import java.text.Normalizer;

/**
 * The SASLprep profile of stringprep (RFC 4013), as SCRAM's {@code Normalize} (RFC 5802 §2.2).
 *
 * <p>Maps non-ASCII spaces (RFC 3454 C.1.2) to U+0020, removes characters "commonly mapped to
 * nothing" (B.1), normalizes to NFKC, then checks the prohibited output (control, private-use,
 * surrogate, non-character and unassigned code points). The bidirectional checks of RFC 3454 §6 are
 * not applied. A string that fails the checks is used as it is, as PostgreSQL does: the result must
 * only be the same on the client and the server, and clients that cannot prepare a string send it
 * raw.
 *
 * <p>Immutable (static methods only).
 */
public final class SaslPrep {
  private SaslPrep() {}

  /** Returns the prepared form of {@code s}, or {@code s} itself if preparation fails. */
  public static String prepareOrRaw(String s) {
    String prepared = prepare(s);
    return prepared == null || prepared.isEmpty() ? s : prepared;
  }

  /** Returns the prepared form of {@code s}, or null if it contains prohibited output. */
  public static String prepare(String s) {
    boolean ascii = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return s; // printable ASCII is unchanged by RFC 4013 (the common case)
    }
    StringBuilder mapped = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            cp -> {
              if (mappedToNothing(cp)) {
                return; // RFC 4013 §2.1, RFC 3454 B.1
              }
              mapped.appendCodePoint(nonAsciiSpace(cp) ? ' ' : cp); // RFC 4013 §2.1, C.1.2
            });
    String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFKC); // RFC 4013 §2.2
    for (int i = 0; i < normalized.length(); ) {
      int cp = normalized.codePointAt(i);
      if (prohibited(cp)) {
        return null; // RFC 4013 §2.3
      }
      i += Character.charCount(cp);
    }
    return normalized;
  }

  private static boolean nonAsciiSpace(int cp) {
    return cp == 0x00A0
        || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200B)
        || cp == 0x202F
        || cp == 0x205F
        || cp == 0x3000;
  }

  private static boolean mappedToNothing(int cp) {
    return cp == 0x00AD
        || cp == 0x034F
        || cp == 0x1806
        || (cp >= 0x180B && cp <= 0x180D)
        || (cp >= 0x200C && cp <= 0x200D)
        || cp == 0x2060
        || (cp >= 0xFE00 && cp <= 0xFE0F)
        || cp == 0xFEFF;
  }

  private static boolean prohibited(int cp) {
    if (nonAsciiSpace(cp)) {
      return true; // C.1.2
    }
    if ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF)) {
      return true; // C.4 non-character code points
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, // C.2.1, C.2.2
          Character.PRIVATE_USE, // C.3
          Character.SURROGATE, // C.5
          Character.UNASSIGNED -> // RFC 4013 §2.5 (stored strings)
          true;
      default ->
          (cp >= 0x2FF0 && cp <= 0x2FFB) // C.7 ideographic description
              || (cp >= 0x200E && cp <= 0x200F) // C.8 bidi marks
              || (cp >= 0x202A && cp <= 0x202E)
              || (cp >= 0x206A && cp <= 0x206F)
              || cp == 0xE0001 // C.9 tagging
              || (cp >= 0xE0020 && cp <= 0xE007F)
              || (cp >= 0xFFF9 && cp <= 0xFFFD); // C.6
    };
  }
}
