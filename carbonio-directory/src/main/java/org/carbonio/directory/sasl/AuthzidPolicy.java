package org.carbonio.directory.sasl;

/**
 * Whether a client may ask to act as another identity (the SASL authorization identity, RFC 4422
 * §3.4.1).
 *
 * <p>Immutable.
 */
public enum AuthzidPolicy {
  /** Only an empty authzid or one equal to the username (the default). */
  SAME_AS_USERNAME,
  /** Any authzid; the caller must check that the username may act as it (e.g. an admin). */
  ANY
}
