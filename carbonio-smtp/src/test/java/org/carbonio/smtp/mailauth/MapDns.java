package org.carbonio.smtp.mailauth;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.smtp.dns.DnsException;
import org.carbonio.smtp.dns.DnsResolver;
import org.carbonio.smtp.dns.DnsResult;
import org.carbonio.smtp.dns.MxRecord;
import org.carbonio.smtp.dns.TlsaRecord;

/**
 * An in-memory zone for tests: a name with records of another type answers NODATA, an unknown name
 * NXDOMAIN, a name marked {@link #fail} throws. Thread-safe enough for tests (fill before use).
 */
final class MapDns implements DnsResolver {
  private final Map<String, List<Object>> records = new HashMap<>();
  private final Set<String> failing = new HashSet<>();
  final AtomicInteger queries = new AtomicInteger();

  private static String key(String type, String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    return type + " " + n;
  }

  private void add(String type, String name, Object value) {
    records.computeIfAbsent(key(type, name), k -> new ArrayList<>()).add(value);
    records.computeIfAbsent(key("ANY", name), k -> new ArrayList<>());
  }

  MapDns txt(String name, String... values) {
    for (String v : values) {
      add("TXT", name, v);
    }
    if (values.length == 0) {
      records.computeIfAbsent(key("ANY", name), k -> new ArrayList<>());
    }
    return this;
  }

  MapDns a(String name, String... ips) {
    for (String ip : ips) {
      try {
        InetAddress a = InetAddress.getByName(ip);
        add(a instanceof Inet4Address ? "A" : "AAAA", name, a);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(ip, e);
      }
    }
    return this;
  }

  MapDns mx(String name, int pref, String host) {
    add("MX", name, new MxRecord(pref, host));
    return this;
  }

  MapDns ptr(String ip, String... names) {
    for (String n : names) {
      add("PTR", ip, n);
    }
    return this;
  }

  MapDns fail(String name) {
    failing.add(key("", name));
    return this;
  }

  @SuppressWarnings("unchecked")
  private <T> DnsResult<T> lookup(String type, String name) throws DnsException {
    queries.incrementAndGet();
    if (failing.contains(key("", name))) {
      throw new DnsException("SERVFAIL " + name);
    }
    List<Object> r = records.get(key(type, name));
    if (r == null) {
      return records.containsKey(key("ANY", name))
          ? DnsResult.of(List.of(), false)
          : DnsResult.nxdomain(false);
    }
    return DnsResult.of((List<T>) (List<?>) r, false);
  }

  @Override
  public DnsResult<MxRecord> mx(String domain) throws DnsException {
    return lookup("MX", domain);
  }

  @Override
  public DnsResult<Inet4Address> a(String host) throws DnsException {
    return lookup("A", host);
  }

  @Override
  public DnsResult<Inet6Address> aaaa(String host) throws DnsException {
    return lookup("AAAA", host);
  }

  @Override
  public DnsResult<String> txt(String name) throws DnsException {
    return lookup("TXT", name);
  }

  @Override
  public DnsResult<TlsaRecord> tlsa(String name) throws DnsException {
    return lookup("TLSA", name);
  }

  @Override
  public DnsResult<String> ptr(InetAddress address) throws DnsException {
    return lookup("PTR", address.getHostAddress());
  }
}
