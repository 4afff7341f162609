package org.carbonio.imap.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.carbonio.imap.ImapLimits;
import org.carbonio.imap.protocol.SessionOptions;
import org.carbonio.imap.spi.ImapAuthenticator;
import org.carbonio.imap.spi.MailboxBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe: accepts connections and runs one virtual thread per connection. A watchdog task
 * closes connections whose current write has been blocked longer than {@link
 * ImapLimits#writeTimeout()}.
 */
public final class ImapListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ImapListener.class);

  /** Pause after a failed accept (e.g. EMFILE) before trying again. */
  static final long ACCEPT_BACKOFF_MILLIS = 100;

  private final ServerSocket server;
  private final ExecutorService connections =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("imap-", 0).factory());
  private final Set<ImapConnection> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final ScheduledExecutorService watchdog =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("imap-write-watchdog").daemon().factory());
  private final AtomicLong ids = new AtomicLong();
  private final Thread acceptor;

  private final SSLContext ssl;
  private final boolean implicitTls;
  private final ImapLimits limits;
  private final SessionOptions options;
  private final ImapAuthenticator authenticator;
  private final MailboxBackend backend;
  private final Path spoolDirectory;

  private ImapListener(
      ServerSocket server,
      SSLContext ssl,
      boolean implicitTls,
      ImapLimits limits,
      SessionOptions options,
      ImapAuthenticator authenticator,
      MailboxBackend backend,
      Path spoolDirectory) {
    this.server = server;
    this.spoolDirectory = spoolDirectory;
    this.ssl = ssl;
    this.implicitTls = implicitTls;
    this.limits = limits;
    this.options = options;
    this.authenticator = authenticator;
    this.backend = backend;
    this.acceptor = Thread.ofVirtual().name("imap-accept").unstarted(this::acceptLoop);
  }

  public static ImapListener start(
      InetSocketAddress bind,
      SSLContext ssl,
      boolean implicitTls,
      ImapLimits limits,
      SessionOptions options,
      ImapAuthenticator authenticator,
      MailboxBackend backend,
      Path spoolDirectory)
      throws IOException {
    ServerSocket server;
    if (implicitTls) {
      server = ssl.getServerSocketFactory().createServerSocket();
      ((SSLServerSocket) server).setUseClientMode(false);
    } else {
      server = new ServerSocket();
    }
    try {
      server.setReuseAddress(true);
      server.bind(bind, 128);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    ImapListener l =
        start(server, ssl, implicitTls, limits, options, authenticator, backend, spoolDirectory);
    log.info(
        "IMAP listening on {}{}",
        server.getLocalSocketAddress(),
        implicitTls ? " (implicit TLS)" : "");
    return l;
  }

  /** Starts accepting on a bound server socket (tests pass one that fails on purpose). */
  static ImapListener start(
      ServerSocket server,
      SSLContext ssl,
      boolean implicitTls,
      ImapLimits limits,
      SessionOptions options,
      ImapAuthenticator authenticator,
      MailboxBackend backend,
      Path spoolDirectory) {
    ImapListener l =
        new ImapListener(
            server, ssl, implicitTls, limits, options, authenticator, backend, spoolDirectory);
    long timeout = limits.writeTimeout().toNanos();
    long period =
        Math.clamp(timeout / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1));
    l.watchdog.scheduleWithFixedDelay(l::checkWrites, period, period, TimeUnit.NANOSECONDS);
    l.acceptor.start();
    return l;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** Connections currently open. */
  public int activeConnections() {
    return open.size();
  }

  private void checkWrites() {
    long now = System.nanoTime();
    long timeout = limits.writeTimeout().toNanos();
    for (ImapConnection c : open) {
      if (c.writeStalled(now, timeout)) {
        log.info("IMAP write blocked longer than {}; closing {}", limits.writeTimeout(), c);
        c.abortStalledWrite();
      }
    }
  }

  private void acceptLoop() {
    boolean failing = false;
    while (!closed.get()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (closed.get() || server.isClosed()) return;
        if (!failing) {
          // once per burst: out of file descriptors fails every accept until some are freed
          log.warn("IMAP accept failed; retrying every {} ms", ACCEPT_BACKOFF_MILLIS, e);
          failing = true;
        }
        try {
          if (closing.await(ACCEPT_BACKOFF_MILLIS, TimeUnit.MILLISECONDS)) return;
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        continue;
      }
      if (failing) {
        log.info("IMAP accept works again");
        failing = false;
      }
      if (open.size() >= limits.maxConnections()) {
        log.warn("IMAP connection limit {} reached; refusing {}", limits.maxConnections(), socket);
        closeQuietly(socket);
        continue;
      }
      ImapConnection c =
          new ImapConnection(
              ids.incrementAndGet(),
              socket,
              ssl,
              implicitTls,
              limits,
              options,
              authenticator,
              backend,
              spoolDirectory,
              open::remove);
      open.add(c);
      try {
        connections.execute(c);
      } catch (RuntimeException e) {
        open.remove(c);
        closeQuietly(socket);
      }
    }
  }

  /** Stops accepting, closes every connection, waits up to 5 s for their threads. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    closing.countDown();
    watchdog.shutdownNow();
    closeQuietly(server);
    for (ImapConnection c : open) c.abort();
    connections.shutdown();
    try {
      if (!connections.awaitTermination(5, TimeUnit.SECONDS)) connections.shutdownNow();
      acceptor.join(TimeUnit.SECONDS.toMillis(5));
      watchdog.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      connections.shutdownNow();
      Thread.currentThread().interrupt();
    }
    log.info("IMAP listener on {} stopped", server.getLocalSocketAddress());
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing is best effort
    }
  }
}
