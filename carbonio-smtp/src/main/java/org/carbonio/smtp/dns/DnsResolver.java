package org.carbonio.smtp.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The DNS questions mail needs. Thread-safe.
 *
 * <p>Every method returns a {@link DnsResult}: the records (possibly none) with the response code
 * and whether the resolver vouched for them with the AD bit (RFC 4035 §3.2.3), which DANE needs
 * (RFC 7672 §2.2). A name that does not exist is {@link DnsResult.Rcode#NXDOMAIN}; a name with no
 * record of the type is {@link DnsResult.Rcode#NOERROR} with no records ("NODATA"). A failure that
 * may go away (SERVFAIL, REFUSED, timeout, truncation that TCP could not resolve) throws {@link
 * DnsException}: SPF calls it {@code temperror} (RFC 7208 §2.6.6), delivery defers.
 *
 * <p>Names are absolute; a trailing dot is optional. Implementations follow CNAME chains.
 */
public interface DnsResolver {

  /** The MX records of {@code domain} (RFC 5321 §5.1), in answer order. */
  DnsResult<MxRecord> mx(String domain) throws DnsException;

  /** The IPv4 addresses of {@code host}. */
  DnsResult<Inet4Address> a(String host) throws DnsException;

  /** The IPv6 addresses of {@code host}. */
  DnsResult<Inet6Address> aaaa(String host) throws DnsException;

  /**
   * The TXT records of {@code name}, each one's character-strings joined without separator (as SPF,
   * RFC 7208 §3.3, DKIM, RFC 6376 §3.6.2.2, and DMARC read them).
   */
  DnsResult<String> txt(String name) throws DnsException;

  /** The TLSA records of {@code name}, e.g. {@code _25._tcp.mx.example.com} (RFC 6698 §2). */
  DnsResult<TlsaRecord> tlsa(String name) throws DnsException;

  /** The PTR names of {@code address} (reverse DNS), without trailing dot. */
  DnsResult<String> ptr(InetAddress address) throws DnsException;
}
