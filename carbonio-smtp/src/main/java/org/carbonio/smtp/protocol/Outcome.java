package org.carbonio.smtp.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What the transport must do after a session step: send {@code replies} in order, then perform
 * {@code action}. Immutable.
 *
 * @param replies replies to send, possibly none
 * @param action what comes next
 */
public record Outcome(List<SmtpReply> replies, Action action) {

  /** The transport's next step. */
  public enum Action {
    /** Keep reading commands. */
    CONTINUE,
    /** Call {@link SmtpDecoder#startData()}, then feed chunks to {@link SmtpSession#data}. */
    START_DATA,
    /**
     * Flush the replies, run the TLS handshake, replace the decoder and call {@link
     * SmtpSession#tlsStarted()}.
     */
    START_TLS,
    /**
     * Call {@link SmtpDecoder#startAuthResponse()}, then pass the next {@link Decoded.AuthResponse}
     * (or {@link Decoded.Bad}) to {@link SmtpSession#authResponse} (or {@link
     * SmtpSession#handleBad}).
     */
    AUTH_RESPONSE,
    /** Flush the replies and close the connection. */
    CLOSE
  }

  /** Checks components and copies the list. */
  public Outcome {
    replies = List.copyOf(replies);
    requireNonNull(action, "action");
  }

  static Outcome reply(SmtpReply reply) {
    return new Outcome(List.of(reply), Action.CONTINUE);
  }

  static Outcome then(SmtpReply reply, Action action) {
    return new Outcome(List.of(reply), action);
  }
}
