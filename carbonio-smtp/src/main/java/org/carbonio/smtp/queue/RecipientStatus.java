package org.carbonio.smtp.queue;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.RecipientOutcome;

/**
 * Where one recipient of a queued message stands. Immutable.
 *
 * @param recipient the forward-path with its DSN parameters
 * @param state pending, or one of the final states
 * @param lastOutcome the reply of the last attempt, or {@code null} before the first attempt
 * @param lastAttempt when the last attempt ended, or {@code null} before the first attempt
 */
public record RecipientStatus(
    EnvelopeRecipient recipient, State state, RecipientOutcome lastOutcome, Instant lastAttempt) {

  /** Checks the components. */
  public RecipientStatus {
    requireNonNull(recipient, "recipient");
    requireNonNull(state, "state");
  }

  /** The life of a recipient in the queue: PENDING, then one final state. */
  public enum State {
    /** Not attempted yet, or failed temporarily: will be attempted again. */
    PENDING,
    /** The agent reported it delivered: never attempted again. */
    DELIVERED,
    /** Failed permanently: bounced (when the sender and NOTIFY allow), never attempted again. */
    FAILED,
    /** Still failing temporarily when the message expired: bounced like {@link #FAILED}. */
    EXPIRED;

    /** True for every state but {@link #PENDING}. */
    public boolean isFinal() {
      return this != PENDING;
    }
  }
}
