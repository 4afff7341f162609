package org.carbonio.smtp.dns;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The answer to one DNS question. Immutable.
 *
 * @param rcode {@link Rcode#NOERROR} or {@link Rcode#NXDOMAIN}; other codes throw {@link
 *     DnsException}
 * @param records the records of the asked type, after following CNAMEs; empty for NXDOMAIN and
 *     NODATA
 * @param authenticated true when the resolver set the AD bit: every record was DNSSEC-validated
 *     (RFC 4035 §3.2.3). Only meaningful when the resolver is trusted and the path to it is safe.
 * @param <T> the record type
 */
public record DnsResult<T>(Rcode rcode, List<T> records, boolean authenticated) {

  /** The response codes a lookup can end with without throwing. */
  public enum Rcode {
    /** The name exists (records may still be empty: NODATA). */
    NOERROR,
    /** The name does not exist (RFC 1035 §4.1.1 RCODE 3). */
    NXDOMAIN
  }

  /** Checks components and copies the records. */
  public DnsResult {
    requireNonNull(rcode, "rcode");
    records = List.copyOf(records);
  }

  /** A NOERROR answer. */
  public static <T> DnsResult<T> of(List<T> records, boolean authenticated) {
    return new DnsResult<>(Rcode.NOERROR, records, authenticated);
  }

  /** An NXDOMAIN answer. */
  public static <T> DnsResult<T> nxdomain(boolean authenticated) {
    return new DnsResult<>(Rcode.NXDOMAIN, List.of(), authenticated);
  }

  /** True for NXDOMAIN and for NODATA: RFC 7208 §4.6.4 counts both as a "void lookup". */
  public boolean isEmpty() {
    return records.isEmpty();
  }
}
