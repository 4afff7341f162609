package org.carbonio.imap.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

/** Thread-safe: accepts connections and runs one virtual thread per connection. */
public final class ImapListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ImapListener.class);

  private final ServerSocket server;
  private final ExecutorService connections =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("imap-", 0).factory());
  private final Set<ImapConnection> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong ids = new AtomicLong();
  private final Thread acceptor;

  private final SSLContext ssl;
  private final boolean implicitTls;
  private final ImapLimits limits;
  private final SessionOptions options;
  private final ImapAuthenticator authenticator;
  private final MailboxBackend backend;

  private ImapListener(
      ServerSocket server,
      SSLContext ssl,
      boolean implicitTls,
      ImapLimits limits,
      SessionOptions options,
      ImapAuthenticator authenticator,
      MailboxBackend backend) {
    this.server = server;
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
      MailboxBackend backend)
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
        new ImapListener(server, ssl, implicitTls, limits, options, authenticator, backend);
    l.acceptor.start();
    log.info(
        "IMAP listening on {}{}",
        server.getLocalSocketAddress(),
        implicitTls ? " (implicit TLS)" : "");
    return l;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  private void acceptLoop() {
    while (!closed.get()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (!closed.get()) log.warn("IMAP accept failed", e);
        if (server.isClosed()) return;
        continue;
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
    closeQuietly(server);
    for (ImapConnection c : open) c.abort();
    connections.shutdown();
    try {
      if (!connections.awaitTermination(5, TimeUnit.SECONDS)) connections.shutdownNow();
      acceptor.join(TimeUnit.SECONDS.toMillis(5));
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
