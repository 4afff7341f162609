package org.carbonio.imap.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.carbonio.transport.ConnectionHandler;
import org.carbonio.transport.TcpListener;
import org.slf4j.Logger;

/**
 * The listener lifecycle {@code ImapServer} and {@code Pop3Server} share over {@link TcpListener}:
 * start once, the bound address, the open connections, an idempotent close, and their INFO lines.
 *
 * <p>Thread-safe. Once closed it cannot be started.
 */
public final class ListenerSupport implements AutoCloseable {
  /** How long {@link #close()} waits for connections before forcing them, twice at most. */
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  /** Prepares a server's connection handler at start, under the start lock. */
  @FunctionalInterface
  public interface HandlerFactory {
    /**
     * @throws IOException when the server cannot start, e.g. a missing spool directory
     */
    ConnectionHandler handler() throws IOException;
  }

  /**
   * What one listener needs besides the shared settings. Immutable.
   *
   * @param maxConnections connections served at once; more are refused
   * @param idleTimeout the initial socket read timeout of each connection
   * @param writeTimeout how long one socket write may block
   * @param refusal text sent to a connection over {@code maxConnections}, empty to just close
   */
  public record Limits(
      int maxConnections, Duration idleTimeout, Duration writeTimeout, String refusal) {}

  private final String protocol;
  private final Logger log;
  private final ReentrantLock lock = new ReentrantLock();
  private TcpListener listener;
  private boolean closed;

  /**
   * @param protocol the protocol's name in log lines ({@code IMAP}); in lower case it names the
   *     connection threads
   * @param log the server's logger, for its INFO lines on start and stop
   */
  public ListenerSupport(String protocol, Logger log) {
    this.protocol = protocol;
    this.log = log;
  }

  /**
   * Binds where {@code settings} say (with implicit TLS if they say so) and starts accepting.
   *
   * @throws IllegalStateException when already started or closed
   */
  public void start(ListenerSettings settings, Limits limits, HandlerFactory handlers)
      throws IOException {
    lock.lock();
    try {
      if (listener != null || closed) throw new IllegalStateException("already started");
      ConnectionHandler handler = handlers.handler();
      listener =
          TcpListener.start(
              new TcpListener.Config(
                  settings.bind,
                  protocol.toLowerCase(Locale.ROOT),
                  limits.maxConnections(),
                  limits.idleTimeout(),
                  limits.writeTimeout(),
                  SHUTDOWN_TIMEOUT,
                  settings.implicitTls ? Optional.of(settings.sslContext) : Optional.empty(),
                  limits.refusal()),
              handler);
      log.info(
          "{} listening on {}{}",
          protocol,
          listener.localAddress(),
          settings.implicitTls ? " (implicit TLS)" : "");
    } finally {
      lock.unlock();
    }
  }

  /**
   * The bound address (with the real port when bound to port 0).
   *
   * @throws IllegalStateException before {@link #start}
   */
  public InetSocketAddress localAddress() {
    lock.lock();
    try {
      if (listener == null) throw new IllegalStateException("not started");
      return listener.localAddress();
    } finally {
      lock.unlock();
    }
  }

  /** Connections currently open (0 before start and after close). */
  public int activeConnections() {
    lock.lock();
    try {
      return listener == null ? 0 : listener.activeConnections();
    } finally {
      lock.unlock();
    }
  }

  /** Stops accepting and closes every connection within a bounded time; idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (listener != null && !closed) {
        listener.close();
        log.info("{} listener on {} stopped", protocol, listener.localAddress());
      }
      closed = true;
    } finally {
      lock.unlock();
    }
  }
}
