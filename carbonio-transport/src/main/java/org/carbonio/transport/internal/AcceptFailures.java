package org.carbonio.transport.internal;

import java.time.Duration;

/**
 * What the accept loop does after {@code accept()} fails: stop only when the listener was closed;
 * otherwise back off briefly and retry, logging once per burst of consecutive failures (a transient
 * {@code EMFILE} "Too many open files" must not stop the listener while the process runs on). Not
 * thread-safe: confine to the accept loop.
 */
public final class AcceptFailures {

  /** The pause after a failed {@code accept()}. */
  public static final Duration BACKOFF = Duration.ofMillis(100);

  /** The decision after one failure. */
  public enum Action {
    /** The listener was closed: leave the loop. */
    STOP,
    /** First failure of a burst: log it, back off, retry. */
    LOG_AND_RETRY,
    /** Further failure of the same burst: back off and retry without logging. */
    RETRY
  }

  private long burst;

  /**
   * Records one failed {@code accept()}.
   *
   * @param listenerClosed true when the server socket is closed or the server is stopping
   */
  public Action failed(boolean listenerClosed) {
    if (listenerClosed) {
      return Action.STOP;
    }
    return burst++ == 0 ? Action.LOG_AND_RETRY : Action.RETRY;
  }

  /**
   * Records a successful {@code accept()}.
   *
   * @return the number of failures of the burst it ends, 0 when there was none
   */
  public long accepted() {
    long n = burst;
    burst = 0;
    return n;
  }
}
