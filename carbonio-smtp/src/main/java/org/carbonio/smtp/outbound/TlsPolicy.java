package org.carbonio.smtp.outbound;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.carbonio.smtp.dns.TlsaRecord;

/**
 * What TLS one next hop must offer, and why. Immutable.
 *
 * @param level the requirement
 * @param tlsa the usable TLSA records when {@code level} is {@link Level#DANE}
 * @param peerName the name the certificate must carry (VERIFIED, DANE-TA) and the SNI name
 * @param source where the requirement comes from, for messages ("MTA-STS", "DANE", "smarthost")
 */
record TlsPolicy(Level level, List<TlsaRecord> tlsa, String peerName, String source) {

  /** Ordered from weakest to strongest. */
  enum Level {
    /** Plaintext only (after a failed opportunistic handshake, or STARTTLS turned off). */
    NONE,
    /** STARTTLS when offered, no certificate check; plaintext otherwise (RFC 3207, RFC 7435). */
    OPPORTUNISTIC,
    /** TLS required, certificate not checked (DANE with only unusable TLSA, RFC 7672 §2.2). */
    ENCRYPTED,
    /** TLS required with a PKIX certificate valid for the peer name (MTA-STS, smarthost). */
    VERIFIED,
    /** TLS required with a certificate matching TLSA records (RFC 7672 §3). */
    DANE
  }

  TlsPolicy {
    requireNonNull(level, "level");
    tlsa = List.copyOf(tlsa);
    requireNonNull(peerName, "peerName");
    requireNonNull(source, "source");
  }

  static TlsPolicy opportunistic(String peer) {
    return new TlsPolicy(Level.OPPORTUNISTIC, List.of(), peer, "opportunistic");
  }

  static TlsPolicy none(String peer) {
    return new TlsPolicy(Level.NONE, List.of(), peer, "none");
  }

  TlsPolicy plaintextFallback() {
    return new TlsPolicy(Level.NONE, List.of(), peerName, source + ", plaintext after TLS failure");
  }

  boolean requiresTls() {
    return level.compareTo(Level.ENCRYPTED) >= 0;
  }

  /** True when the certificate is checked: what REQUIRETLS demands (RFC 8689 §4.2.1). */
  boolean authenticated() {
    return level == Level.VERIFIED || level == Level.DANE;
  }

  /** A key for connection reuse: connections made under different policies are not shared. */
  String key() {
    return level + "|" + peerName + "|" + tlsa;
  }
}
