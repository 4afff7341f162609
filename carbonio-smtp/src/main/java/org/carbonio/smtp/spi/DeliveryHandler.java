package org.carbonio.smtp.spi;

import java.io.IOException;

/**
 * Takes each accepted message. Implementations must be thread-safe: the engine calls them from the
 * connection's thread, for many connections at once.
 *
 * <p>Call order: once per successful DATA, after every recipient of the transaction was accepted by
 * the {@link RecipientPolicy}. The client receives {@code 250 2.0.0} only after {@link #deliver}
 * returns, so return only when the message is durably stored (written and fsynced).
 *
 * <p>Outcomes: returning normally is {@code 250 2.0.0}; {@link RejectException} yields its code;
 * any other exception, or running longer than {@link
 * org.carbonio.smtp.SmtpLimits#callbackTimeout()} (the thread is then interrupted), yields {@code
 * 451 4.3.0}.
 */
@FunctionalInterface
public interface DeliveryHandler {

  /**
   * Stores one message. {@link Delivery#content()} is valid only during this call; the engine
   * deletes the spooled content afterwards, so read what you need before returning.
   *
   * @param delivery the envelope and content
   * @throws RejectException to refuse the message with a given reply
   * @throws IOException when the message could not be stored ({@code 451 4.3.0})
   */
  void deliver(Delivery delivery) throws RejectException, IOException;
}
