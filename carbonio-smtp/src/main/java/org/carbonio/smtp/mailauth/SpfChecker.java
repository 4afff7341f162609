package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.carbonio.smtp.dns.DnsException;
import org.carbonio.smtp.dns.DnsResolver;
import org.carbonio.smtp.dns.DnsResult;
import org.carbonio.smtp.dns.MxRecord;
import org.carbonio.smtp.internal.mailauth.Names;
import org.carbonio.smtp.internal.mailauth.SpfMacro;
import org.carbonio.smtp.internal.mailauth.SpfRecord;
import org.carbonio.smtp.internal.mailauth.SpfSyntaxException;

/**
 * Checks whether a client may send for a domain with SPF (RFC 7208): the check_host() function of
 * §4 with every mechanism and modifier, macros (§7), at most 10 lookup terms and 2 void lookups
 * (§4.6.4), and the HELO identity when MAIL FROM is empty (§2.4). Thread-safe.
 *
 * {@snippet :
 * SpfChecker spf = SpfChecker.builder(resolver).receivingHost("mx.example.org").build();
 * SpfResult r = spf.check(clientAddress, "alice@example.com", "mail.example.com");
 * }
 */
public final class SpfChecker {
  /** Lookup terms per check (RFC 7208 §4.6.4). */
  public static final int MAX_LOOKUPS = 10;

  /** Void lookups per check (RFC 7208 §4.6.4). */
  public static final int MAX_VOID_LOOKUPS = 2;

  private final DnsResolver dns;
  private final String receivingHost;
  private final Clock clock;

  private SpfChecker(Builder b) {
    this.dns = b.dns;
    this.receivingHost = b.receivingHost;
    this.clock = b.clock;
  }

  /** A builder that looks up through {@code dns}. */
  public static Builder builder(DnsResolver dns) {
    return new Builder(requireNonNull(dns, "dns"));
  }

  /**
   * Checks the MAIL FROM identity, or the HELO identity when {@code mailFrom} is null or empty (RFC
   * 7208 §2.4: the sender is then {@code postmaster@<helo>}).
   *
   * @param client the SMTP client's address
   * @param mailFrom the reverse-path without angle brackets, or null/"" for the null path
   * @param helo the HELO/EHLO argument, may be null
   */
  public SpfResult check(InetAddress client, String mailFrom, String helo) {
    requireNonNull(client, "client");
    String heloName = helo == null ? "" : helo.strip();
    SpfResult.Identity identity;
    String sender;
    if (mailFrom == null || mailFrom.isBlank()) {
      identity = SpfResult.Identity.HELO;
      sender = "postmaster@" + heloName;
    } else {
      identity = SpfResult.Identity.MAILFROM;
      sender = mailFrom.strip();
      int at = sender.lastIndexOf('@');
      if (at < 0) {
        sender = "postmaster@" + sender; // §4.3: a bare domain
      } else if (at == 0) {
        sender = "postmaster" + sender;
      }
    }
    String domain = Names.domain(sender.substring(sender.lastIndexOf('@') + 1));
    if (!validDomain(domain)) {
      return new SpfResult(SpfResult.Result.NONE, domain, null, identity); // §4.3
    }
    Evaluation ev = new Evaluation(client, sender, heloName);
    Outcome o;
    try {
      o = ev.checkHost(domain, 0);
    } catch (Abort a) {
      o = new Outcome(a.result, a.getMessage());
    }
    return new SpfResult(o.result, domain, o.explanation, identity);
  }

  private static boolean validDomain(String d) {
    if (d.isEmpty() || d.length() > 253 || !d.contains(".")) {
      return false;
    }
    for (String label : d.split("\\.", -1)) {
      if (label.isEmpty()
          || label.length() > 63
          || label.indexOf('[') >= 0
          || label.indexOf(']') >= 0) {
        return false;
      }
    }
    return true;
  }

  private record Outcome(SpfResult.Result result, String explanation) {}

  /** Ends the whole evaluation with a result. */
  private static final class Abort extends Exception {
    private static final long serialVersionUID = 1L;
    private final SpfResult.Result result;

    Abort(SpfResult.Result result, String reason) {
      super(reason, null, false, false);
      this.result = result;
    }
  }

  /** One check_host() run with its counters. Not thread-safe. */
  private final class Evaluation {
    private final InetAddress ip;
    private final String sender;
    private final String helo;
    private int lookups;
    private int voids;
    private String validatedName;

    Evaluation(InetAddress ip, String sender, String helo) {
      this.ip = ip;
      this.sender = sender;
      this.helo = helo;
    }

    Outcome checkHost(String domain, int depth) throws Abort {
      List<String> spf = new ArrayList<>();
      DnsResult<String> txt;
      try {
        txt = dns.txt(domain);
      } catch (DnsException e) {
        return new Outcome(SpfResult.Result.TEMPERROR, "DNS failure for " + domain); // §4.4
      }
      for (String r : txt.records()) {
        if (SpfRecord.isSpf(r)) {
          spf.add(r);
        }
      }
      if (spf.isEmpty()) {
        return new Outcome(SpfResult.Result.NONE, null); // §4.5
      }
      if (spf.size() > 1) {
        return new Outcome(SpfResult.Result.PERMERROR, "several SPF records for " + domain);
      }
      SpfRecord record;
      try {
        record = SpfRecord.parse(spf.get(0));
      } catch (SpfSyntaxException e) {
        return new Outcome(SpfResult.Result.PERMERROR, e.getMessage()); // §4.6
      }
      for (SpfRecord.Mechanism m : record.mechanisms()) {
        if (matches(m, domain, depth)) {
          SpfResult.Result r =
              switch (m.qualifier()) {
                case '-' -> SpfResult.Result.FAIL;
                case '~' -> SpfResult.Result.SOFTFAIL;
                case '?' -> SpfResult.Result.NEUTRAL;
                default -> SpfResult.Result.PASS;
              };
          String explanation =
              r == SpfResult.Result.FAIL && record.exp() != null
                  ? explain(record.exp(), domain)
                  : null;
          return new Outcome(r, explanation);
        }
      }
      if (record.redirect() != null) {
        countLookup();
        String target = expandDomain(record.redirect(), domain);
        if (!validDomain(target)) {
          return new Outcome(SpfResult.Result.PERMERROR, "bad redirect target"); // §6.1
        }
        Outcome o = checkHost(target, depth + 1);
        return o.result == SpfResult.Result.NONE
            ? new Outcome(SpfResult.Result.PERMERROR, "redirect to a domain without SPF")
            : o;
      }
      return new Outcome(SpfResult.Result.NEUTRAL, null); // §4.7
    }

    private boolean matches(SpfRecord.Mechanism m, String domain, int depth) throws Abort {
      switch (m.name()) {
        case "all" -> {
          return true;
        }
        case "ip4", "ip6" -> {
          return m.network() != null
              && inNetwork(m.network(), m.name().equals("ip4") ? m.cidr4() : m.cidr6());
        }
        case "include" -> {
          countLookup();
          String target = expandDomain(m.domainSpec(), domain);
          Outcome o = checkHost(target, depth + 1);
          return switch (o.result) { // §5.2
            case PASS -> true;
            case FAIL, SOFTFAIL, NEUTRAL -> false;
            case TEMPERROR -> throw new Abort(SpfResult.Result.TEMPERROR, o.explanation);
            case NONE, PERMERROR ->
                throw new Abort(
                    SpfResult.Result.PERMERROR,
                    "include of " + target + " gave " + o.result.keyword());
          };
        }
        case "a" -> {
          countLookup();
          String target = m.domainSpec() == null ? domain : expandDomain(m.domainSpec(), domain);
          List<InetAddress> addrs = addresses(target, true);
          return anyInNetwork(addrs, m);
        }
        case "mx" -> {
          countLookup();
          String target = m.domainSpec() == null ? domain : expandDomain(m.domainSpec(), domain);
          DnsResult<MxRecord> mx;
          try {
            mx = dns.mx(target);
          } catch (DnsException e) {
            throw new Abort(SpfResult.Result.TEMPERROR, "DNS failure for MX " + target);
          }
          countVoid(mx);
          if (mx.records().size() > 10) {
            throw new Abort(SpfResult.Result.PERMERROR, "more than 10 MX for " + target); // §4.6.4
          }
          for (MxRecord r : mx.records()) {
            if (!r.isNull() && anyInNetwork(addresses(r.host(), false), m)) {
              return true;
            }
          }
          return false;
        }
        case "ptr" -> {
          countLookup();
          String target = m.domainSpec() == null ? domain : expandDomain(m.domainSpec(), domain);
          for (String name : validatedNames()) {
            if (Names.isSubdomain(name, target)) {
              return true;
            }
          }
          return false;
        }
        case "exists" -> {
          countLookup();
          String target = expandDomain(m.domainSpec(), domain);
          try {
            DnsResult<Inet4Address> r = dns.a(target); // §5.7: always A
            countVoid(r);
            return !r.isEmpty();
          } catch (DnsException e) {
            throw new Abort(SpfResult.Result.TEMPERROR, "DNS failure for " + target);
          }
        }
        default -> throw new IllegalStateException(m.name());
      }
    }

    private void countLookup() throws Abort {
      if (++lookups > MAX_LOOKUPS) {
        throw new Abort(SpfResult.Result.PERMERROR, "more than 10 DNS lookups"); // §4.6.4
      }
    }

    private void countVoid(DnsResult<?> r) throws Abort {
      if (r.isEmpty() && ++voids > MAX_VOID_LOOKUPS) {
        throw new Abort(SpfResult.Result.PERMERROR, "more than 2 void lookups"); // §4.6.4
      }
    }

    /** The A or AAAA records of {@code host}, matching the client's family. */
    private List<InetAddress> addresses(String host, boolean countVoid) throws Abort {
      try {
        DnsResult<? extends InetAddress> r =
            ip instanceof Inet4Address ? dns.a(host) : dns.aaaa(host);
        if (countVoid) {
          countVoid(r);
        }
        return new ArrayList<>(r.records());
      } catch (DnsException e) {
        throw new Abort(SpfResult.Result.TEMPERROR, "DNS failure for " + host);
      }
    }

    private boolean anyInNetwork(List<InetAddress> addrs, SpfRecord.Mechanism m) {
      for (InetAddress a : addrs) {
        if (sameNetwork(a, ip, ip instanceof Inet4Address ? m.cidr4() : m.cidr6())) {
          return true;
        }
      }
      return false;
    }

    private boolean inNetwork(InetAddress network, int prefix) {
      return sameNetwork(network, ip, prefix);
    }

    /** The client's PTR names whose A/AAAA records lead back to it (§5.5), at most 10 tried. */
    private List<String> validatedNames() {
      List<String> out = new ArrayList<>();
      List<String> names;
      try {
        names = dns.ptr(ip).records();
      } catch (DnsException e) {
        return out; // §5.5: a DNS error makes ptr not match
      }
      int tried = 0;
      for (String n : names) {
        if (++tried > 10) {
          break;
        }
        try {
          DnsResult<? extends InetAddress> r = ip instanceof Inet4Address ? dns.a(n) : dns.aaaa(n);
          if (r.records().contains(ip)) {
            out.add(Names.domain(n));
          }
        } catch (DnsException e) {
          // skip this name (§5.5)
        }
      }
      return out;
    }

    private String expandDomain(String spec, String domain) throws Abort {
      try {
        return SpfMacro.truncateDomain(
            Names.domain(SpfMacro.expand(spec, false, letter -> macroValue(letter, domain))));
      } catch (SpfSyntaxException e) {
        throw new Abort(SpfResult.Result.PERMERROR, e.getMessage());
      }
    }

    private String explain(String spec, String domain) {
      try {
        String target = expandDomain(spec, domain);
        DnsResult<String> r = dns.txt(target);
        if (r.records().size() != 1) {
          return null; // §6.2: zero or several records give no explanation
        }
        return SpfMacro.expand(r.records().get(0), true, letter -> macroValue(letter, domain));
      } catch (Abort | DnsException | SpfSyntaxException e) {
        return null; // §6.2: errors while explaining are ignored
      }
    }

    private String macroValue(char letter, String domain) {
      int at = sender.lastIndexOf('@');
      return switch (letter) {
        case 's' -> sender;
        case 'l' -> sender.substring(0, at);
        case 'o' -> sender.substring(at + 1);
        case 'd' -> domain;
        case 'i' -> SpfMacro.ipForMacro(ip);
        case 'p' -> pName(domain);
        case 'v' -> ip instanceof Inet6Address ? "ip6" : "in-addr";
        case 'h' -> helo;
        case 'c' -> ip.getHostAddress();
        case 'r' -> receivingHost;
        case 't' -> Long.toString(clock.instant().getEpochSecond());
        default -> "";
      };
    }

    /** §7.3 %{p}: a validated name, preferring one under the domain; "unknown" when none. */
    private String pName(String domain) {
      if (validatedName == null) {
        List<String> names = validatedNames();
        validatedName = "unknown";
        for (String n : names) {
          if (Names.isSubdomain(n, domain)) {
            validatedName = n;
            break;
          }
        }
        if (validatedName.equals("unknown") && !names.isEmpty()) {
          validatedName = names.get(0);
        }
      }
      return validatedName;
    }
  }

  /** True when {@code a} and {@code b} share the first {@code prefix} bits (same family only). */
  static boolean sameNetwork(InetAddress a, InetAddress b, int prefix) {
    byte[] x = a.getAddress();
    byte[] y = b.getAddress();
    if (x.length != y.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (x[i] != y[i]) {
        return false;
      }
    }
    int bits = prefix % 8;
    if (bits == 0) {
      return true;
    }
    int mask = (0xff << (8 - bits)) & 0xff;
    return (x[full] & mask) == (y[full] & mask);
  }

  /** Builds an {@link SpfChecker}. Not thread-safe. */
  public static final class Builder {
    private final DnsResolver dns;
    private String receivingHost = "unknown";
    private Clock clock = Clock.systemUTC();

    private Builder(DnsResolver dns) {
      this.dns = dns;
    }

    /** Our host name, for the %{r} macro of explanations (default "unknown"). */
    public Builder receivingHost(String host) {
      this.receivingHost = requireNonNull(host, "host").toLowerCase(Locale.ROOT);
      return this;
    }

    /** The clock for %{t} (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** The checker. */
    public SpfChecker build() {
      return new SpfChecker(this);
    }
  }
}
