package org.carbonio.smtp.dns;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A {@link DnsResolver} on dnsjava that asks recursive resolvers at configurable addresses.
 * Thread-safe.
 *
 * <p>Each question goes over UDP with EDNS0 and the DO bit, and with the AD bit set in the query
 * (RFC 6840 §5.7), so that a validating resolver reports whether the answer was validated; this
 * class never validates DNSSEC itself. A truncated UDP answer is asked again over TCP (RFC 7766
 * §5). CNAME chains are followed (at most {@value #MAX_CNAME_HOPS} hops), asking again for the
 * chain's end when the resolver did not include it; the answer is authenticated only if every step
 * was. SERVFAIL, REFUSED and timeouts move on to the next server; when every server failed the
 * lookup throws {@link DnsException}.
 *
 * <p>{@link DnsResult#authenticated()} is true only when the resolver set the AD bit and is trusted
 * to: by default only resolvers on a loopback address (a local validating resolver, the trusted
 * path RFC 7672 §2.2 asks for); {@link Builder#trustAd} trusts the others too. So DANE is applied
 * only behind a local validating resolver unless the operator says otherwise.
 *
 * <p>Answers are cached by name and type for their TTL (negative answers for the SOA minimum, RFC
 * 2308 §5), capped by {@link Builder#maxTtl} and {@link Builder#maxNegativeTtl}, in an LRU map of
 * at most {@link Builder#cacheSize} entries. Failures are not cached.
 *
 * <p>A name that cannot exist in the DNS (an empty label, a label over 63 octets, a name over 255)
 * is answered NXDOMAIN without a query, so callers that build names from untrusted input (SPF
 * macros, DKIM selectors) need no separate check.
 *
 * {@snippet :
 * DnsResolver dns = DnsjavaResolver.builder()
 *     .servers(List.of(new InetSocketAddress("127.0.0.1", 5353)))
 *     .timeout(Duration.ofSeconds(2))
 *     .build();
 * DnsResult<MxRecord> mx = dns.mx("example.com");
 * }
 */
public final class DnsjavaResolver implements DnsResolver {

  /** The longest CNAME chain followed. */
  public static final int MAX_CNAME_HOPS = 8;

  private static final Logger log = LoggerFactory.getLogger(DnsjavaResolver.class);

  private final List<InetSocketAddress> servers;
  private final List<SimpleResolver> resolvers;
  private final List<Boolean> trusted;
  private final Duration timeout;
  private final int cacheSize;
  private final Duration maxTtl;
  private final Duration maxNegativeTtl;
  private final Clock clock;
  private final Map<String, Cached> cache;

  private record Cached(DnsResult<?> result, Instant expires) {}

  private DnsjavaResolver(Builder b) {
    this.servers = List.copyOf(b.servers);
    this.timeout = b.timeout;
    this.cacheSize = b.cacheSize;
    this.maxTtl = b.maxTtl;
    this.maxNegativeTtl = b.maxNegativeTtl;
    this.clock = b.clock;
    List<SimpleResolver> list = new ArrayList<>();
    List<Boolean> trust = new ArrayList<>();
    for (InetSocketAddress server : servers) {
      trust.add(trustedPath(server, b.trustAd));
      SimpleResolver r = new SimpleResolver(server);
      r.setTimeout(timeout);
      // RFC 3225: DO asks a validating resolver to validate; 1232 octets avoids fragmentation
      r.setEDNS(0, 1232, ExtendedFlags.DO, List.of());
      list.add(r);
    }
    this.resolvers = List.copyOf(list);
    this.trusted = List.copyOf(trust);
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > cacheSize;
          }
        };
  }

  /** A builder with the defaults: the system's resolvers, 5 s timeout, 10,000 cache entries. */
  public static Builder builder() {
    return new Builder();
  }

  /** A resolver asking {@code servers} in order, each with {@code timeout}, with a cache. */
  public static DnsjavaResolver of(List<InetSocketAddress> servers, Duration timeout) {
    return builder().servers(servers).timeout(timeout).build();
  }

  /** The resolvers asked, in order. */
  public List<InetSocketAddress> servers() {
    return servers;
  }

  /** Forgets every cached answer. */
  public void clearCache() {
    synchronized (cache) {
      cache.clear();
    }
  }

  @Override
  public DnsResult<MxRecord> mx(String domain) throws DnsException {
    return lookup(
        domain,
        Type.MX,
        r -> {
          MXRecord mx = (MXRecord) r;
          Name target = mx.getTarget();
          return new MxRecord(mx.getPriority(), target.equals(Name.root) ? "" : text(target));
        });
  }

  @Override
  public DnsResult<Inet4Address> a(String host) throws DnsException {
    return lookup(host, Type.A, r -> (Inet4Address) ((ARecord) r).getAddress());
  }

  @Override
  public DnsResult<Inet6Address> aaaa(String host) throws DnsException {
    // an IPv4-mapped address comes back from InetAddress as Inet4Address: skip it
    return lookup(
        host, Type.AAAA, r -> ((AAAARecord) r).getAddress() instanceof Inet6Address a6 ? a6 : null);
  }

  @Override
  public DnsResult<String> txt(String name) throws DnsException {
    return lookup(
        name,
        Type.TXT,
        r -> {
          // RFC 7208 §3.3: the character-strings are concatenated without spaces
          StringBuilder sb = new StringBuilder();
          for (byte[] s : ((TXTRecord) r).getStringsAsByteArrays()) {
            sb.append(new String(s, UTF_8));
          }
          return sb.toString();
        });
  }

  @Override
  public DnsResult<TlsaRecord> tlsa(String name) throws DnsException {
    return lookup(
        name,
        Type.TLSA,
        r -> {
          TLSARecord t = (TLSARecord) r;
          return new TlsaRecord(
              t.getCertificateUsage(),
              t.getSelector(),
              t.getMatchingType(),
              t.getCertificateAssociationData());
        });
  }

  @Override
  public DnsResult<String> ptr(InetAddress address) throws DnsException {
    requireNonNull(address, "address");
    return lookup(
        ReverseMap.fromAddress(address).toString(),
        Type.PTR,
        r -> text(((PTRRecord) r).getTarget()));
  }

  private static String text(Name name) {
    return name.toString(true);
  }

  @SuppressWarnings("unchecked")
  private <T> DnsResult<T> lookup(String nameText, int type, Function<Record, T> convert)
      throws DnsException {
    requireNonNull(nameText, "name");
    Name name = parse(nameText);
    if (name == null) {
      return DnsResult.nxdomain(false);
    }
    String key = Type.string(type) + " " + name.toString().toLowerCase(java.util.Locale.ROOT);
    Instant now = clock.instant();
    if (cacheSize > 0) {
      synchronized (cache) {
        Cached c = cache.get(key);
        if (c != null) {
          if (c.expires.isAfter(now)) {
            return (DnsResult<T>) c.result;
          }
          cache.remove(key);
        }
      }
    }
    boolean authenticated = true;
    long ttl = Long.MAX_VALUE;
    Name current = name;
    List<T> records = new ArrayList<>();
    DnsResult.Rcode rcode = DnsResult.Rcode.NOERROR;
    int hops = 0;
    query:
    while (true) {
      Answer got = send(current, type);
      Message response = got.message();
      // RFC 7672 §2.2: the AD bit counts only over a trusted path to a validating resolver
      authenticated &= got.trusted() && response.getHeader().getFlag(Flags.AD);
      Name asked = current;
      List<Record> answer = response.getSection(Section.ANSWER);
      // walk the CNAME chain inside this answer (RFC 1034 §3.6.2)
      while (true) {
        boolean found = false;
        for (Record r : answer) {
          if (r.getType() == type && r.getName().equals(current)) {
            T value = convert.apply(r);
            if (value != null) {
              records.add(value);
            }
            ttl = Math.min(ttl, r.getTTL());
            found = true;
          }
        }
        if (found) {
          break query;
        }
        CNAMERecord cname = null;
        for (Record r : answer) {
          if (r instanceof CNAMERecord c && r.getName().equals(current)) {
            cname = c;
          }
        }
        if (cname == null) {
          break;
        }
        if (++hops > MAX_CNAME_HOPS) {
          throw new DnsException("CNAME chain longer than " + MAX_CNAME_HOPS + " at " + name);
        }
        ttl = Math.min(ttl, cname.getTTL());
        current = cname.getTarget();
      }
      if (!current.equals(asked) && response.getRcode() == Rcode.NOERROR) {
        // the chain left this answer: NODATA at its end, or a server that did not follow it
        continue;
      }
      // with a chain, NXDOMAIN is about its last name (RFC 6604 §2)
      if (response.getRcode() == Rcode.NXDOMAIN) {
        rcode = DnsResult.Rcode.NXDOMAIN;
      }
      ttl = Math.min(ttl, negativeTtl(response));
      break;
    }
    DnsResult<T> result = new DnsResult<>(rcode, records, authenticated);
    if (cacheSize > 0) {
      Duration cap = records.isEmpty() ? maxNegativeTtl : maxTtl;
      Duration life = Duration.ofSeconds(Math.max(0, Math.min(ttl, cap.toSeconds())));
      if (!life.isZero()) {
        synchronized (cache) {
          cache.put(key, new Cached(result, now.plus(life)));
        }
      }
    }
    return result;
  }

  /** RFC 2308 §5: a negative answer lives min(SOA TTL, SOA MINIMUM); without a SOA, not at all. */
  private static long negativeTtl(Message response) {
    for (Record r : response.getSection(Section.AUTHORITY)) {
      if (r instanceof SOARecord soa) {
        return Math.min(soa.getTTL(), soa.getMinimum());
      }
    }
    return 0;
  }

  /** Whether the AD bit from {@code server} is believed: a loopback server, or all when told. */
  static boolean trustedPath(InetSocketAddress server, boolean trustAd) {
    InetAddress a = server.getAddress();
    return trustAd || (a != null && a.isLoopbackAddress());
  }

  /** A response, and whether its AD bit may be believed (the server's path is trusted). */
  private record Answer(Message message, boolean trusted) {}

  private Answer send(Name name, int type) throws DnsException {
    Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
    query.getHeader().setFlag(Flags.AD); // RFC 6840 §5.7: ask for the AD bit
    String question = name + " " + Type.string(type);
    String lastFailure = "no resolver configured";
    IOException lastCause = null;
    for (int i = 0; i < resolvers.size(); i++) {
      SimpleResolver resolver = resolvers.get(i);
      try {
        // SimpleResolver retries over TCP when the UDP answer has TC set (RFC 7766 §5)
        Message response = resolver.send(query);
        int rcode = response.getRcode();
        if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
          return new Answer(response, trusted.get(i));
        }
        lastFailure = Rcode.string(rcode) + " from " + servers.get(i);
        lastCause = null;
      } catch (IOException e) {
        lastFailure = e.getClass().getSimpleName() + " from " + servers.get(i);
        lastCause = e;
      }
      log.debug("DNS {}: {}", question, lastFailure);
    }
    throw lastCause == null
        ? new DnsException(question + ": " + lastFailure)
        : new DnsException(question + ": " + lastFailure, lastCause);
  }

  private static Name parse(String text) {
    try {
      String t = text.endsWith(".") ? text : text + ".";
      if (t.equals(".") || t.contains("..")) {
        return null;
      }
      return Name.fromString(t);
    } catch (TextParseException e) {
      return null;
    }
  }

  /** Builds a {@link DnsjavaResolver}. Not thread-safe. */
  public static final class Builder {
    private List<InetSocketAddress> servers;
    private Duration timeout = Duration.ofSeconds(5);
    private int cacheSize = 10_000;
    private Duration maxTtl = Duration.ofHours(1);
    private Duration maxNegativeTtl = Duration.ofMinutes(5);
    private Clock clock = Clock.systemUTC();
    private boolean trustAd;

    private Builder() {}

    /**
     * Whether the AD bit of every configured server is believed (default false: only servers on a
     * loopback address). RFC 7672 §2.2 (DANE) needs a trusted path to a validating resolver: a
     * local one, or a remote one reached over a channel the operator secures (IPsec, a private
     * network); over plain UDP across a network anyone on the path could set the bit. Set it only
     * for such resolvers.
     */
    public Builder trustAd(boolean trust) {
      this.trustAd = trust;
      return this;
    }

    /** The recursive resolvers to ask, in order; default: the system's (resolv.conf). */
    public Builder servers(List<InetSocketAddress> servers) {
      if (servers.isEmpty()) {
        throw new IllegalArgumentException("no DNS servers");
      }
      this.servers = List.copyOf(servers);
      return this;
    }

    /** How long to wait for one server's answer (default 5 s). */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** The most answers cached (default 10,000); 0 turns the cache off. */
    public Builder cacheSize(int entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("cacheSize " + entries);
      }
      this.cacheSize = entries;
      return this;
    }

    /** The longest a positive answer is cached, whatever its TTL (default 1 h). */
    public Builder maxTtl(Duration ttl) {
      this.maxTtl = requireNonNull(ttl, "maxTtl");
      return this;
    }

    /** The longest NXDOMAIN or NODATA is cached (default 5 min). */
    public Builder maxNegativeTtl(Duration ttl) {
      this.maxNegativeTtl = requireNonNull(ttl, "maxNegativeTtl");
      return this;
    }

    /** The clock for cache expiry (tests). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** The resolver. */
    public DnsjavaResolver build() {
      if (servers == null) {
        servers = ResolverConfig.getCurrentConfig().servers();
        if (servers.isEmpty()) {
          throw new IllegalStateException("no DNS servers configured and none found in the system");
        }
      }
      return new DnsjavaResolver(this);
    }
  }
}
