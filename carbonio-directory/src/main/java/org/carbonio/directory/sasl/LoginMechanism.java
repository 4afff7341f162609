package org.carbonio.directory.sasl;

/**
 * The server side of the obsolete but widespread LOGIN mechanism (draft-murchison-sasl-login): the
 * server prompts {@code Username:}, then {@code Password:}; the client answers each with the UTF-8
 * value (the transport handles base64). An initial response, if any, is the username. Yields {@link
 * SaslResult.CheckPassword} with an empty authzid. Use it only over TLS.
 *
 * <p>Not thread-safe: one instance per exchange.
 */
public final class LoginMechanism implements SaslMechanism {
  public static final String NAME = "LOGIN";

  private enum State {
    USERNAME,
    PASSWORD,
    DONE
  }

  private State state = State.USERNAME;
  private String username;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public SaslResult.Challenge initialChallenge() {
    return new SaslResult.Challenge("Username:");
  }

  @Override
  public SaslResult evaluate(byte[] response) {
    String s = Utf8.decode(response);
    switch (state) {
      case USERNAME -> {
        if (s == null || s.isEmpty() || s.indexOf('\0') >= 0) {
          state = State.DONE;
          return new SaslResult.Failure(SaslError.INVALID_ENCODING);
        }
        username = s;
        state = State.PASSWORD;
        return new SaslResult.Challenge("Password:");
      }
      case PASSWORD -> {
        state = State.DONE;
        if (s == null || s.isEmpty() || s.indexOf('\0') >= 0) {
          return new SaslResult.Failure(SaslError.INVALID_ENCODING);
        }
        return new SaslResult.CheckPassword("", username, s);
      }
      case DONE -> throw new IllegalStateException("LOGIN exchange is over");
    }
    throw new AssertionError(state);
  }
}
