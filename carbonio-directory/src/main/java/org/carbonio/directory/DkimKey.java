package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A DKIM signing key of a domain (RFC 6376 §3.6): its selector, algorithm, private key, the TXT
 * record to publish at {@code selector._domainkey.domain}, when it was made and where it is in its
 * rotation. The directory stores what it is given; keys are generated elsewhere (the SMTP module).
 *
 * <p>The private key is a secret: {@link #toString()} omits it, the directory never logs it, and
 * over LDAP it is readable only by the directory's administrator bind.
 *
 * <p>Immutable: the private key bytes are copied in and out.
 */
public final class DkimKey {

  /** Keys per domain at most (enough for an active, a next and several retired ones). */
  public static final int MAX_PER_DOMAIN = 10;

  /** Largest private key accepted, in octets of PKCS#8 DER (an RSA 8192-bit key is ~4.8 KB). */
  public static final int MAX_PRIVATE_KEY_BYTES = 8192;

  /** Longest TXT value accepted (a 4096-bit RSA key's record is ~750 characters). */
  public static final int MAX_TXT_CHARS = 4096;

  // RFC 6376 §3.1: selector = sub-domain *( "." sub-domain ); RFC 5321 §4.1.2 sub-domain
  private static final Pattern SELECTOR =
      Pattern.compile(
          "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
              + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  /** The signing algorithm (RFC 6376 §3.3, RFC 8463). */
  public enum Algorithm {
    /** {@code rsa-sha256} (RFC 6376 §3.3.1). */
    RSA_SHA256("rsa-sha256"),
    /** {@code ed25519-sha256} (RFC 8463). */
    ED25519_SHA256("ed25519-sha256");

    private final String tag;

    Algorithm(String tag) {
      this.tag = tag;
    }

    /** The value of the signature's {@code a=} tag. */
    public String tag() {
      return tag;
    }

    /** The algorithm of an {@code a=} tag value, case-insensitively. */
    public static Algorithm ofTag(String tag) {
      for (Algorithm a : values()) {
        if (a.tag.equalsIgnoreCase(tag)) {
          return a;
        }
      }
      throw new IllegalArgumentException("unknown DKIM algorithm " + tag);
    }
  }

  /** Where a key is in its rotation. */
  public enum State {
    /** Signs outgoing mail; at most one key of a domain is active. */
    ACTIVE,
    /** Published in DNS ahead of use, to become active once the record has propagated. */
    PUBLISHED_NEXT,
    /** No longer signs; kept published a while so that mail in transit still verifies. */
    RETIRED
  }

  private final String selector;
  private final Algorithm algorithm;
  private final byte[] privateKey;
  private final String publicKeyTxt;
  private final Instant created;
  private final State state;

  /**
   * Creates a key.
   *
   * @param selector the selector, a dot-separated sequence of DNS labels; kept lower-cased
   * @param algorithm the algorithm
   * @param privateKeyPkcs8 the private key, PKCS#8 DER (copied), 1 to {@value
   *     #MAX_PRIVATE_KEY_BYTES} octets
   * @param publicKeyTxt the TXT record value, e.g. {@code v=DKIM1; k=rsa; p=MIIB...}: printable
   *     ASCII, at most {@value #MAX_TXT_CHARS} characters
   * @param created when the key was made; kept to the second
   * @param state its place in the rotation
   * @throws IllegalArgumentException for a bad selector, key or TXT value
   */
  public DkimKey(
      String selector,
      Algorithm algorithm,
      byte[] privateKeyPkcs8,
      String publicKeyTxt,
      Instant created,
      State state) {
    requireNonNull(selector, "selector");
    if (selector.length() > 253 || !SELECTOR.matcher(selector).matches()) {
      throw new IllegalArgumentException("bad DKIM selector " + quote(selector));
    }
    this.selector = selector.toLowerCase(Locale.ROOT);
    this.algorithm = requireNonNull(algorithm, "algorithm");
    requireNonNull(privateKeyPkcs8, "privateKeyPkcs8");
    if (privateKeyPkcs8.length == 0 || privateKeyPkcs8.length > MAX_PRIVATE_KEY_BYTES) {
      throw new IllegalArgumentException(
          "private key of "
              + privateKeyPkcs8.length
              + " octets, not 1 to "
              + MAX_PRIVATE_KEY_BYTES);
    }
    this.privateKey = privateKeyPkcs8.clone();
    requireNonNull(publicKeyTxt, "publicKeyTxt");
    if (publicKeyTxt.isEmpty()
        || publicKeyTxt.length() > MAX_TXT_CHARS
        || !publicKeyTxt.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
      throw new IllegalArgumentException("bad DKIM TXT value " + quote(publicKeyTxt));
    }
    this.publicKeyTxt = publicKeyTxt;
    this.created = requireNonNull(created, "created").truncatedTo(ChronoUnit.SECONDS);
    this.state = requireNonNull(state, "state");
  }

  private static String quote(String s) {
    String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    StringBuilder sb = new StringBuilder("\"");
    for (char c : t.toCharArray()) {
      sb.append(c < 0x20 || c == 0x7F ? '?' : c);
    }
    return sb.append('"').toString();
  }

  /** The selector, lower-case. */
  public String selector() {
    return selector;
  }

  /** The algorithm. */
  public Algorithm algorithm() {
    return algorithm;
  }

  /** A copy of the private key, PKCS#8 DER. */
  public byte[] privateKeyPkcs8() {
    return privateKey.clone();
  }

  /** The TXT record value to publish at {@link #dnsName(String)}. */
  public String publicKeyTxt() {
    return publicKeyTxt;
  }

  /** When the key was made, to the second. */
  public Instant created() {
    return created;
  }

  /** Its place in the rotation. */
  public State state() {
    return state;
  }

  /** The same key in another state. */
  public DkimKey withState(State newState) {
    return new DkimKey(selector, algorithm, privateKey, publicKeyTxt, created, newState);
  }

  /** The DNS name of the TXT record: {@code selector._domainkey.domain} (RFC 6376 §3.6.2.1). */
  public String dnsName(String domain) {
    return selector + "._domainkey." + domain;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DkimKey k
        && selector.equals(k.selector)
        && algorithm == k.algorithm
        && Arrays.equals(privateKey, k.privateKey)
        && publicKeyTxt.equals(k.publicKeyTxt)
        && created.equals(k.created)
        && state == k.state;
  }

  @Override
  public int hashCode() {
    return selector.hashCode() * 31 + created.hashCode();
  }

  /** Everything but the private key. */
  @Override
  public String toString() {
    return "DkimKey[selector="
        + selector
        + ", algorithm="
        + algorithm.tag()
        + ", state="
        + state
        + ", created="
        + created
        + ", publicKeyTxt="
        + publicKeyTxt
        + "]";
  }
}
