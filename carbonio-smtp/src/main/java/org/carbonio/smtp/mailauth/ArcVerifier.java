package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.dns.DnsResolver;
import org.carbonio.smtp.internal.mailauth.BodySpec;
import org.carbonio.smtp.internal.mailauth.Canonical;
import org.carbonio.smtp.internal.mailauth.DkimSignature;
import org.carbonio.smtp.internal.mailauth.HeaderField;
import org.carbonio.smtp.internal.mailauth.HeaderHash;
import org.carbonio.smtp.internal.mailauth.HeaderLimitException;
import org.carbonio.smtp.internal.mailauth.ScannedMessage;
import org.carbonio.smtp.internal.mailauth.SignatureCheck;

/**
 * Validates the ARC chain of a message (RFC 8617 §5.2): the ARC-Seal, ARC-Message-Signature and
 * ARC-Authentication-Results sets must be numbered 1..N without gaps or duplicates (N at most 50),
 * the first seal must say {@code cv=none} and the others {@code cv=pass}, the latest AMS must
 * verify like a DKIM signature, and every seal must verify. Sealing is not supported. Thread-safe.
 *
 * {@snippet :
 * ArcResult arc = ArcVerifier.builder(resolver).build().verify(content);
 * }
 */
public final class ArcVerifier {
  /** The most ARC sets a chain may have (RFC 8617 §4.2.1). */
  public static final int MAX_INSTANCES = 50;

  private static final Pattern AAR_INSTANCE =
      Pattern.compile("\\s*i\\s*=\\s*([0-9]{1,3})\\s*;.*", Pattern.DOTALL);

  private final DnsResolver dns;
  private final Clock clock;
  private final MailAuthLimits limits;

  private ArcVerifier(Builder b) {
    this.dns = b.dns;
    this.clock = b.clock;
    this.limits = b.limits;
  }

  /** A builder that looks keys up through {@code dns}. */
  public static Builder builder(DnsResolver dns) {
    return new Builder(requireNonNull(dns, "dns"));
  }

  /** Validates the chain of {@code message}. */
  public ArcResult verify(MessageContent message) throws IOException {
    try (InputStream in = message.open()) {
      return verify(in);
    }
  }

  /** Reads {@code message} to its end (the caller closes it) and validates its chain. */
  public ArcResult verify(InputStream message) throws IOException {
    try {
      return verify(ScannedMessage.scan(message, limits.maxHeaderBytes(), this::bodySpecs));
    } catch (HeaderLimitException e) {
      return new ArcResult(ArcResult.Result.FAIL, 0, "", "header section too large");
    }
  }

  Collection<BodySpec> bodySpecs(List<HeaderField> headers) {
    List<BodySpec> specs = new ArrayList<>();
    for (HeaderField f : headers) {
      if (f.is("ARC-Message-Signature") && specs.size() < MAX_INSTANCES) {
        try {
          specs.add(DkimSignature.parse(f, DkimSignature.Kind.AMS).bodySpec());
        } catch (IllegalArgumentException e) {
          // reported by verify
        }
      }
    }
    return specs;
  }

  ArcResult verify(ScannedMessage m) {
    List<HeaderField> headers = m.headers();
    List<DkimSignature> seals = new ArrayList<>();
    List<DkimSignature> amss = new ArrayList<>();
    List<HeaderField> aars = new ArrayList<>();
    List<Integer> aarInstances = new ArrayList<>();
    int count = 0;
    try {
      for (HeaderField f : headers) {
        if (f.is("ARC-Seal")) {
          seals.add(DkimSignature.parse(f, DkimSignature.Kind.AS));
        } else if (f.is("ARC-Message-Signature")) {
          amss.add(DkimSignature.parse(f, DkimSignature.Kind.AMS));
        } else if (f.is("ARC-Authentication-Results")) {
          Matcher mm = AAR_INSTANCE.matcher(f.value().replace("\r\n", ""));
          if (!mm.matches()) {
            return fail(1, "", "ARC-Authentication-Results without i=");
          }
          aars.add(f);
          aarInstances.add(Integer.parseInt(mm.group(1)));
        } else {
          continue;
        }
        count++;
      }
    } catch (IllegalArgumentException e) {
      return fail(Math.max(1, count / 3), "", "malformed ARC field: " + e.getMessage());
    }
    if (count == 0) {
      return new ArcResult(ArcResult.Result.NONE, 0, "", null);
    }
    int n = seals.size();
    String domain = "";
    DkimSignature[] as = new DkimSignature[n + 1];
    DkimSignature[] ams = new DkimSignature[n + 1];
    HeaderField[] aar = new HeaderField[n + 1];
    if (n > MAX_INSTANCES || amss.size() != n || aars.size() != n) {
      return fail(n, domain, "incomplete ARC sets");
    }
    for (DkimSignature s : seals) {
      if (s.instance() > n || as[s.instance()] != null) {
        return fail(n, domain, "ARC-Seal instances not 1.." + n);
      }
      as[s.instance()] = s;
    }
    for (DkimSignature s : amss) {
      if (s.instance() > n || ams[s.instance()] != null) {
        return fail(n, domain, "ARC-Message-Signature instances not 1.." + n);
      }
      ams[s.instance()] = s;
    }
    for (int k = 0; k < aars.size(); k++) {
      int i = aarInstances.get(k);
      if (i < 1 || i > n || aar[i] != null) {
        return fail(n, domain, "ARC-Authentication-Results instances not 1.." + n);
      }
      aar[i] = aars.get(k);
    }
    domain = as[n].domain();
    // RFC 8617 §5.2 step 2: the latest cv= decides; fail means the chain already broke
    for (int i = 1; i <= n; i++) {
      String cv = as[i].tag("cv").strip().toLowerCase(Locale.ROOT);
      String expected = i == 1 ? "none" : "pass";
      if (!cv.equals(expected)) {
        return fail(n, domain, "ARC-Seal i=" + i + " has cv=" + cv);
      }
    }
    // step 3: the latest AMS
    DkimSignature latest = ams[n];
    byte[] bodyHash = m.bodyHash(latest.bodySpec());
    if (bodyHash == null) {
      return fail(n, domain, "body not hashed");
    }
    byte[] data =
        HeaderHash.data(
            headers, latest.signedHeaders(), latest.field().raw(), latest.headerRelaxed());
    SignatureCheck.Outcome o =
        SignatureCheck.check(latest, data, bodyHash, dns, clock.instant(), limits.minRsaBits());
    if (o.status() != SignatureCheck.Status.PASS) {
      return fail(n, domain, "ARC-Message-Signature i=" + n + ": " + o.reason());
    }
    // step 4: every seal, newest first (RFC 8617 §5.1.1 for what a seal covers)
    for (int i = n; i >= 1; i--) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int k = 1; k <= i; k++) {
        out.writeBytes(HeaderHash.latin1(Canonical.relaxedHeader(aar[k].raw())));
        out.writeBytes(HeaderHash.latin1(Canonical.relaxedHeader(ams[k].field().raw())));
        if (k < i) {
          out.writeBytes(HeaderHash.latin1(Canonical.relaxedHeader(as[k].field().raw())));
        }
      }
      out.writeBytes(HeaderHash.data(List.of(), List.of(), as[i].field().raw(), true));
      SignatureCheck.Outcome s =
          SignatureCheck.check(
              as[i], out.toByteArray(), null, dns, clock.instant(), limits.minRsaBits());
      if (s.status() != SignatureCheck.Status.PASS) {
        return fail(n, domain, "ARC-Seal i=" + i + ": " + s.reason());
      }
    }
    return new ArcResult(ArcResult.Result.PASS, n, domain, null);
  }

  private static ArcResult fail(int n, String domain, String reason) {
    return new ArcResult(ArcResult.Result.FAIL, n, domain, reason);
  }

  /** Builds an {@link ArcVerifier}. Not thread-safe. */
  public static final class Builder {
    private final DnsResolver dns;
    private Clock clock = Clock.systemUTC();
    private MailAuthLimits limits = MailAuthLimits.DEFAULTS;

    private Builder(DnsResolver dns) {
      this.dns = dns;
    }

    /** The clock (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** The limits (default {@link MailAuthLimits#DEFAULTS}). */
    public Builder limits(MailAuthLimits limits) {
      this.limits = requireNonNull(limits, "limits");
      return this;
    }

    /** The verifier. */
    public ArcVerifier build() {
      return new ArcVerifier(this);
    }
  }
}
