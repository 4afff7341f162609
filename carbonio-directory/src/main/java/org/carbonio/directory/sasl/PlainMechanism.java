package org.carbonio.directory.sasl;

import static java.util.Objects.requireNonNull;

/**
 * The server side of SASL PLAIN (RFC 4616): one message {@code [authzid] NUL authcid NUL passwd},
 * UTF-8. Yields {@link SaslResult.CheckPassword} for the transport to verify. The authcid and the
 * password must not be empty; NUL appears only as the separator. Use it only over TLS (RFC 4616
 * §6).
 *
 * <p>Not thread-safe: one instance per exchange.
 */
public final class PlainMechanism implements SaslMechanism {
  public static final String NAME = "PLAIN";

  private final AuthzidPolicy policy;
  private boolean done;

  /** With {@link AuthzidPolicy#SAME_AS_USERNAME}. */
  public PlainMechanism() {
    this(AuthzidPolicy.SAME_AS_USERNAME);
  }

  public PlainMechanism(AuthzidPolicy policy) {
    this.policy = requireNonNull(policy, "policy");
  }

  @Override
  public String name() {
    return NAME;
  }

  /** RFC 4616 §2: an empty challenge when the client sent no initial response. */
  @Override
  public SaslResult.Challenge initialChallenge() {
    return new SaslResult.Challenge("");
  }

  @Override
  public SaslResult evaluate(byte[] response) {
    if (done) {
      throw new IllegalStateException("PLAIN exchange is over");
    }
    done = true;
    String s = Utf8.decode(response);
    if (s == null) {
      return new SaslResult.Failure(SaslError.INVALID_ENCODING);
    }
    // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
    String[] parts = s.split("\0", -1);
    if (parts.length != 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
      return new SaslResult.Failure(SaslError.INVALID_ENCODING);
    }
    String authzid = parts[0];
    if (authzid.equals(parts[1])) {
      authzid = "";
    }
    if (!authzid.isEmpty() && policy == AuthzidPolicy.SAME_AS_USERNAME) {
      return new SaslResult.Failure(SaslError.AUTHORIZATION_REFUSED);
    }
    return new SaslResult.CheckPassword(authzid, parts[1], parts[2]);
  }
}
