package org.carbonio.smtp.dns;

import static java.util.Objects.requireNonNull;

/**
 * One MX record (RFC 1035 §3.3.9). Immutable.
 *
 * @param preference lower is tried first (RFC 5321 §5.1)
 * @param host the exchange, without trailing dot; {@code ""} is the "null MX" of RFC 7505
 */
public record MxRecord(int preference, String host) {
  /** Checks the components. */
  public MxRecord {
    requireNonNull(host, "host");
    if (preference < 0 || preference > 0xFFFF) {
      throw new IllegalArgumentException("preference " + preference);
    }
  }

  /** True for the null MX ({@code MX 0 .}), which says the domain accepts no mail (RFC 7505). */
  public boolean isNull() {
    return host.isEmpty();
  }
}
