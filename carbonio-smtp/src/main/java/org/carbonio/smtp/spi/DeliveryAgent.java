package org.carbonio.smtp.spi;

import java.util.List;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;

/**
 * Delivers a message from the queue to some of its recipients: into local mailboxes, over SMTP to
 * the next hop, or both. Implementations must be thread-safe: the queue runs several attempts at
 * once.
 *
 * <p>Return one outcome per recipient asked for, in any order. A recipient with no outcome, or an
 * exception, counts as {@link org.carbonio.smtp.RecipientOutcome.Status#TEMPORARY} for every
 * recipient without one. Return only when each {@code DELIVERED} outcome is durable at the next hop
 * (it answered 250, or the local store committed).
 */
@FunctionalInterface
public interface DeliveryAgent {

  /**
   * Attempts delivery.
   *
   * @param envelope the message's envelope (sender, DSN and REQUIRETLS parameters)
   * @param recipients the recipients to attempt now, a subset of the envelope's
   * @param content the message as queued, readable several times
   * @return one outcome per recipient
   * @throws InterruptedException when the queue is shutting down
   */
  List<RecipientOutcome> deliver(
      Envelope envelope, List<EnvelopeRecipient> recipients, MessageContent content)
      throws InterruptedException;
}
