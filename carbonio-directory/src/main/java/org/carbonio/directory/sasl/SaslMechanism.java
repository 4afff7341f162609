package org.carbonio.directory.sasl;

/**
 * The server side of one SASL exchange (RFC 4422), sans-IO: the transport decodes base64 and passes
 * raw client responses; the mechanism answers with a {@link SaslResult}.
 *
 * <p>Call order: if the client sent no initial response, send {@link #initialChallenge()} and pass
 * its answer to {@link #evaluate}; otherwise pass the initial response (RFC 4422 §5: an empty one
 * is an empty array). Keep calling {@code evaluate} while the result is a {@link
 * SaslResult.Challenge}. Calling it after any other result throws {@link IllegalStateException}.
 *
 * <p>Not thread-safe: one instance per exchange, confined to its connection.
 */
public interface SaslMechanism {
  /** Largest client response accepted, in bytes; longer ones fail with INVALID_ENCODING. */
  int MAX_RESPONSE_BYTES = 8192;

  /** The registered mechanism name, e.g. {@code SCRAM-SHA-256}. */
  String name();

  /** What to send when the client gave no initial response; does not change state. */
  SaslResult.Challenge initialChallenge();

  /**
   * Consumes one client response (already base64-decoded).
   *
   * @throws IllegalStateException if the exchange is already over
   */
  SaslResult evaluate(byte[] response);
}
