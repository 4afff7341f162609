package org.carbonio.smtp.spi;

/**
 * Decides each {@code RCPT TO}. Implementations must be thread-safe: the engine calls them from the
 * connection's thread, for many connections at once.
 *
 * <p>A call is bounded by {@link org.carbonio.smtp.SmtpLimits#recipientCheckTimeout()} (default 30
 * seconds); when it runs longer the connection's thread, which runs it, is interrupted and the
 * client gets {@code 451 4.3.0} once the call returns. A runtime exception also yields {@code 451
 * 4.3.0}.
 */
@FunctionalInterface
public interface RecipientPolicy {

  /** A policy that accepts every recipient (the default of {@code SmtpServer.builder()}). */
  RecipientPolicy ACCEPT_ALL = check -> RecipientDecision.accept();

  /**
   * Decides one recipient.
   *
   * @param check the session, sender and recipient
   * @return {@link RecipientDecision#accept()} or a rejection with its reply code
   */
  RecipientDecision check(RecipientCheck check);
}
