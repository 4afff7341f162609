package org.carbonio.smtp.outbound;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Idle connections kept for the next message to the same destination. Thread-safe; the lock only
 * guards the map, and connections are closed outside it.
 */
final class ConnectionPool {

  private final Duration idleTimeout;
  private final int max;
  private final Duration quitTimeout;
  private final Map<String, ArrayDeque<ClientConnection>> idle = new HashMap<>();
  private int size;
  private boolean closed;

  ConnectionPool(Duration idleTimeout, int max, Duration quitTimeout) {
    this.idleTimeout = idleTimeout;
    this.max = max;
    this.quitTimeout = quitTimeout;
  }

  /** A live idle connection for {@code key}, or null. */
  ClientConnection take(String key) {
    List<ClientConnection> stale = new ArrayList<>();
    ClientConnection found = null;
    long now = System.nanoTime();
    synchronized (this) {
      ArrayDeque<ClientConnection> q = idle.get(key);
      while (q != null && !q.isEmpty()) {
        ClientConnection c = q.pollLast();
        size--;
        if (c.usable() && now - c.idleSince() < idleTimeout.toNanos()) {
          found = c;
          break;
        }
        stale.add(c);
      }
      if (q != null && q.isEmpty()) {
        idle.remove(key);
      }
    }
    stale.forEach(ClientConnection::close);
    return found;
  }

  /** Keeps {@code c} for reuse, or closes it when reuse is off or the pool is full. */
  void give(String key, ClientConnection c) {
    if (!c.usable()) {
      c.close();
      return;
    }
    c.idleSince(System.nanoTime());
    synchronized (this) {
      if (!closed && !idleTimeout.isZero() && size < max) {
        idle.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(c);
        size++;
        return;
      }
    }
    c.quit(quitTimeout);
  }

  /**
   * Closes connections idle for longer than the idle timeout (RFC 5321 §4.5.3.2.7 courtesy QUIT).
   */
  void reap() {
    List<ClientConnection> stale = new ArrayList<>();
    long now = System.nanoTime();
    synchronized (this) {
      for (Iterator<ArrayDeque<ClientConnection>> it = idle.values().iterator(); it.hasNext(); ) {
        ArrayDeque<ClientConnection> q = it.next();
        for (Iterator<ClientConnection> ci = q.iterator(); ci.hasNext(); ) {
          ClientConnection c = ci.next();
          if (!c.usable() || now - c.idleSince() >= idleTimeout.toNanos()) {
            ci.remove();
            size--;
            stale.add(c);
          }
        }
        if (q.isEmpty()) {
          it.remove();
        }
      }
    }
    stale.forEach(c -> c.quit(quitTimeout));
  }

  synchronized int size() {
    return size;
  }

  /** Sends QUIT on every idle connection and closes it; later {@link #give}s close at once. */
  void close() {
    List<ClientConnection> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      idle.values().forEach(all::addAll);
      idle.clear();
      size = 0;
    }
    all.forEach(c -> c.quit(quitTimeout));
  }
}
