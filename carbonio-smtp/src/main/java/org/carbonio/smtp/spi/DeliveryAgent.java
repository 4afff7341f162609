package org.carbonio.smtp.spi;

import java.util.List;
import java.util.function.Consumer;
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
 *
 * <p>An agent that delivers to several destinations should implement {@link #deliver(Envelope,
 * List, MessageContent, Consumer)} and report each recipient's outcome as soon as it is known: the
 * queue records it durably at once, so a recipient already delivered is not attempted again when
 * the rest of the attempt times out, throws, or is interrupted by the queue's shutdown.
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

  /**
   * Attempts delivery, reporting outcomes as they become known. Each outcome passed to {@code
   * progress} is final for this attempt (report a {@code DELIVERED} one only once it is durable at
   * the next hop); the returned list may repeat it or leave it out. {@code progress} is thread-safe
   * and may be called from any thread; it may block briefly (the queue fsyncs the outcome). After
   * this method returned or was interrupted, the queue still records a late delivered or failed
   * outcome for a recipient it has not finished, and ignores a late temporary one. The default
   * calls {@link #deliver(Envelope, List, MessageContent)} and reports nothing early.
   *
   * @param envelope the message's envelope (sender, DSN and REQUIRETLS parameters)
   * @param recipients the recipients to attempt now, a subset of the envelope's
   * @param content the message as queued, readable several times
   * @param progress receives each recipient's outcome as soon as it is known
   * @return one outcome per recipient (those already reported may be left out)
   * @throws InterruptedException when the queue is shutting down
   */
  default List<RecipientOutcome> deliver(
      Envelope envelope,
      List<EnvelopeRecipient> recipients,
      MessageContent content,
      Consumer<RecipientOutcome> progress)
      throws InterruptedException {
    return deliver(envelope, recipients, content);
  }
}
