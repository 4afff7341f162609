package org.carbonio.smtp.internal.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of a directory's fsync: each caller returns only after an fsync that started after
 * its call began, but one fsync serves every caller that arrived while the previous one ran.
 * Thread-safe.
 */
public final class GroupSync {

  private final Path directory;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition done = lock.newCondition();
  private long requested;
  private long completed;
  private boolean running;
  private long syncs;

  /** Syncs {@code directory}. */
  public GroupSync(Path directory) {
    this.directory = directory;
  }

  /**
   * Makes every directory change the caller made before this call durable (creations, renames,
   * deletions of entries).
   */
  public void sync() throws IOException {
    lock.lock();
    try {
      long mine = ++requested;
      while (completed < mine) {
        if (running) {
          done.awaitUninterruptibly();
          continue;
        }
        running = true;
        long target = requested;
        boolean ok = false;
        lock.unlock();
        try {
          force(directory);
          ok = true;
        } finally {
          lock.lock();
          running = false;
          if (ok) {
            completed = Math.max(completed, target);
            syncs++;
          }
          done.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The number of fsyncs done so far (for tests and benchmarks). */
  public long syncs() {
    lock.lock();
    try {
      return syncs;
    } finally {
      lock.unlock();
    }
  }

  /** Fsyncs one file or directory. */
  public static void force(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
