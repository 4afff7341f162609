package org.carbonio.smtp.dns;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One TLSA record (RFC 6698 §2.1). Immutable.
 *
 * @param usage certificate usage: 2 DANE-TA, 3 DANE-EE (the two RFC 7672 §3.1 allows for SMTP)
 * @param selector 0 full certificate, 1 SubjectPublicKeyInfo
 * @param matchingType 0 exact, 1 SHA-256, 2 SHA-512
 * @param data the association data
 */
public record TlsaRecord(int usage, int selector, int matchingType, byte[] data) {

  /** Copies the data. */
  public TlsaRecord {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsaRecord t
        && usage == t.usage
        && selector == t.selector
        && matchingType == t.matchingType
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * usage + selector) + matchingType) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return usage + " " + selector + " " + matchingType + " " + HexFormat.of().formatHex(data);
  }
}
