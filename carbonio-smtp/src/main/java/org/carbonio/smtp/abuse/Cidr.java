package org.carbonio.smtp.abuse;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * An IPv4 or IPv6 network, e.g. {@code 192.0.2.0/24} or {@code 2001:db8::/32}. An IPv4-mapped IPv6
 * address ({@code ::ffff:192.0.2.1}) is matched as the IPv4 address it maps. Immutable.
 *
 * @param network the network address (host bits are cleared by {@link #parse})
 * @param prefixLength the number of leading bits that must match, 0 to 32 or 0 to 128
 */
public record Cidr(InetAddress network, int prefixLength) {

  /** {@code 127.0.0.0/8} and {@code ::1/128}: the default exemption of the abuse controls. */
  public static final List<Cidr> LOOPBACK = List.of(parse("127.0.0.0/8"), parse("::1/128"));

  /** Checks the prefix length against the address family. */
  public Cidr {
    requireNonNull(network, "network");
    int bits = network.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " not in 0.." + bits);
    }
  }

  /**
   * Parses {@code address/prefix}, or a bare address (a single host). Only literal addresses are
   * accepted; no name is looked up.
   *
   * @throws IllegalArgumentException when the text is not a network
   */
  public static Cidr parse(String text) {
    requireNonNull(text, "text");
    int slash = text.indexOf('/');
    String host = slash < 0 ? text : text.substring(0, slash);
    if (host.isEmpty() || !(host.indexOf(':') >= 0 || host.matches("[0-9.]+"))) {
      throw new IllegalArgumentException("not an IP network: " + Texts.quote(text));
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host); // literal only (checked above): no DNS lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP network: " + Texts.quote(text), e);
    }
    int bits = address.getAddress().length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad prefix length in " + Texts.quote(text), e);
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("prefix length " + prefix + " not in 0.." + bits);
    }
    byte[] masked = mask(address.getAddress(), prefix);
    try {
      return new Cidr(InetAddress.getByAddress(masked), prefix);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // a 4- or 16-byte array is always valid
    }
  }

  /** Whether {@code address} lies in this network. */
  public boolean contains(InetAddress address) {
    byte[] a = ClientKey.unmap(address.getAddress());
    byte[] n = network.getAddress();
    if (a.length != n.length) {
      return false;
    }
    return Arrays.equals(mask(a, prefixLength), mask(n, prefixLength));
  }

  /** Whether any of {@code networks} contains {@code address}. */
  public static boolean anyContains(List<Cidr> networks, InetAddress address) {
    for (Cidr c : networks) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.clamp(prefix - i * 8L, 0, 8);
      out[i] &= (byte) (0xFF00 >>> keep);
    }
    return out;
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefixLength;
  }
}
