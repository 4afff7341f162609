package org.carbonio.smtp.spi;

import static java.util.Objects.requireNonNull;

/**
 * One {@code RCPT TO} to decide. Immutable.
 *
 * @param session the connection and its greeting
 * @param sender the reverse-path of {@code MAIL FROM}, {@code ""} for the null reverse-path
 * @param recipient the forward-path as the client gave it, without angle brackets or source route
 */
public record RecipientCheck(SessionInfo session, String sender, String recipient) {
  /** Checks that no component is null. */
  public RecipientCheck {
    requireNonNull(session, "session");
    requireNonNull(sender, "sender");
    requireNonNull(recipient, "recipient");
  }
}
