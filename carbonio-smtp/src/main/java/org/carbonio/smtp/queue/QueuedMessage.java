package org.carbonio.smtp.queue;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import org.carbonio.smtp.Envelope;

/**
 * A snapshot of one queued message for operators ({@code ./carbonio queue list|show}). Immutable.
 *
 * @param id the queue id
 * @param arrival when the message was enqueued
 * @param envelope the envelope as enqueued (all recipients, done or not)
 * @param recipients one status per recipient of the envelope, in the same order
 * @param size the message's size in bytes
 * @param attempts the number of delivery attempts so far
 * @param nextAttempt when the next attempt is due, or {@code null} while held, being attempted, or
 *     done
 * @param held true when the message is on hold (never attempted until released)
 * @param holdReason why it is held (quarantine reason), {@code ""} when not held or none given
 */
public record QueuedMessage(
    QueueId id,
    Instant arrival,
    Envelope envelope,
    List<RecipientStatus> recipients,
    long size,
    int attempts,
    Instant nextAttempt,
    boolean held,
    String holdReason) {

  /** Checks the components and copies the list. */
  public QueuedMessage {
    requireNonNull(id, "id");
    requireNonNull(arrival, "arrival");
    requireNonNull(envelope, "envelope");
    recipients = List.copyOf(recipients);
    requireNonNull(holdReason, "holdReason");
  }

  /** The sender, {@code ""} for the null reverse-path. */
  public String sender() {
    return envelope.sender();
  }
}
