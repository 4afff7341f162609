package org.carbonio.transport;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.carbonio.transport.internal.AcceptFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP server socket with its accept loop, one virtual thread per connection, a connection limit
 * and a write watchdog. Thread-safe.
 *
 * {@snippet :
 * var config = new TcpListener.Config(
 *     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo", 100,
 *     Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofSeconds(5), Optional.empty(), "");
 * try (TcpListener echo = TcpListener.start(config, c -> c.input().transferTo(c.output()))) {
 *   int port = echo.localAddress().getPort();
 * }
 * }
 *
 * <p>When {@code accept()} fails while the listener is open (a process out of file descriptors),
 * the loop logs once per burst of failures and retries every 100 ms. Above {@link
 * Config#maxConnections()} a new connection gets {@link Config#refusal()} and is closed. A watchdog
 * thread, one per listener, {@linkplain Connection#abort() resets} every connection whose current
 * write has been blocked longer than {@link Config#writeTimeout()}.
 *
 * <p>{@link #close()} is idempotent: it stops accepting, runs each connection's {@linkplain
 * Connection#onShutdown shutdown action}, waits up to {@link Config#shutdownTimeout()} for the
 * connections to end, then aborts the rest, interrupts their threads and waits that long again.
 */
public final class TcpListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TcpListener.class);

  /**
   * How a listener runs. Immutable.
   *
   * @param bind the address to listen on; port 0 picks a free port
   * @param threadNamePrefix names the threads: {@code prefix-N} per connection, {@code
   *     prefix-acceptor}, {@code prefix-watchdog}; also prefixes log lines
   * @param maxConnections connections served at once, at least 1; more are refused
   * @param readTimeout the initial socket read timeout of each connection (the handler may change
   *     it through {@link Connection#socket()}); also bounds the implicit TLS handshake
   * @param writeTimeout how long one socket write may block before the connection is reset
   * @param shutdownTimeout how long {@link #close()} waits for connections, twice at most
   * @param implicitTls present to run TLS from the first byte (RFC 8314 §3.3)
   * @param refusal US-ASCII text sent to a connection refused over {@code maxConnections} before it
   *     is closed, without TLS; empty to just close
   */
  public record Config(
      InetSocketAddress bind,
      String threadNamePrefix,
      int maxConnections,
      Duration readTimeout,
      Duration writeTimeout,
      Duration shutdownTimeout,
      Optional<SSLContext> implicitTls,
      String refusal) {

    /** Validates. */
    public Config {
      requireNonNull(bind, "bind");
      requireNonNull(threadNamePrefix, "threadNamePrefix");
      requireNonNull(implicitTls, "implicitTls");
      requireNonNull(refusal, "refusal");
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections " + maxConnections + " < 1");
      }
      positive("readTimeout", readTimeout);
      positive("writeTimeout", writeTimeout);
      requireNonNull(shutdownTimeout, "shutdownTimeout");
      if (shutdownTimeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout " + shutdownTimeout + " < 0");
      }
    }

    private static void positive(String name, Duration d) {
      requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " " + d + " <= 0");
      }
    }
  }

  private final Config config;
  private final ConnectionHandler handler;
  private final ServerSocket serverSocket;
  private final ExecutorService connections;
  private final ScheduledExecutorService watchdog;
  private final Semaphore permits;
  private final Set<Connection> live = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final AtomicLong ids = new AtomicLong();
  private final Thread acceptor;

  private TcpListener(Config config, ConnectionHandler handler, ServerSocket serverSocket) {
    this.config = config;
    this.handler = handler;
    this.serverSocket = serverSocket;
    String prefix = config.threadNamePrefix();
    this.connections =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(prefix + "-", 0).factory());
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name(prefix + "-watchdog").daemon(true).factory());
    this.permits = new Semaphore(config.maxConnections());
    this.acceptor = Thread.ofVirtual().name(prefix + "-acceptor").unstarted(this::acceptLoop);
  }

  /**
   * Binds {@link Config#bind()} and starts accepting.
   *
   * @throws IOException when the address cannot be bound
   */
  public static TcpListener start(Config config, ConnectionHandler handler) throws IOException {
    requireNonNull(config, "config");
    requireNonNull(handler, "handler");
    ServerSocket ss = new ServerSocket();
    try {
      ss.setReuseAddress(true);
      ss.bind(config.bind(), 128);
    } catch (IOException e) {
      ss.close();
      throw e;
    }
    return start(ss, config, handler);
  }

  /** Starts accepting on a bound server socket (tests pass one that fails on purpose). */
  static TcpListener start(ServerSocket bound, Config config, ConnectionHandler handler) {
    TcpListener l = new TcpListener(config, handler, bound);
    long timeout = config.writeTimeout().toNanos();
    long period =
        Math.clamp(timeout / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1));
    l.watchdog.scheduleWithFixedDelay(
        () -> l.abortStalledWriters(timeout), period, period, TimeUnit.NANOSECONDS);
    l.acceptor.start();
    log.debug("{} listening on {}", config.threadNamePrefix(), bound.getLocalSocketAddress());
    return l;
  }

  /** The bound address, with the real port when bound to port 0. */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) serverSocket.getLocalSocketAddress();
  }

  /** The number of connections being served now. */
  public int activeConnections() {
    return live.size();
  }

  /** Watchdog task: Java sockets have no write timeout, so stalled writers are reset here. */
  private void abortStalledWriters(long timeoutNanos) {
    try {
      long now = System.nanoTime();
      for (Connection c : live) {
        c.abortIfWriteStalled(now, timeoutNanos);
      }
    } catch (RuntimeException e) {
      log.warn("write watchdog failed", e); // an escaping exception would cancel the task
    }
  }

  private void acceptLoop() {
    AcceptFailures failures = new AcceptFailures();
    while (!closed.get()) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        switch (failures.failed(closed.get() || serverSocket.isClosed())) {
          case STOP -> {
            return;
          }
          case LOG_AND_RETRY ->
              log.error(
                  "{} accept failed, retrying every {} ms until it succeeds",
                  config.threadNamePrefix(),
                  AcceptFailures.BACKOFF.toMillis(),
                  e);
          case RETRY -> {}
        }
        try {
          // a timed wait that close() ends at once
          stopping.await(AcceptFailures.BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        continue;
      }
      long failed = failures.accepted();
      if (failed > 0) {
        log.warn("{} accept works again after {} failures", config.threadNamePrefix(), failed);
      }
      if (!permits.tryAcquire()) {
        refuse(socket);
        continue;
      }
      Connection c;
      try {
        long id = ids.incrementAndGet();
        c = new Connection(id, config.threadNamePrefix() + "-" + id, socket, closed::get);
      } catch (IOException e) {
        permits.release();
        closeQuietly(socket);
        continue;
      }
      live.add(c);
      try {
        connections.execute(() -> run(c));
      } catch (RejectedExecutionException e) {
        live.remove(c);
        permits.release();
        closeQuietly(socket);
      }
    }
  }

  private void run(Connection c) {
    try {
      Socket s = c.socket();
      s.setTcpNoDelay(true);
      s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, config.readTimeout().toMillis()));
      if (config.implicitTls().isPresent()) {
        c.startTls(config.implicitTls().get());
      }
      handler.serve(c);
    } catch (IOException e) {
      log.debug("{} ended: {}", c, e.toString());
    } catch (RuntimeException e) {
      log.error("{} failed", c, e);
    } finally {
      c.close();
      live.remove(c);
      permits.release();
    }
  }

  private void refuse(Socket socket) {
    log.warn(
        "{} maxConnections {} reached, refusing {}",
        config.threadNamePrefix(),
        config.maxConnections(),
        socket.getRemoteSocketAddress());
    try (socket) {
      if (!config.refusal().isEmpty()) {
        socket.setSoTimeout(1000);
        OutputStream out = socket.getOutputStream();
        out.write(config.refusal().getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } catch (IOException e) {
      log.debug("refusing connection: {}", e.toString());
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.debug("close failed: {}", e.toString());
    }
  }

  /**
   * Stops accepting and ends every connection; idempotent. Returns within about twice {@link
   * Config#shutdownTimeout()}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopping.countDown();
    closeQuietly(serverSocket);
    // Shutdown actions may write (SMTP's 421): run them side by side so that stalled clients cost
    // one write timeout in all, not one each; the connections' executor waits for them below.
    for (Connection c : new ArrayList<>(live)) {
      try {
        connections.execute(c::shutdown);
      } catch (RejectedExecutionException e) {
        c.abort();
      }
    }
    connections.shutdown();
    long timeoutMillis = config.shutdownTimeout().toMillis();
    try {
      if (!connections.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
        List<Connection> busy = new ArrayList<>(live);
        log.warn(
            "{}: {} connections still busy after {}, forcing",
            config.threadNamePrefix(),
            busy.size(),
            config.shutdownTimeout());
        busy.forEach(Connection::abort);
        connections.shutdownNow();
        connections.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
      }
      acceptor.join(Math.max(1, timeoutMillis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      live.forEach(Connection::abort);
      connections.shutdownNow();
    } finally {
      watchdog.shutdownNow();
    }
    log.debug("{} on {} stopped", config.threadNamePrefix(), serverSocket.getLocalSocketAddress());
  }
}
