package org.carbonio.smtp.internal.mailauth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import org.carbonio.smtp.dns.DnsException;
import org.carbonio.smtp.dns.DnsResolver;
import org.carbonio.smtp.dns.DnsResult;

/** Checks one DKIM signature, AMS or seal against its key (RFC 6376 §6.1.2, §6.1.3). Immutable. */
public final class SignatureCheck {
  private SignatureCheck() {}

  /** The result of a check, with the RFC 8601 result names. */
  public enum Status {
    /** Verified. */
    PASS,
    /** The body hash or the signature did not verify. */
    FAIL,
    /** Failed with a key in testing mode (t=y, RFC 6376 §3.6.1). */
    NEUTRAL,
    /** The key lookup failed in a way that may go away. */
    TEMPERROR,
    /** The signature or key cannot be used. */
    PERMERROR
  }

  /**
   * An outcome with its reason.
   *
   * @param status the status
   * @param reason why, for Authentication-Results comments; null on pass
   */
  public record Outcome(Status status, String reason) {}

  /**
   * Checks a signature.
   *
   * @param sig the parsed signature
   * @param headerData what {@link HeaderHash#data} built for it
   * @param bodyHash the hash of the body as the signature's spec says, or null for an ARC-Seal
   * @param now the time, for x=
   * @param minRsaBits the shortest RSA key accepted (RFC 8301 §3.2 says 1024)
   */
  public static Outcome check(
      DkimSignature sig,
      byte[] headerData,
      byte[] bodyHash,
      DnsResolver dns,
      Instant now,
      int minRsaBits) {
    if (sig.expiry() >= 0 && now.getEpochSecond() > sig.expiry()) {
      return new Outcome(Status.PERMERROR, "signature expired"); // RFC 6376 §3.5 x=
    }
    if (sig.algorithm() == SigningAlgorithm.RSA_SHA1) {
      // RFC 8301 §3.1: verifiers must not consider rsa-sha1 signatures valid.
      return new Outcome(Status.PERMERROR, "rsa-sha1 is not accepted");
    }
    String name = sig.selector() + "._domainkey." + sig.domain();
    DnsResult<String> txt;
    try {
      txt = dns.txt(name);
    } catch (DnsException e) {
      return new Outcome(Status.TEMPERROR, "key lookup failed");
    }
    if (txt.isEmpty()) {
      return new Outcome(Status.PERMERROR, "no key for signature");
    }
    KeyRecord key = null;
    for (String r : txt.records()) {
      try {
        key = KeyRecord.parse(r);
        break;
      } catch (IllegalArgumentException e) {
        // RFC 6376 §6.1.2: try the next record
      }
    }
    if (key == null) {
      return new Outcome(Status.PERMERROR, "key syntax error");
    }
    if (key.revoked()) {
      return new Outcome(Status.PERMERROR, "key revoked");
    }
    if (!key.keyType().equals(sig.algorithm().keyType())) {
      return new Outcome(Status.PERMERROR, "key type mismatch");
    }
    if (!key.hashes().isEmpty() && !key.hashes().contains(sig.algorithm().hashTag())) {
      return new Outcome(Status.PERMERROR, "hash not allowed by key");
    }
    if (!key.services().contains("*") && !key.services().contains("email")) {
      return new Outcome(Status.PERMERROR, "key not for email");
    }
    if (key.strict() && sig.auid() != null) {
      String auidDomain = sig.auid().substring(sig.auid().lastIndexOf('@') + 1);
      if (!Names.domain(auidDomain).equals(sig.domain())) {
        return new Outcome(Status.PERMERROR, "i= domain must equal d= (t=s)");
      }
    }
    if (key.keyType().equals("rsa") && key.rsaBits() < minRsaBits) {
      return new Outcome(Status.PERMERROR, "key too short");
    }
    Status failure = key.testing() ? Status.NEUTRAL : Status.FAIL;
    if (bodyHash != null && !MessageDigest.isEqual(bodyHash, sig.bodyHash())) {
      return new Outcome(failure, "body hash did not verify");
    }
    boolean ok;
    try {
      ok = sig.algorithm().verify(key.key(), headerData, sig.signature());
    } catch (GeneralSecurityException e) {
      ok = false;
    }
    return ok ? new Outcome(Status.PASS, null) : new Outcome(failure, "signature did not verify");
  }
}
