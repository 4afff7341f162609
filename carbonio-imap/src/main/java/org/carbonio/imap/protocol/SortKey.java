package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

/**
 * Immutable: one SORT criterion (RFC 5256 §3, RFC 5957 §3), possibly reversed.
 *
 * @param criterion what is compared
 * @param reverse whether REVERSE preceded it
 */
public record SortKey(Criterion criterion, boolean reverse) {
  public SortKey {
    requireNonNull(criterion, "criterion");
  }

  /** The sort keys of RFC 5256 §3 and DISPLAYFROM/DISPLAYTO of RFC 5957. */
  public enum Criterion {
    ARRIVAL,
    CC,
    DATE,
    FROM,
    SIZE,
    SUBJECT,
    TO,
    DISPLAYFROM,
    DISPLAYTO
  }
}
