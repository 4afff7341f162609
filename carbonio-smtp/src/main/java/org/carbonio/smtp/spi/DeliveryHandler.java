package org.carbonio.smtp.spi;

import java.io.IOException;
import java.util.List;
import org.carbonio.smtp.RecipientOutcome;

/**
 * Takes each accepted message. Implementations must be thread-safe: the engine calls them from the
 * connection's thread, for many connections at once.
 *
 * <p>Call order: the engine calls {@link #deliverEach} once per message (after the final dot of
 * DATA or after {@code BDAT ... LAST}), after every recipient of the transaction was accepted by
 * the {@link RecipientPolicy}; its default calls {@link #deliver}. The client receives {@code 250
 * 2.0.0} only after the call returns, so return only when the message is durably stored (written
 * and fsynced).
 *
 * <p><strong>Per-recipient outcomes.</strong> Override {@link #deliverEach} to report one {@link
 * RecipientOutcome} per recipient (the engine then never calls {@link #deliver}; implement it by
 * throwing {@link UnsupportedOperationException}). In LMTP mode each recipient gets its own reply
 * from its outcome (RFC 2033 §4.2): {@code 250} for one, {@code 452} or {@code 552} for another. A
 * recipient without an outcome gets {@code 451 4.3.0}. SMTP has one reply after DATA: the client
 * gets {@code 250} when at least one outcome is {@code DELIVERED}, else the reply of the first
 * failure. So in SMTP mode a handler that returns a mix has taken responsibility for the failed
 * recipients: it must have queued them for a retry, or a delivery status notification (RFC 3464) to
 * the sender, before returning, because the client will not hear about them.
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
 * deliveryTimeout} rather than lower it when storage is slow. The call runs on the connection's own
 * thread, which a watchdog interrupts at the timeout; the {@code 451} is sent when the call
 * returns, so a handler that ignores the interrupt keeps its own connection (only that one)
 * waiting.
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

  /**
   * Stores one message and says what happened to each recipient. The default calls {@link #deliver}
   * and reports every recipient delivered. The same lifetime rules as {@link #deliver} apply.
   *
   * @param delivery the envelope and content
   * @return one outcome per recipient of {@code delivery.envelope()}, matched by address
   * @throws RejectException to refuse the message for every recipient with a given reply
   * @throws IOException when the message could not be stored ({@code 451 4.3.0})
   */
  default List<RecipientOutcome> deliverEach(Delivery delivery)
      throws RejectException, IOException {
    deliver(delivery);
    return delivery.recipients().stream().map(RecipientOutcome::delivered).toList();
  }
}
