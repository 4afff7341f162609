package org.carbonio.imap.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class PushSchedulerTest {

  @Test
  void scheduleShouldStartOneThreadWhenLockHolderIsStuck() throws InterruptedException {
    ReentrantLock lock = new ReentrantLock();
    AtomicInteger started = new AtomicInteger();
    Executor executor =
        r -> {
          started.incrementAndGet();
          Thread.ofVirtual().start(r);
        };
    CountDownLatch ran = new CountDownLatch(1);
    PushScheduler pusher = new PushScheduler(lock, executor, ran::countDown);

    lock.lock(); // the connection thread, blocked writing to a client that does not read
    try {
      for (int i = 0; i < 1000; i++) pusher.schedule();
      assertThat(started).hasValue(1);
    } finally {
      lock.unlock();
    }
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void scheduleShouldRunAgainWhenChangeArrivesAfterRunStarted() throws InterruptedException {
    ReentrantLock lock = new ReentrantLock();
    CountDownLatch runs = new CountDownLatch(2);
    AtomicInteger started = new AtomicInteger();
    PushScheduler[] self = new PushScheduler[1];
    AtomicInteger count = new AtomicInteger();
    self[0] =
        new PushScheduler(
            lock,
            r -> {
              started.incrementAndGet();
              Thread.ofVirtual().start(r);
            },
            () -> {
              // a change seen while the first run holds the lock needs a second run
              if (count.incrementAndGet() == 1) self[0].schedule();
              runs.countDown();
            });
    self[0].schedule();
    assertThat(runs.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(started).hasValue(2);
  }
}
