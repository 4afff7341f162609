package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.carbonio.smtp.dns.DnsException;
import org.carbonio.smtp.dns.DnsResolver;
import org.carbonio.smtp.dns.DnsResult;
import org.carbonio.smtp.internal.mailauth.Names;
import org.carbonio.smtp.internal.mailauth.OrgDomain;
import org.carbonio.smtp.internal.mailauth.TagList;

/**
 * Evaluates DMARC (RFC 7489): finds the policy record at {@code _dmarc.<From domain>}, else at
 * {@code _dmarc.<organizational domain>} (§6.6.3, organizational domains from the Public Suffix
 * List, §3.2), checks SPF and DKIM alignment, relaxed or strict (§3.1), and gives the disposition
 * to apply, with {@code sp=} for subdomains and {@code pct=} sampling (§6.6.4). Thread-safe.
 *
 * <p>A message without exactly one From domain (no From field, no address in it, or addresses in
 * several domains) cannot be evaluated: RFC 7489 §6.6.1 leaves it to the receiver, and this
 * evaluator answers {@code permerror} with the disposition set by {@link
 * Builder#malformedFromDisposition} (default {@link Disposition#REJECT}, as RFC 5322 §3.6 requires
 * exactly one From field). Several addresses in one domain are evaluated for that domain.
 *
 * {@snippet :
 * DmarcResult r = DmarcEvaluator.builder(resolver).build()
 *     .evaluate("Alice <alice@example.com>", spfResult, dkimResults);
 * }
 */
public final class DmarcEvaluator {
  private final DnsResolver dns;
  private final RandomGenerator random;
  private final Disposition malformedFrom;

  private DmarcEvaluator(Builder b) {
    this.dns = b.dns;
    this.random = b.random;
    this.malformedFrom = b.malformedFrom;
  }

  /** A builder that looks records up through {@code dns}. */
  public static Builder builder(DnsResolver dns) {
    return new Builder(requireNonNull(dns, "dns"));
  }

  /** The organizational domain of {@code domain} (RFC 7489 §3.2). */
  public static String organizationalDomain(String domain) {
    return OrgDomain.of(domain);
  }

  /**
   * Evaluates a message.
   *
   * @param headerFrom the body of the From field (several From fields joined with ","), or null
   *     when the message has none
   * @param spf the SPF result of the message
   * @param dkim the DKIM results of the message
   */
  public DmarcResult evaluate(String headerFrom, SpfResult spf, List<DkimResult> dkim) {
    requireNonNull(spf, "spf");
    requireNonNull(dkim, "dkim");
    List<String> domains = headerFrom == null ? List.of() : Names.addressDomains(headerFrom);
    if (domains.isEmpty()) {
      return new DmarcResult(
          DmarcResult.Result.PERMERROR,
          "",
          Disposition.NONE,
          malformedFrom,
          false,
          false,
          "no From address");
    }
    if (domains.stream().distinct().count() > 1) {
      return new DmarcResult(
          DmarcResult.Result.PERMERROR,
          domains.get(0),
          Disposition.NONE,
          malformedFrom,
          false,
          false,
          "From addresses in several domains"); // RFC 7489 §6.6.1
    }
    String from = domains.get(0);
    String org = OrgDomain.of(from);
    Map<String, String> record;
    boolean atOrg = false;
    try {
      record = lookup(from);
      if (record == null && !org.equals(from)) {
        record = lookup(org);
        atOrg = true;
      }
    } catch (DnsException e) {
      return new DmarcResult(
          DmarcResult.Result.TEMPERROR,
          from,
          Disposition.NONE,
          Disposition.NONE,
          false,
          false,
          "DMARC record lookup failed");
    }
    if (record == null) {
      return new DmarcResult(
          DmarcResult.Result.NONE, from, Disposition.NONE, Disposition.NONE, false, false, null);
    }
    Disposition p = disposition(record.get("p"));
    Disposition sp = record.containsKey("sp") ? disposition(record.get("sp")) : p;
    if (p == null || sp == null) {
      if (record.containsKey("rua")) {
        p = Disposition.NONE; // RFC 7489 §6.6.3 step 6: act as p=none
        sp = Disposition.NONE;
      } else {
        return new DmarcResult(
            DmarcResult.Result.PERMERROR,
            from,
            Disposition.NONE,
            Disposition.NONE,
            false,
            false,
            "DMARC record without a valid p=");
      }
    }
    boolean strictSpf = "s".equalsIgnoreCase(record.getOrDefault("aspf", "r"));
    boolean strictDkim = "s".equalsIgnoreCase(record.getOrDefault("adkim", "r"));
    int pct = percent(record.get("pct"));
    boolean spfAligned =
        spf.result() == SpfResult.Result.PASS && aligned(spf.domain(), from, strictSpf);
    boolean dkimAligned =
        dkim.stream()
            .anyMatch(
                d -> d.result() == DkimResult.Result.PASS && aligned(d.domain(), from, strictDkim));
    Disposition policy = atOrg && !from.equals(org) ? sp : p;
    if (spfAligned || dkimAligned) {
      return new DmarcResult(
          DmarcResult.Result.PASS, from, policy, Disposition.NONE, spfAligned, dkimAligned, null);
    }
    Disposition applied = policy;
    if (pct < 100 && random.nextInt(100) >= pct) {
      applied = policy == Disposition.REJECT ? Disposition.QUARANTINE : Disposition.NONE;
    }
    return new DmarcResult(
        DmarcResult.Result.FAIL,
        from,
        policy,
        applied,
        false,
        false,
        "no aligned identifier passed");
  }

  private static boolean aligned(String authenticated, String from, boolean strict) {
    if (authenticated == null || authenticated.isEmpty()) {
      return false;
    }
    String a = Names.domain(authenticated);
    return strict ? a.equals(from) : OrgDomain.of(a).equals(OrgDomain.of(from));
  }

  private Map<String, String> lookup(String domain) throws DnsException {
    DnsResult<String> txt = dns.txt("_dmarc." + domain);
    Map<String, String> found = null;
    int count = 0;
    for (String r : txt.records()) {
      String s = r.strip();
      if (!s.startsWith("v=DMARC1")
          || (s.length() > 8 && s.charAt(8) != ';' && s.charAt(8) != ' ')) {
        continue; // RFC 7489 §6.6.3 step 3: only records starting with v=DMARC1
      }
      count++;
      try {
        found = TagList.parse(s);
      } catch (IllegalArgumentException e) {
        found = Map.of(); // unusable: no p=
      }
    }
    return count == 1 ? found : null; // several records: no DMARC processing (§6.6.3)
  }

  private static Disposition disposition(String v) {
    if (v == null) {
      return null;
    }
    return switch (v.strip().toLowerCase(Locale.ROOT)) {
      case "none" -> Disposition.NONE;
      case "quarantine" -> Disposition.QUARANTINE;
      case "reject" -> Disposition.REJECT;
      default -> null;
    };
  }

  private static int percent(String v) {
    if (v == null || !v.strip().matches("[0-9]{1,3}")) {
      return 100;
    }
    return Math.min(100, Integer.parseInt(v.strip()));
  }

  /** Builds a {@link DmarcEvaluator}. Not thread-safe. */
  public static final class Builder {
    private final DnsResolver dns;
    private RandomGenerator random = new ThreadSafeRandom();
    private Disposition malformedFrom = Disposition.REJECT;

    private Builder(DnsResolver dns) {
      this.dns = dns;
    }

    /** The randomness for pct= sampling; must be thread-safe (default: thread-local). */
    public Builder random(RandomGenerator random) {
      this.random = requireNonNull(random, "random");
      return this;
    }

    /** The disposition for messages without exactly one From domain (default REJECT). */
    public Builder malformedFromDisposition(Disposition d) {
      this.malformedFrom = requireNonNull(d, "disposition");
      return this;
    }

    /** The evaluator. */
    public DmarcEvaluator build() {
      return new DmarcEvaluator(this);
    }
  }

  /** Delegates to the calling thread's {@link ThreadLocalRandom}. */
  private static final class ThreadSafeRandom implements RandomGenerator {
    @Override
    public long nextLong() {
      return ThreadLocalRandom.current().nextLong();
    }
  }
}
