package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.dns.DnsResolver;
import org.carbonio.smtp.internal.mailauth.BodySpec;
import org.carbonio.smtp.internal.mailauth.DkimSignature;
import org.carbonio.smtp.internal.mailauth.HeaderField;
import org.carbonio.smtp.internal.mailauth.HeaderHash;
import org.carbonio.smtp.internal.mailauth.HeaderLimitException;
import org.carbonio.smtp.internal.mailauth.Names;
import org.carbonio.smtp.internal.mailauth.ScannedMessage;
import org.carbonio.smtp.internal.mailauth.SignatureCheck;
import org.carbonio.smtp.internal.mailauth.TagList;

/**
 * Verifies the DKIM signatures of a message (RFC 6376 §6), RSA-SHA256, Ed25519-SHA256 (RFC 8463)
 * (RSA-SHA1 signatures are parsed but never pass: RFC 8301 §3.1). The body is read once and hashed
 * as it streams; only the header section is held in memory. Thread-safe.
 *
 * <p>An {@code l=} tag is honored: only that many canonical body bytes are hashed (RFC 6376 §3.5),
 * so content appended after a signed body does not break the signature; the signer here never sets
 * it. Keys are looked up at {@code <s>._domainkey.<d>} TXT; revoked keys (empty {@code p=}), RSA
 * keys shorter than {@link MailAuthLimits#minRsaBits()}, and signatures past {@code x=} give {@code
 * permerror}.
 *
 * {@snippet :
 * DkimVerifier verifier = DkimVerifier.builder(resolver).build();
 * for (DkimResult r : verifier.verify(content)) {
 *   System.out.println(r.domain() + " " + r.result());
 * }
 * }
 */
public final class DkimVerifier {
  private final DnsResolver dns;
  private final Clock clock;
  private final MailAuthLimits limits;

  private DkimVerifier(Builder b) {
    this.dns = b.dns;
    this.clock = b.clock;
    this.limits = b.limits;
  }

  /** A builder that looks keys up through {@code dns}. */
  public static Builder builder(DnsResolver dns) {
    return new Builder(requireNonNull(dns, "dns"));
  }

  /** The results, one per DKIM-Signature field, top first; empty when the message has none. */
  public List<DkimResult> verify(MessageContent message) throws IOException {
    try (InputStream in = message.open()) {
      return verify(in);
    }
  }

  /** Reads {@code message} to its end; the caller closes it. */
  public List<DkimResult> verify(InputStream message) throws IOException {
    ScannedMessage m;
    try {
      m = ScannedMessage.scan(message, limits.maxHeaderBytes(), this::bodySpecs);
    } catch (HeaderLimitException e) {
      return List.of(
          new DkimResult(DkimResult.Result.PERMERROR, "", "", "", "header section too large"));
    }
    return verify(m);
  }

  Collection<BodySpec> bodySpecs(List<HeaderField> headers) {
    List<BodySpec> specs = new ArrayList<>();
    for (HeaderField f : signatureFields(headers)) {
      if (specs.size() >= limits.maxSignatures()) {
        break; // one hasher per signature at most: bounded work for many signatures
      }
      try {
        specs.add(DkimSignature.parse(f, DkimSignature.Kind.DKIM).bodySpec());
      } catch (IllegalArgumentException e) {
        // reported by verify
      }
    }
    return specs;
  }

  private List<HeaderField> signatureFields(List<HeaderField> headers) {
    List<HeaderField> sigs = new ArrayList<>();
    for (HeaderField f : headers) {
      if (f.is("DKIM-Signature")) {
        sigs.add(f);
      }
    }
    return sigs;
  }

  List<DkimResult> verify(ScannedMessage m) {
    List<DkimResult> results = new ArrayList<>();
    for (HeaderField f : signatureFields(m.headers())) {
      if (results.size() >= limits.maxSignatures()) {
        results.add(partial(f, "too many signatures"));
        continue;
      }
      DkimSignature sig;
      try {
        sig = DkimSignature.parse(f, DkimSignature.Kind.DKIM);
      } catch (IllegalArgumentException e) {
        results.add(partial(f, e.getMessage()));
        continue;
      }
      byte[] bodyHash = m.bodyHash(sig.bodySpec());
      if (bodyHash == null) {
        results.add(partial(f, "body not hashed")); // never skip the body check
        continue;
      }
      byte[] data = HeaderHash.data(m.headers(), sig.signedHeaders(), f.raw(), sig.headerRelaxed());
      SignatureCheck.Outcome o =
          SignatureCheck.check(sig, data, bodyHash, dns, clock.instant(), limits.minRsaBits());
      results.add(
          new DkimResult(
              DkimResult.Result.valueOf(o.status().name()),
              sig.domain(),
              sig.selector(),
              TagList.compact(sig.tag("b")),
              o.reason()));
    }
    return results;
  }

  /** A permerror result with whatever d=, s= and b= can be read. */
  private static DkimResult partial(HeaderField f, String reason) {
    String d = "";
    String s = "";
    String b = "";
    try {
      var tags = TagList.parse(f.value());
      d = Names.domain(tags.getOrDefault("d", ""));
      s = tags.getOrDefault("s", "").strip();
      b = TagList.compact(tags.getOrDefault("b", ""));
    } catch (IllegalArgumentException e) {
      // nothing readable
    }
    return new DkimResult(DkimResult.Result.PERMERROR, d, s, b, reason);
  }

  /** Builds a {@link DkimVerifier}. Not thread-safe. */
  public static final class Builder {
    private final DnsResolver dns;
    private Clock clock = Clock.systemUTC();
    private MailAuthLimits limits = MailAuthLimits.DEFAULTS;

    private Builder(DnsResolver dns) {
      this.dns = dns;
    }

    /** The clock for x= (default: system UTC). */
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
    public DkimVerifier build() {
      return new DkimVerifier(this);
    }
  }
}
