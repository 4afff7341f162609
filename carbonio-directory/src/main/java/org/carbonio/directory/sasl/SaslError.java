package org.carbonio.directory.sasl;

/**
 * Why a SASL exchange failed. Values are the {@code server-error-value}s of RFC 5802 §7, which
 * PLAIN and LOGIN reuse. Wrong passwords and unknown users give the same {@link #INVALID_PROOF}.
 *
 * <p>Immutable.
 */
public enum SaslError {
  /** Not UTF-8, not base64, not the message syntax, or too long. */
  INVALID_ENCODING("invalid-encoding"),
  /** A SCRAM mandatory extension ({@code m=}) was sent. */
  EXTENSIONS_NOT_SUPPORTED("extensions-not-supported"),
  /** Wrong password or unknown user (not told apart). */
  INVALID_PROOF("invalid-proof"),
  /** The channel binding data in client-final is not the GS2 header of client-first. */
  CHANNEL_BINDINGS_DONT_MATCH("channel-bindings-dont-match"),
  /** The client asked for channel binding ({@code p=}); this server offers no -PLUS variant. */
  CHANNEL_BINDING_NOT_SUPPORTED("channel-binding-not-supported"),
  /** The username has a bad {@code =} escape or is empty. */
  INVALID_USERNAME_ENCODING("invalid-username-encoding"),
  /** An authorization identity different from the username, refused by {@link AuthzidPolicy}. */
  AUTHORIZATION_REFUSED("other-error"),
  /** Any other protocol violation, e.g. the nonce of client-final is not the server's. */
  OTHER_ERROR("other-error");

  private final String value;

  SaslError(String value) {
    this.value = value;
  }

  /** The RFC 5802 §7 {@code server-error-value}. */
  public String value() {
    return value;
  }
}
