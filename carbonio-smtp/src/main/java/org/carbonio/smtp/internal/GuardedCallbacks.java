package org.carbonio.smtp.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.spi.Authenticator;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.carbonio.smtp.spi.RejectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps the embedder's callbacks: each call runs on the caller's thread (the connection's virtual
 * thread) with a timeout, and failures are logged here, at the SPI edge. Thread-safe.
 *
 * <p>A watchdog thread, one per instance, looks at the calls in progress a few times per shortest
 * timeout (at least every second, at most every 10 ms) and interrupts the thread of a call that has
 * run past its deadline; the call then ends as {@link InterruptedIOException}, whatever it returns
 * or throws, and the interrupt it got is cleared so that the connection can still answer its client
 * ({@code 451 4.3.0}). Running on the caller's thread saves two thread handoffs per call (a new
 * virtual thread and the caller's wait for it) over running each call on a thread of its own; the
 * price is that a callback that ignores the interrupt keeps its connection waiting until it
 * returns, as the SPI documentation says.
 */
public final class GuardedCallbacks implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GuardedCallbacks.class);

  private final Duration recipientCheckTimeout;
  private final Duration deliveryTimeout;
  private final Set<Call> running = ConcurrentHashMap.newKeySet();
  private final String name;
  private final long periodNanos;
  private ScheduledExecutorService watchdog; // guarded by this

  /**
   * @param name names the watchdog thread ({@code name-callback-watchdog})
   * @param recipientCheckTimeout the bound of one {@link RecipientPolicy} call
   * @param deliveryTimeout the bound of one {@link DeliveryHandler} call
   * @param authTimeout the bound of one {@link Authenticator} call
   */
  public GuardedCallbacks(
      String name, Duration recipientCheckTimeout, Duration deliveryTimeout, Duration authTimeout) {
    this.name = name;
    this.recipientCheckTimeout = recipientCheckTimeout;
    this.deliveryTimeout = deliveryTimeout;
    long shortest =
        Math.min(
            recipientCheckTimeout.toNanos(),
            Math.min(deliveryTimeout.toNanos(), authTimeout.toNanos()));
    this.periodNanos =
        Math.clamp(shortest / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1));
  }

  /** Starts the watchdog thread; calls made before are not timed. Once only. */
  public synchronized void start() {
    if (watchdog != null) {
      throw new IllegalStateException("already started");
    }
    ScheduledExecutorService w =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name(name + "-callback-watchdog").daemon(true).factory());
    w.scheduleWithFixedDelay(
        this::interruptOverdue, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    watchdog = w;
  }

  /** Stops the watchdog; calls in progress are no longer timed. Idempotent. */
  @Override
  public synchronized void close() {
    if (watchdog != null) {
      watchdog.shutdownNow();
    }
  }

  /** A policy that calls {@code policy} with a timeout; failures become runtime exceptions. */
  public RecipientPolicy guardPolicy(RecipientPolicy policy) {
    return check -> {
      try {
        RecipientDecision d = call(() -> policy.check(check), recipientCheckTimeout);
        log.debug("recipient {} -> {}", check.recipient(), d);
        return d;
      } catch (RuntimeException e) {
        log.warn("recipient policy failed for {}", check.recipient(), e);
        throw e;
      } catch (IOException e) {
        log.warn("recipient policy failed for {}: {}", check.recipient(), e.toString());
        throw new UncheckedIOException(e);
      } catch (Exception e) {
        log.warn("recipient policy failed for {}", check.recipient(), e);
        throw new IllegalStateException("recipient policy threw a checked exception", e);
      }
    };
  }

  /**
   * A handler that calls {@code handler} with a timeout and logs failures. The engine calls {@link
   * DeliveryHandler#deliverEach}; the guard forwards it, so that a handler's own per-recipient
   * outcomes survive.
   */
  public DeliveryHandler guardHandler(DeliveryHandler handler) {
    return new DeliveryHandler() {
      @Override
      public void deliver(Delivery delivery) throws RejectException, IOException {
        for (RecipientOutcome o : deliverEach(delivery)) {
          if (o.status() != RecipientOutcome.Status.DELIVERED) {
            throw new RejectException(o.code(), o.enhancedStatus(), o.text());
          }
        }
      }

      @Override
      public List<RecipientOutcome> deliverEach(Delivery delivery)
          throws RejectException, IOException {
        try {
          List<RecipientOutcome> outcomes =
              call(() -> handler.deliverEach(delivery), deliveryTimeout);
          log.debug(
              "delivered {} ({} bytes, {} recipients)",
              delivery.id(),
              delivery.size(),
              delivery.recipients().size());
          return outcomes;
        } catch (RejectException e) {
          log.debug("delivery {} rejected: {} {}", delivery.id(), e.code(), e.text());
          throw e;
        } catch (IOException | RuntimeException e) {
          log.warn("delivery {} failed", delivery.id(), e);
          throw e;
        } catch (Exception e) {
          log.warn("delivery {} failed", delivery.id(), e);
          throw new IOException("delivery handler failed", e);
        }
      }
    };
  }

  /**
   * An authenticator that calls {@code authenticator} with {@code timeout} and logs failures (never
   * the password).
   */
  public Authenticator guardAuthenticator(Authenticator authenticator, Duration timeout) {
    return (session, authzid, user, password) -> {
      try {
        Optional<String> identity =
            call(() -> authenticator.authenticate(session, authzid, user, password), timeout);
        log.debug("AUTH for {}: {}", user, identity == null || identity.isEmpty() ? "no" : "ok");
        return identity;
      } catch (RejectException e) {
        log.debug("AUTH for {} refused: {} {}", user, e.code(), e.text());
        throw e;
      } catch (IOException | RuntimeException e) {
        log.warn("authenticator failed for {}: {}", user, e.toString());
        throw e;
      } catch (Exception e) {
        log.warn("authenticator failed for {}", user, e);
        throw new IOException("authenticator failed", e);
      }
    };
  }

  private <T> T call(Callable<T> task, Duration timeout) throws Exception {
    Call c = new Call(Thread.currentThread(), System.nanoTime() + timeout.toNanos());
    running.add(c);
    T result;
    try {
      result = task.call();
    } catch (Exception e) {
      if (c.finish()) {
        throw new InterruptedIOException("callback exceeded " + timeout);
      }
      throw e;
    } catch (Error e) {
      c.finish();
      throw e;
    } finally {
      running.remove(c);
    }
    if (c.finish()) {
      throw new InterruptedIOException("callback exceeded " + timeout);
    }
    return result;
  }

  /** Watchdog task: interrupts the threads of the calls past their deadline. */
  private void interruptOverdue() {
    try {
      long now = System.nanoTime();
      for (Call c : running) {
        if (now - c.deadlineNanos > 0 && c.timeOut()) {
          log.debug("interrupting {}: callback past its deadline", c.thread);
        }
      }
    } catch (RuntimeException e) {
      log.warn("callback watchdog failed", e); // an escaping exception would cancel the task
    }
  }

  /** One call in progress: its thread, its deadline, and who ended it first. */
  private static final class Call {
    private static final int RUNNING = 0;
    private static final int INTERRUPTING = 1;
    private static final int INTERRUPTED = 2;
    private static final int DONE = 3;

    private final Thread thread;
    private final long deadlineNanos;
    private final AtomicInteger state = new AtomicInteger(RUNNING);

    Call(Thread thread, long deadlineNanos) {
      this.thread = thread;
      this.deadlineNanos = deadlineNanos;
    }

    /** Watchdog side: interrupts the thread unless the call already returned. */
    boolean timeOut() {
      if (!state.compareAndSet(RUNNING, INTERRUPTING)) {
        return false;
      }
      thread.interrupt();
      state.set(INTERRUPTED);
      return true;
    }

    /**
     * Caller side, once the callback returned: true when it was timed out, in which case the
     * interrupt the watchdog sent has been cleared, so it cannot end the connection's next read.
     */
    boolean finish() {
      if (state.compareAndSet(RUNNING, DONE)) {
        return false;
      }
      while (state.get() == INTERRUPTING) {
        Thread.onSpinWait(); // the watchdog is between its CAS and interrupt(): a few instructions
      }
      Thread.interrupted();
      return true;
    }
  }
}
