package org.carbonio.smtp.filter;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.carbonio.smtp.MessageContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the virus scanner and the spam scanner over a message once, then applies each recipient
 * domain's {@link FilterPolicy}. Thread-safe if the scanners and the policy lookup are.
 *
 * {@snippet :
 * ContentFilter filter = ContentFilter.builder()
 *     .virusScanner(ClamdClient.builder(clamdAddress).build())
 *     .spamScanner(SpamdClient.builder(spamdAddress).build())
 *     .domainPolicy("example.org", FilterPolicy.DEFAULTS.withSpamAction(SpamAction.JUNK))
 *     .build();
 * FilterVerdict v = filter.inspect(content, List.of("bob@example.org")).forSmtp();
 * if (v.messageReply().isPresent()) {
 *   throw v.messageReply().get().toRejectException(); // 550 5.7.1 Virus found: ...
 * }
 * }
 *
 * <p>The virus scan runs first, if any recipient's policy asks for it; the spam check runs only for
 * recipients the virus decision has not already refused. A scanner that throws (daemon down,
 * timeout, error answer) gives {@link VirusScanResult.Failed} or {@link SpamScanResult.Failed}, and
 * each policy's {@link FailMode} decides: {@link FailMode#FAIL_CLOSED} is {@code 451 4.7.1}, {@link
 * FailMode#FAIL_OPEN} delivers with an "Unscanned" header. The two decisions are combined by taking
 * the more severe {@link FilterAction}.
 *
 * <p>Headers written for each accepted recipient, in this order:
 *
 * <table>
 * <caption>Headers</caption>
 * <tr><th>field</th><th>when</th><th>example</th></tr>
 * <tr><td>{@code X-Virus-Scanned}</td><td>virus scan done</td><td>{@code ClamAV}</td></tr>
 * <tr><td>{@code X-Virus-Status}</td><td>virus scan asked</td><td>{@code Clean}, {@code Infected
 *     (Eicar-Test-Signature.UNOFFICIAL)}, {@code Unscanned (clamd unavailable)}</td></tr>
 * <tr><td>{@code X-Spam-Flag}</td><td>spam for the recipient's policy</td><td>{@code
 *     YES}</td></tr>
 * <tr><td>{@code X-Spam-Score}</td><td>spam check done</td><td>{@code 1003.3}</td></tr>
 * <tr><td>{@code X-Spam-Level}</td><td>spam check done</td><td>one {@code *} per whole point,
 *     at most 50</td></tr>
 * <tr><td>{@code X-Spam-Status}</td><td>spam check asked</td><td>{@code Yes, score=1003.3
 *     required=5.0 tests=GTUBE,MISSING_DATE}, {@code Unscanned (spamd unavailable)}</td></tr>
 * </table>
 */
public final class ContentFilter {

  private static final Logger log = LoggerFactory.getLogger(ContentFilter.class);

  /** The reply of an accepted recipient. */
  static final FilterReply ACCEPTED = FilterReply.OK;

  /** The reply of a quarantined recipient: accepted for the sender. */
  static final FilterReply QUARANTINED = FilterReply.OK;

  /** {@code 451 4.7.1} when the virus scanner failed and the policy fails closed. */
  public static final FilterReply VIRUS_TEMPFAIL =
      new FilterReply(451, "4.7.1", "Virus scan unavailable, try again later");

  /** {@code 451 4.7.1} when the spam scanner failed and the policy fails closed. */
  public static final FilterReply SPAM_TEMPFAIL =
      new FilterReply(451, "4.7.1", "Spam scan unavailable, try again later");

  /** {@code 550 5.7.1} for spam at or above the policy's reject score or action. */
  public static final FilterReply SPAM_REJECT =
      new FilterReply(550, "5.7.1", "Message rejected as spam");

  /** {@code 552 5.3.4} for a message too large to scan when the policy says so. */
  public static final FilterReply OVERSIZE_REJECT =
      new FilterReply(552, "5.3.4", "Message too large to scan for viruses");

  private final VirusScanner virusScanner;
  private final SpamScanner spamScanner;
  private final String virusEngine;
  private final FilterPolicy defaultPolicy;
  private final Map<String, FilterPolicy> domainPolicies;
  private final Function<String, FilterPolicy> policyLookup;

  private ContentFilter(Builder b) {
    this.virusScanner = b.virusScanner;
    this.spamScanner = b.spamScanner;
    this.virusEngine = b.virusEngine;
    this.defaultPolicy = b.defaultPolicy;
    this.domainPolicies = Map.copyOf(b.domainPolicies);
    this.policyLookup = b.policyLookup;
  }

  /** A builder with no scanners and {@link FilterPolicy#DEFAULTS} for every domain. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this filter's settings, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.virusScanner = virusScanner;
    b.spamScanner = spamScanner;
    b.virusEngine = virusEngine;
    b.defaultPolicy = defaultPolicy;
    b.domainPolicies.putAll(domainPolicies);
    b.policyLookup = policyLookup;
    return b;
  }

  /**
   * The policy of a recipient domain: the one given to {@link Builder#domainPolicy}, else what
   * {@link Builder#policyLookup} returns, else the default.
   */
  public FilterPolicy policy(String domain) {
    String d = domain.toLowerCase(Locale.ROOT);
    FilterPolicy p = domainPolicies.get(d);
    if (p == null && policyLookup != null) {
      p = policyLookup.apply(d);
    }
    return p == null ? defaultPolicy : p;
  }

  /**
   * Scans {@code content} and decides for each recipient. Scanner failures are results, not
   * exceptions; this method blocks at most for the two scanners' timeouts.
   *
   * @param content the message as it will be stored (read twice at most, never kept)
   * @param recipients the envelope recipients ({@code local@domain}); the domain after the last
   *     {@code @} selects the policy
   */
  public FilterVerdict inspect(MessageContent content, List<String> recipients) {
    requireNonNull(content, "content");
    List<FilterPolicy> policies = new ArrayList<>(recipients.size());
    for (String r : recipients) {
      policies.add(policy(domainOf(r)));
    }
    boolean wantVirus = virusScanner != null && policies.stream().anyMatch(FilterPolicy::scanVirus);
    VirusScanResult virus = wantVirus ? scanVirus(content) : new VirusScanResult.NotScanned();

    List<Decision> virusDecisions = new ArrayList<>(recipients.size());
    boolean wantSpam = false;
    for (FilterPolicy p : policies) {
      Decision d = virusDecision(p, virus);
      virusDecisions.add(d);
      if (spamScanner != null && p.scanSpam() && d.action.accepted()) {
        wantSpam = true;
      }
    }
    SpamScanResult spam = wantSpam ? checkSpam(content) : new SpamScanResult.NotScanned();

    List<RecipientVerdict> out = new ArrayList<>(recipients.size());
    for (int i = 0; i < recipients.size(); i++) {
      FilterPolicy p = policies.get(i);
      Decision v = virusDecisions.get(i);
      Decision s =
          v.action.accepted() && spamScanner != null && p.scanSpam()
              ? spamDecision(p, spam)
              : Decision.NONE;
      Decision worse = s.action.compareTo(v.action) > 0 ? s : v;
      List<FilterHeader> headers = new ArrayList<>();
      if (worse.action.accepted()) {
        headers.addAll(v.headers);
        headers.addAll(s.headers);
      }
      String reason = worse.reason;
      FilterReply reply =
          worse.action.accepted()
              ? (worse.action == FilterAction.QUARANTINE ? QUARANTINED : ACCEPTED)
              : worse.reply;
      out.add(new RecipientVerdict(recipients.get(i), p, worse.action, reply, headers, reason));
    }
    FilterVerdict verdict = new FilterVerdict(virus, spam, out);
    if (log.isDebugEnabled()) {
      log.debug(
          "filter: virus={} spam={} actions={}",
          virus,
          spam,
          out.stream().map(r -> r.recipient() + "=" + r.action()).toList());
    }
    return verdict;
  }

  private VirusScanResult scanVirus(MessageContent content) {
    try {
      VirusScanResult r = virusScanner.scan(content);
      return requireNonNull(r, "virus scanner returned null");
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.warn("virus scan failed: {}", e.toString());
      return new VirusScanResult.Failed(String.valueOf(e.getMessage()));
    }
  }

  private SpamScanResult checkSpam(MessageContent content) {
    try {
      SpamScanResult r = spamScanner.check(content);
      return requireNonNull(r, "spam scanner returned null");
    } catch (Exception e) {
      log.warn("spam check failed: {}", e.toString());
      return new SpamScanResult.Failed(String.valueOf(e.getMessage()));
    }
  }

  /** One scanner's decision for one policy. */
  private record Decision(
      FilterAction action, FilterReply reply, List<FilterHeader> headers, String reason) {
    static final Decision NONE = new Decision(FilterAction.DELIVER, ACCEPTED, List.of(), "");

    static Decision deliver(FilterHeader... headers) {
      return new Decision(FilterAction.DELIVER, ACCEPTED, List.of(headers), "");
    }
  }

  private Decision virusDecision(FilterPolicy p, VirusScanResult virus) {
    if (!p.scanVirus() || virusScanner == null) {
      return Decision.NONE;
    }
    FilterHeader scanned = new FilterHeader("X-Virus-Scanned", virusEngine);
    return switch (virus) {
      case VirusScanResult.NotScanned n -> Decision.NONE;
      case VirusScanResult.Clean c ->
          Decision.deliver(scanned, new FilterHeader("X-Virus-Status", "Clean"));
      case VirusScanResult.Infected i -> {
        String name = printable(i.name());
        String reason = "virus " + name;
        FilterHeader infected = new FilterHeader("X-Virus-Status", "Infected (" + name + ")");
        yield switch (p.virusAction()) {
          case REJECT ->
              new Decision(
                  FilterAction.REJECT,
                  new FilterReply(550, "5.7.1", "Virus found: " + name),
                  List.of(),
                  reason);
          case QUARANTINE ->
              new Decision(
                  FilterAction.QUARANTINE, QUARANTINED, List.of(scanned, infected), reason);
          case TAG -> new Decision(FilterAction.DELIVER, ACCEPTED, List.of(scanned, infected), "");
        };
      }
      case VirusScanResult.TooLarge t ->
          switch (p.virusOversize()) {
            case SKIP ->
                Decision.deliver(
                    new FilterHeader("X-Virus-Status", unscannedTooLarge(t.size(), t.limit())));
            case REJECT ->
                new Decision(
                    FilterAction.REJECT,
                    OVERSIZE_REJECT,
                    List.of(),
                    "message of " + t.size() + " bytes too large to scan for viruses");
          };
      case VirusScanResult.Failed f ->
          switch (p.virusFailMode()) {
            case FAIL_OPEN ->
                Decision.deliver(new FilterHeader("X-Virus-Status", "Unscanned (scanner failed)"));
            case FAIL_CLOSED ->
                new Decision(
                    FilterAction.TEMPFAIL,
                    VIRUS_TEMPFAIL,
                    List.of(),
                    "virus scan failed: " + printable(f.error()));
          };
    };
  }

  private static Decision spamDecision(FilterPolicy p, SpamScanResult spam) {
    return switch (spam) {
      case SpamScanResult.NotScanned n -> Decision.NONE;
      case SpamScanResult.Scored s -> {
        boolean isSpam = p.isSpam(s);
        List<FilterHeader> headers = spamHeaders(s, isSpam, p.effectiveThreshold(s));
        String reason = "spam score " + score(s.score());
        if (s.score() >= p.spamRejectScore()) {
          yield new Decision(FilterAction.REJECT, SPAM_REJECT, List.of(), reason);
        }
        if (!isSpam) {
          yield new Decision(FilterAction.DELIVER, ACCEPTED, headers, "");
        }
        yield switch (p.spamAction()) {
          case TAG -> new Decision(FilterAction.DELIVER, ACCEPTED, headers, "");
          case JUNK -> new Decision(FilterAction.JUNK, ACCEPTED, headers, reason);
          case QUARANTINE -> new Decision(FilterAction.QUARANTINE, QUARANTINED, headers, reason);
          case REJECT -> new Decision(FilterAction.REJECT, SPAM_REJECT, List.of(), reason);
        };
      }
      case SpamScanResult.TooLarge t ->
          Decision.deliver(
              new FilterHeader("X-Spam-Status", unscannedTooLarge(t.size(), t.limit())));
      case SpamScanResult.Failed f ->
          switch (p.spamFailMode()) {
            case FAIL_OPEN ->
                Decision.deliver(new FilterHeader("X-Spam-Status", "Unscanned (scanner failed)"));
            case FAIL_CLOSED ->
                new Decision(
                    FilterAction.TEMPFAIL,
                    SPAM_TEMPFAIL,
                    List.of(),
                    "spam check failed: " + printable(f.error()));
          };
    };
  }

  private static List<FilterHeader> spamHeaders(
      SpamScanResult.Scored s, boolean isSpam, double required) {
    List<FilterHeader> h = new ArrayList<>(4);
    if (isSpam) {
      h.add(new FilterHeader("X-Spam-Flag", "YES"));
    }
    h.add(new FilterHeader("X-Spam-Score", score(s.score())));
    int stars = (int) Math.max(0, Math.min(50, Math.floor(s.score())));
    h.add(new FilterHeader("X-Spam-Level", "*".repeat(stars)));
    StringBuilder status = new StringBuilder(isSpam ? "Yes" : "No");
    status.append(", score=").append(score(s.score()));
    status.append(" required=").append(score(required));
    status
        .append(" tests=")
        .append(s.symbols().isEmpty() ? "none" : printable(String.join(",", s.symbols())));
    h.add(new FilterHeader("X-Spam-Status", status.toString()));
    return h;
  }

  private static String unscannedTooLarge(long size, long limit) {
    return limit > 0
        ? "Unscanned (message larger than " + limit + " bytes)"
        : "Unscanned (message of " + size + " bytes larger than the scanner's limit)";
  }

  private static String score(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  /** Printable ASCII only: scanner output goes into headers and replies. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 200));
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return sb.toString();
  }

  static String domainOf(String recipient) {
    int at = recipient.lastIndexOf('@');
    return at < 0 ? "" : recipient.substring(at + 1);
  }

  /**
   * Settings of a {@link ContentFilter}. Not thread-safe: confine to one thread.
   *
   * <p>Without a virus scanner (or a spam scanner) that scan is skipped and writes no header,
   * whatever the policies say.
   */
  public static final class Builder {
    private VirusScanner virusScanner;
    private SpamScanner spamScanner;
    private String virusEngine = "ClamAV";
    private FilterPolicy defaultPolicy = FilterPolicy.DEFAULTS;
    private final Map<String, FilterPolicy> domainPolicies = new HashMap<>();
    private Function<String, FilterPolicy> policyLookup;

    private Builder() {}

    /** The virus scanner, e.g. a {@link ClamdClient}; {@code null} for none. */
    public Builder virusScanner(VirusScanner scanner) {
      this.virusScanner = scanner;
      return this;
    }

    /** The spam scanner, e.g. a {@link SpamdClient}; {@code null} for none. */
    public Builder spamScanner(SpamScanner scanner) {
      this.spamScanner = scanner;
      return this;
    }

    /** The engine named in {@code X-Virus-Scanned} (default {@code ClamAV}). */
    public Builder virusEngine(String name) {
      new FilterHeader("X-Virus-Scanned", requireNonNull(name, "name"));
      this.virusEngine = name;
      return this;
    }

    /** The policy of domains without one of their own (default {@link FilterPolicy#DEFAULTS}). */
    public Builder defaultPolicy(FilterPolicy policy) {
      this.defaultPolicy = requireNonNull(policy, "policy");
      return this;
    }

    /** The policy of one recipient domain (compared case-insensitively). */
    public Builder domainPolicy(String domain, FilterPolicy policy) {
      domainPolicies.put(
          requireNonNull(domain, "domain").toLowerCase(Locale.ROOT),
          requireNonNull(policy, "policy"));
      return this;
    }

    /**
     * Where to look up the policy of a domain not given to {@link #domainPolicy}, e.g. the
     * directory; it gets the lower-cased domain and returns null for the default. It runs on the
     * caller's thread for every recipient, so it must be fast and thread-safe.
     */
    public Builder policyLookup(Function<String, FilterPolicy> lookup) {
      this.policyLookup = lookup;
      return this;
    }

    /** The filter. */
    public ContentFilter build() {
      return new ContentFilter(this);
    }
  }
}
