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
 * org.carbonio.smtp.SmtpLimits#deliveryTimeout()} (the thread is then interrupted), yields {@code
 * 451 4.3.0}.
 *
 * <p><strong>Finish or fail within {@code deliveryTimeout}</strong> (default 10 minutes). On
 * timeout the client is told {@code 451} and will send the message again, but the engine can only
 * interrupt the handler's thread: storage that ignores interrupts (JDBC, most file and network
 * clients) may still commit, and the message is then delivered twice. So bound every step yourself
 * (statement, lock and connection-pool timeouts, well below {@code deliveryTimeout}) and fail with
 * an exception, rolling back, rather than let the engine time you out; raise {@code
 * deliveryTimeout} rather than lower it when storage is slow.
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
