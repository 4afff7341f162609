package org.carbonio.smtp.internal.queue;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.queue.QueueId;
import org.carbonio.smtp.queue.RecipientStatus;

/** One line of a message's append-only state log ({@code <id>.log}). Immutable. */
public sealed interface LogRecord {

  /**
   * The result of one recipient's attempt.
   *
   * @param index the recipient's position in the envelope
   * @param state its state after the attempt
   * @param outcome the reply
   * @param at when the attempt ended
   */
  record Result(int index, RecipientStatus.State state, RecipientOutcome outcome, Instant at)
      implements LogRecord {
    /** Checks the components. */
    public Result {
      requireNonNull(state, "state");
      requireNonNull(outcome, "outcome");
      requireNonNull(at, "at");
      if (index < 0) {
        throw new IllegalArgumentException("index " + index);
      }
    }
  }

  /**
   * The end of an attempt.
   *
   * @param attempts the number of attempts so far
   * @param at when it ended
   * @param next when the next one is due
   */
  record Attempt(int attempts, Instant at, Instant next) implements LogRecord {
    /** Checks the components. */
    public Attempt {
      requireNonNull(at, "at");
      requireNonNull(next, "next");
    }
  }

  /** The kinds of DSN (RFC 3464 §2.3.3 actions). */
  enum DsnKind {
    /** Action: failed. */
    FAILED,
    /** Action: delayed. */
    DELAYED,
    /** Action: delivered. */
    DELIVERED
  }

  /**
   * A DSN for some recipients is durably enqueued (or, for the null sender, dropped).
   *
   * @param kind the action reported
   * @param dsn the DSN's queue id
   * @param indexes the recipients it reports
   */
  record Notified(DsnKind kind, QueueId dsn, List<Integer> indexes) implements LogRecord {
    /** Checks the components and copies the list. */
    public Notified {
      requireNonNull(kind, "kind");
      requireNonNull(dsn, "dsn");
      indexes = List.copyOf(indexes);
    }
  }

  /**
   * Put on hold.
   *
   * @param reason the reason, {@code ""} for none
   */
  record Hold(String reason) implements LogRecord {
    /** Checks the component. */
    public Hold {
      requireNonNull(reason, "reason");
    }
  }

  /** Released from hold. */
  record Release() implements LogRecord {}
}
