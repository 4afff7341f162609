package org.carbonio.smtp.internal;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.carbonio.smtp.protocol.Decoded;
import org.carbonio.smtp.protocol.Outcome;
import org.carbonio.smtp.protocol.ReplyEncoder;
import org.carbonio.smtp.protocol.SmtpDecoder;
import org.carbonio.smtp.protocol.SmtpReply;
import org.carbonio.smtp.protocol.SmtpSession;
import org.carbonio.smtp.protocol.SmtpSessionConfig;
import org.carbonio.smtp.spi.SessionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The blocking transport of one connection: reads into a buffer, drives decoder and session, writes
 * replies, runs TLS. Runs on its own virtual thread. Not thread-safe, except {@link
 * #shutdown(boolean)}, which the server calls from another thread.
 *
 * <p>The connection holds {@link #lock} while it works and releases it only while blocked in a
 * read, so {@code shutdown} can tell an idle connection (lock free: say 421 and close) from a busy
 * one (it will see the closing flag at its next read).
 *
 * <p>Reads are bounded by the socket timeout; writes are not (Java sockets have no write timeout),
 * so every write to the socket records its start in {@link #writeStartedNanos} and the server's
 * watchdog calls {@link #closeIfWriteStalled} to close the socket of a client that stopped reading.
 */
public final class SmtpConnection implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);
  private static final int READ_BUFFER = 16 * 1024;
  private static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final String id;
  private final SmtpSessionConfig config;
  private final SSLContext sslContext;
  private final boolean implicitTls;
  private final BooleanSupplier serverClosing;
  private final Runnable onExit;
  private final ReentrantLock lock = new ReentrantLock();

  /** The accepted TCP socket; closing it unblocks any read or write, also one through TLS. */
  private final Socket raw;

  private volatile Socket socket;

  /** {@link System#nanoTime()} when the current socket write started, 0 when not writing. */
  private volatile long writeStartedNanos;

  private volatile boolean stalled;
  private InputStream in;
  private OutputStream out;
  private SmtpSession session;
  private SmtpDecoder decoder;

  /**
   * @param id session id, also the MDC key {@code session}
   * @param socket the accepted socket; this connection closes it
   * @param config the listener's session configuration
   * @param sslContext for STARTTLS or implicit TLS, or null
   * @param implicitTls true to handshake before the greeting
   * @param serverClosing true once the server stops
   * @param onExit called once when the connection ends
   */
  public SmtpConnection(
      String id,
      Socket socket,
      SmtpSessionConfig config,
      SSLContext sslContext,
      boolean implicitTls,
      BooleanSupplier serverClosing,
      Runnable onExit) {
    this.id = id;
    this.raw = socket;
    this.socket = socket;
    this.config = config;
    this.sslContext = sslContext;
    this.implicitTls = implicitTls;
    this.serverClosing = serverClosing;
    this.onExit = onExit;
  }

  @Override
  @SuppressWarnings("try")
  public void run() {
    String proto = config.mode().name().toLowerCase(Locale.ROOT);
    // STYLE §8: MDC keys on the connection thread; "try" lint: the resources are only closed
    try (MDC.MDCCloseable s = MDC.putCloseable("session", id);
        MDC.MDCCloseable p = MDC.putCloseable("proto", proto)) {
      lock.lock();
      try {
        serve();
      } catch (IOException e) {
        log.debug("connection ended: {}", e.toString());
      } catch (RuntimeException e) {
        log.error("connection failed", e);
      } finally {
        if (session != null) {
          session.close();
        }
        closeSocket();
        lock.unlock();
        onExit.run();
        log.debug("closed");
      }
    }
  }

  private void serve() throws IOException {
    Socket s = socket;
    log.debug("connection from {}", s.getRemoteSocketAddress());
    s.setTcpNoDelay(true);
    s.setSoTimeout((int) config.limits().idleTimeout().toMillis());
    if (implicitTls) {
      startTls();
    } else {
      in = s.getInputStream();
      out = new BufferedOutputStream(new TimedOutputStream(s.getOutputStream()), 8192);
    }
    InetSocketAddress remote = (InetSocketAddress) s.getRemoteSocketAddress();
    InetSocketAddress local = (InetSocketAddress) s.getLocalSocketAddress();
    String remoteHost =
        remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
    session =
        new SmtpSession(
            config, new SessionInfo(id, remote, local, remoteHost, "", false, implicitTls));
    decoder = new SmtpDecoder(config.limits(), config.compliance());
    if (!apply(session.greeting())) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER).flip();
    while (true) {
      Decoded decoded = decoder.decode(buffer);
      Outcome outcome;
      switch (decoded) {
        case Decoded.NeedMore n -> {
          if (!fill(buffer)) {
            return;
          }
          continue;
        }
        case Decoded.Command c -> {
          outcome = session.handle(c.command());
          if (log.isDebugEnabled()) {
            log.debug("C: {} S: {}", c.command(), codes(outcome));
          }
        }
        case Decoded.Bad b -> {
          outcome = session.handleBad(b);
          log.debug("C: bad line S: {}", codes(outcome));
        }
        case Decoded.DataChunk d -> {
          session.data(d.bytes());
          continue;
        }
        case Decoded.DataEnd e -> {
          outcome = session.endData(e);
          log.debug("C: end of data ({} bytes) S: {}", e.bytes(), codes(outcome));
        }
      }
      if (!apply(outcome)) {
        return;
      }
    }
  }

  private static String codes(Outcome o) {
    StringBuilder sb = new StringBuilder();
    for (SmtpReply r : o.replies()) {
      sb.append(r.code()).append(' ');
    }
    return sb.append(o.action()).toString();
  }

  /** Sends the replies and performs the action; false when the connection must end. */
  private boolean apply(Outcome outcome) throws IOException {
    for (SmtpReply reply : outcome.replies()) {
      out.write(ReplyEncoder.encode(reply));
    }
    switch (outcome.action()) {
      case CONTINUE -> {
        return true;
      }
      case START_DATA -> {
        decoder.startData();
        return true;
      }
      case START_TLS -> {
        out.flush();
        startTls();
        decoder = new SmtpDecoder(config.limits(), config.compliance());
        session.tlsStarted();
        return true;
      }
      case CLOSE -> {
        out.flush();
        return false;
      }
    }
    return false;
  }

  private void startTls() throws IOException {
    Socket plain = socket;
    SSLSocket tls =
        (SSLSocket)
            sslContext
                .getSocketFactory()
                .createSocket(
                    plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
    tls.setUseClientMode(false);
    String[] enabled =
        Arrays.stream(tls.getSupportedProtocols())
            .filter(p -> Arrays.asList(TLS_PROTOCOLS).contains(p))
            .toArray(String[]::new);
    tls.setEnabledProtocols(enabled);
    tls.setSoTimeout((int) config.limits().idleTimeout().toMillis());
    socket = tls;
    tls.startHandshake();
    log.debug(
        "TLS started: {} {}", tls.getSession().getProtocol(), tls.getSession().getCipherSuite());
    in = tls.getInputStream();
    out = new BufferedOutputStream(new TimedOutputStream(tls.getOutputStream()), 8192);
  }

  /** Flushes, then reads more input with the lock released; false when the connection must end. */
  private boolean fill(ByteBuffer buffer) throws IOException {
    out.flush(); // RFC 2920 §3.2: replies may wait until the server would block on a read
    if (serverClosing.getAsBoolean()) {
      apply(session.shuttingDown());
      return false;
    }
    buffer.compact();
    socket.setSoTimeout(
        (int)
            (decoder.inData() ? config.limits().dataTimeout() : config.limits().idleTimeout())
                .toMillis());
    int n;
    lock.unlock();
    try {
      n = in.read(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
    } catch (SocketTimeoutException e) {
      lock.lock();
      if (!socket.isClosed()) {
        log.debug("timeout");
        apply(session.timeout());
      }
      return false;
    } catch (IOException | RuntimeException e) {
      lock.lock();
      throw e;
    }
    lock.lock();
    if (n < 0 || socket.isClosed()) {
      return false;
    }
    buffer.position(buffer.position() + n);
    buffer.flip();
    return true;
  }

  /**
   * Stops this connection for a server shutdown. Graceful: if the connection is idle in a read it
   * gets {@code 421 4.3.2} and is closed, else nothing happens (it notices at its next read).
   * Forced: the socket is closed at once.
   */
  public void shutdown(boolean force) {
    if (force) {
      // the TCP socket, not the TLS one: SSLSocket.close() may wait for a blocked writer
      closeRaw();
      return;
    }
    if (lock.tryLock()) {
      try {
        if (session != null && session.state() != SmtpSession.State.CLOSED && !socket.isClosed()) {
          apply(session.shuttingDown());
        }
      } catch (IOException e) {
        log.debug("could not send 421: {}", e.toString());
      } finally {
        closeSocket();
        lock.unlock();
      }
    }
  }

  /**
   * Closes the socket when the current write started more than {@code timeoutNanos} before {@code
   * nowNanos}; called by the server's watchdog thread. The connection thread then fails in its
   * write and ends.
   *
   * @return true when the socket was closed by this call
   */
  public boolean closeIfWriteStalled(long nowNanos, long timeoutNanos) {
    long started = writeStartedNanos;
    if (started == 0 || nowNanos - started <= timeoutNanos || stalled) {
      return false;
    }
    stalled = true;
    log.warn(
        "session {}: client {} has not read replies for {} ms, closing",
        id,
        raw.getRemoteSocketAddress(),
        (nowNanos - started) / 1_000_000);
    closeRaw();
    return true;
  }

  private void closeRaw() {
    try {
      raw.close();
    } catch (IOException e) {
      log.debug("close failed: {}", e.toString());
    }
  }

  /** Records the start of every write to the socket for {@link #closeIfWriteStalled}. */
  private final class TimedOutputStream extends FilterOutputStream {

    TimedOutputStream(OutputStream out) {
      super(out);
    }

    private void begin() {
      long now = System.nanoTime();
      writeStartedNanos = now == 0 ? 1 : now; // 0 means "not writing"
    }

    @Override
    public void write(int b) throws IOException {
      begin();
      try {
        out.write(b);
      } finally {
        writeStartedNanos = 0;
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      begin();
      try {
        out.write(b, off, len);
      } finally {
        writeStartedNanos = 0;
      }
    }

    @Override
    public void flush() throws IOException {
      begin();
      try {
        out.flush();
      } finally {
        writeStartedNanos = 0;
      }
    }
  }

  private void closeSocket() {
    try {
      socket.close();
    } catch (IOException e) {
      log.debug("close failed: {}", e.toString());
    }
  }
}
