package org.carbonio.smtp.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.spi.Authenticator;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.carbonio.smtp.spi.RejectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Wraps the embedder's callbacks: each call runs on its own virtual thread with a timeout (the
 * caller's MDC is copied), and failures are logged here, at the SPI edge. Thread-safe.
 */
public final class GuardedCallbacks {

  private static final Logger log = LoggerFactory.getLogger(GuardedCallbacks.class);

  private final ExecutorService executor;
  private final Duration recipientCheckTimeout;
  private final Duration deliveryTimeout;

  /**
   * @param executor runs each call; owned by the caller
   * @param recipientCheckTimeout the bound of one {@link RecipientPolicy} call
   * @param deliveryTimeout the bound of one {@link DeliveryHandler} call
   */
  public GuardedCallbacks(
      ExecutorService executor, Duration recipientCheckTimeout, Duration deliveryTimeout) {
    this.executor = executor;
    this.recipientCheckTimeout = recipientCheckTimeout;
    this.deliveryTimeout = deliveryTimeout;
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
    Map<String, String> mdc = MDC.getCopyOfContextMap();
    Future<T> future =
        executor.submit(
            () -> {
              if (mdc != null) {
                MDC.setContextMap(mdc);
              }
              try {
                return task.call();
              } finally {
                MDC.clear();
              }
            });
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new InterruptedIOException("callback exceeded " + timeout);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a callback");
    }
  }
}
