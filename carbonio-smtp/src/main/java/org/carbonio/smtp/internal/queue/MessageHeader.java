package org.carbonio.smtp.internal.queue;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.queue.QueueId;

/**
 * The fixed part of a queued message: what its {@code .msg} file starts with. Immutable.
 *
 * @param id the queue id
 * @param arrival when it was enqueued
 * @param envelope the envelope
 * @param held true when enqueued on hold (quarantine)
 * @param holdReason the quarantine reason, {@code ""} for none
 */
public record MessageHeader(
    QueueId id, Instant arrival, Envelope envelope, boolean held, String holdReason) {

  /** Checks the components. */
  public MessageHeader {
    requireNonNull(id, "id");
    requireNonNull(arrival, "arrival");
    requireNonNull(envelope, "envelope");
    requireNonNull(holdReason, "holdReason");
  }
}
