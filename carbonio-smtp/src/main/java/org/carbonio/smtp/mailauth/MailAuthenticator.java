package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.dns.DnsResolver;
import org.carbonio.smtp.internal.mailauth.BodySpec;
import org.carbonio.smtp.internal.mailauth.HeaderField;
import org.carbonio.smtp.internal.mailauth.HeaderLimitException;
import org.carbonio.smtp.internal.mailauth.ScannedMessage;

/**
 * The whole check a receiving MTA runs at the end of DATA: SPF for the envelope (RFC 7208), DKIM
 * (RFC 6376) and ARC (RFC 8617) over the message, read once and streamed, then DMARC (RFC 7489)
 * over the results, written up as an Authentication-Results field (RFC 8601). Thread-safe.
 *
 * {@snippet :
 * MailAuthenticator auth = MailAuthenticator.builder(resolver).hostname("mx.example.org").build();
 * MailAuthVerdict v = auth.check(clientAddress, "mail.example.com", "alice@example.com", content);
 * if (v.disposition() == Disposition.REJECT) {
 *   throw new RejectException(550, "5.7.1", "DMARC policy of " + v.dmarc().domain());
 * }
 * // prepend v.authenticationResults(), after removing v.forgedResults() forged fields
 * }
 */
public final class MailAuthenticator {
  private final String hostname;
  private final MailAuthLimits limits;
  private final SpfChecker spf;
  private final DkimVerifier dkim;
  private final ArcVerifier arc;
  private final DmarcEvaluator dmarc;

  private MailAuthenticator(Builder b) {
    this.hostname = b.hostname;
    this.limits = b.limits;
    this.spf = SpfChecker.builder(b.dns).receivingHost(b.hostname).clock(b.clock).build();
    this.dkim = DkimVerifier.builder(b.dns).clock(b.clock).limits(b.limits).build();
    this.arc = ArcVerifier.builder(b.dns).clock(b.clock).limits(b.limits).build();
    this.dmarc = b.dmarc != null ? b.dmarc : DmarcEvaluator.builder(b.dns).build();
  }

  /** A builder that does all lookups through {@code dns}. */
  public static Builder builder(DnsResolver dns) {
    return new Builder(requireNonNull(dns, "dns"));
  }

  /**
   * Checks one message.
   *
   * @param client the SMTP client's address
   * @param helo the HELO/EHLO argument
   * @param mailFrom the reverse-path without brackets; null or "" for the null path
   * @param message the message as received (read once)
   */
  public MailAuthVerdict check(
      InetAddress client, String helo, String mailFrom, MessageContent message) throws IOException {
    SpfResult spfResult = spf.check(client, mailFrom, helo);
    List<DkimResult> dkimResults;
    ArcResult arcResult;
    String from = null;
    int forged = 0;
    try (InputStream in = message.open()) {
      ScannedMessage m =
          ScannedMessage.scan(
              in,
              limits.maxHeaderBytes(),
              headers -> {
                List<BodySpec> specs = new ArrayList<>(dkim.bodySpecs(headers));
                specs.addAll(arc.bodySpecs(headers));
                return specs;
              });
      dkimResults = dkim.verify(m);
      arcResult = arc.verify(m);
      List<String> froms = new ArrayList<>();
      for (HeaderField f : m.headers()) {
        if (f.is("From")) {
          froms.add(f.unfoldedValue());
        } else if (f.is("Authentication-Results")
            && AuthenticationResults.claims(f.value(), hostname)) {
          forged++;
        }
      }
      from = froms.isEmpty() ? null : String.join(", ", froms);
    } catch (HeaderLimitException e) {
      dkimResults =
          List.of(new DkimResult(DkimResult.Result.PERMERROR, "", "", "", e.getMessage()));
      arcResult = new ArcResult(ArcResult.Result.FAIL, 0, "", e.getMessage());
    }
    DmarcResult dmarcResult = dmarc.evaluate(from, spfResult, dkimResults);
    String identity = spfResult.identity() == SpfResult.Identity.HELO ? helo : mailFrom;
    String field =
        AuthenticationResults.format(
            hostname, spfResult, identity, dkimResults, arcResult, dmarcResult);
    return new MailAuthVerdict(
        spfResult, dkimResults, arcResult, dmarcResult, field, dmarcResult.disposition(), forged);
  }

  /** Builds a {@link MailAuthenticator}. Not thread-safe. */
  public static final class Builder {
    private final DnsResolver dns;
    private String hostname;
    private MailAuthLimits limits = MailAuthLimits.DEFAULTS;
    private Clock clock = Clock.systemUTC();
    private DmarcEvaluator dmarc;

    private Builder(DnsResolver dns) {
      this.dns = dns;
    }

    /** Our host name: the authserv-id and the %{r} of SPF explanations (required). */
    public Builder hostname(String hostname) {
      this.hostname = requireNonNull(hostname, "hostname");
      return this;
    }

    /** The limits (default {@link MailAuthLimits#DEFAULTS}). */
    public Builder limits(MailAuthLimits limits) {
      this.limits = requireNonNull(limits, "limits");
      return this;
    }

    /** The clock for x= and %{t} (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** A DMARC evaluator configured otherwise (default: one on the same resolver). */
    public Builder dmarc(DmarcEvaluator dmarc) {
      this.dmarc = requireNonNull(dmarc, "dmarc");
      return this;
    }

    /** The authenticator. */
    public MailAuthenticator build() {
      if (hostname == null) {
        throw new IllegalStateException("missing hostname");
      }
      return new MailAuthenticator(this);
    }
  }
}
