package org.carbonio.smtp.abuse;

import java.net.InetAddress;

/**
 * The unit a per-client limit counts: an IPv4 address, or the /64 prefix of an IPv6 address (one
 * subscriber's LAN, RFC 6177 §2), since a single IPv6 host can use any address of its /64.
 * IPv4-mapped IPv6 addresses count as their IPv4 address. Immutable.
 *
 * @param bits the IPv4 address in the low 32 bits, or the IPv6 /64 prefix
 * @param v6 true for an IPv6 prefix
 */
record ClientKey(long bits, boolean v6) {

  static ClientKey of(InetAddress address) {
    return of(address, 32, 64);
  }

  /** The key of the network of {@code address}: its first {@code v4Bits} or {@code v6Bits}. */
  static ClientKey of(InetAddress address, int v4Bits, int v6Bits) {
    byte[] a = unmap(address.getAddress());
    if (a.length == 4) {
      long v =
          ((a[0] & 0xFFL) << 24) | ((a[1] & 0xFFL) << 16) | ((a[2] & 0xFFL) << 8) | (a[3] & 0xFFL);
      return new ClientKey(
          v4Bits >= 32 ? v : v & (0xFFFFFFFFL << (32 - v4Bits)) & 0xFFFFFFFFL, false);
    }
    long hi = 0;
    for (int i = 0; i < 8; i++) {
      hi = (hi << 8) | (a[i] & 0xFFL);
    }
    if (v6Bits < 64) {
      hi &= v6Bits == 0 ? 0 : -1L << (64 - v6Bits);
    }
    return new ClientKey(hi, true);
  }

  /** The IPv4 address of an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}), else the input. */
  static byte[] unmap(byte[] a) {
    if (a.length == 16) {
      for (int i = 0; i < 10; i++) {
        if (a[i] != 0) {
          return a;
        }
      }
      if (a[10] == (byte) 0xFF && a[11] == (byte) 0xFF) {
        return new byte[] {a[12], a[13], a[14], a[15]};
      }
    }
    return a;
  }
}
