package org.carbonio.imap.internal;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs a task under a lock on another thread whenever {@link #schedule()} is called, coalescing
 * calls: at most one run is pending at a time. The pending flag is cleared only once the lock is
 * held, so while the lock holder is stuck (e.g. blocked writing to a slow client), any number of
 * calls start no more than one waiting thread. Thread-safe.
 */
final class PushScheduler {
  private final ReentrantLock lock;
  private final Executor executor;
  private final Runnable task;
  private final AtomicBoolean pending = new AtomicBoolean();

  PushScheduler(ReentrantLock lock, Executor executor, Runnable task) {
    this.lock = requireNonNull(lock, "lock");
    this.executor = requireNonNull(executor, "executor");
    this.task = requireNonNull(task, "task");
  }

  /** Requests a run; returns immediately. */
  void schedule() {
    if (!pending.compareAndSet(false, true)) return;
    try {
      executor.execute(this::run);
    } catch (RuntimeException e) {
      pending.set(false);
      throw e;
    }
  }

  private void run() {
    lock.lock();
    try {
      // cleared under the lock: changes seen from now on need another run, earlier ones are
      // covered by this one
      pending.set(false);
      task.run();
    } finally {
      lock.unlock();
    }
  }
}
