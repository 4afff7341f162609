package org.carbonio.smtp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import org.carbonio.smtp.protocol.Decoded;
import org.carbonio.smtp.protocol.Outcome;
import org.carbonio.smtp.protocol.ReplyEncoder;
import org.carbonio.smtp.protocol.SmtpDecoder;
import org.carbonio.smtp.protocol.SmtpReply;
import org.carbonio.smtp.protocol.SmtpSession;
import org.carbonio.smtp.protocol.SmtpSessionConfig;
import org.carbonio.smtp.spi.SessionInfo;
import org.carbonio.transport.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The SMTP side of one connection: reads into a buffer, drives decoder and session, writes replies,
 * starts TLS. Runs on the connection's virtual thread; the socket, the accept loop, the write
 * watchdog and implicit TLS belong to the {@link Connection}'s listener. Not thread-safe, except
 * the graceful shutdown it registers with {@link Connection#onShutdown}, which the listener runs
 * from another thread.
 *
 * <p>The connection holds {@link #lock} while it works and releases it only while blocked in a
 * read, so that shutdown can tell an idle connection (lock free: say 421 and close) from a busy one
 * (it will see {@link Connection#closing()} at its next read).
 */
public final class SmtpConnection {

  private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);
  // Commands are read into a small buffer, message bytes into a large one, allocated when DATA or
  // BDAT starts and dropped once the message is read: an idle session holds 1 KiB, not 16
  // (BENCHMARKS.md, "1,000 SMTP sessions").
  private static final int COMMAND_BUFFER = 1024;
  private static final int DATA_BUFFER = 16 * 1024;

  private final String id;
  private final Connection connection;
  private final SmtpSessionConfig config;
  private final SSLContext sslContext;
  private final ReentrantLock lock = new ReentrantLock();
  private final InputStream in;
  private final OutputStream out;
  private volatile SmtpSession session;
  private SmtpDecoder decoder;
  private ByteBuffer buffer; // read mode between fills

  /**
   * @param id session id, also the MDC key {@code session}
   * @param connection the accepted connection, TLS already started when implicit
   * @param config the listener's session configuration
   * @param sslContext for STARTTLS, or null
   */
  public SmtpConnection(
      String id, Connection connection, SmtpSessionConfig config, SSLContext sslContext) {
    this.id = id;
    this.connection = connection;
    this.config = config;
    this.sslContext = sslContext;
    this.in = connection.input();
    this.out = connection.output();
  }

  /** Serves the connection until it ends; the listener closes the socket afterwards. */
  @SuppressWarnings("try")
  public void run() {
    String proto = config.mode().name().toLowerCase(Locale.ROOT);
    // STYLE §8: MDC keys on the connection thread; "try" lint: the resources are only closed
    try (MDC.MDCCloseable s = MDC.putCloseable("session", id);
        MDC.MDCCloseable p = MDC.putCloseable("proto", proto)) {
      lock.lock();
      connection.onShutdown(this::shutdown);
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
        connection.close();
        lock.unlock();
        log.debug("closed");
      }
    }
  }

  private void serve() throws IOException {
    InetSocketAddress remote = connection.remote();
    InetSocketAddress local = connection.local();
    log.debug("connection from {}", remote);
    String remoteHost =
        remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
    session =
        new SmtpSession(
            config, new SessionInfo(id, remote, local, remoteHost, "", false, connection.tls()));
    decoder = new SmtpDecoder(config.limits(), config.compliance());
    if (!apply(session.greeting())) {
      return;
    }
    buffer = ByteBuffer.allocate(COMMAND_BUFFER).flip();
    while (true) {
      Decoded decoded = decoder.decode(buffer);
      Outcome outcome;
      switch (decoded) {
        case Decoded.NeedMore n -> {
          if (!fill()) {
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
        case Decoded.ChunkEnd e -> {
          outcome = session.endChunk(e);
          log.debug("C: end of chunk ({} bytes) S: {}", e.bytes(), codes(outcome));
        }
        case Decoded.AuthResponse r -> {
          outcome = session.authResponse(r);
          log.debug("C: (SASL response) S: {}", codes(outcome)); // STYLE §8: never credentials
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
      case AUTH_RESPONSE -> {
        decoder.startAuthResponse();
        return true;
      }
      case START_TLS -> {
        connection.startTls(sslContext);
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

  /** Flushes, then reads more input with the lock released; false when the connection must end. */
  private boolean fill() throws IOException {
    out.flush(); // RFC 2920 §3.2: replies may wait until the server would block on a read
    if (connection.closing()) {
      apply(session.shuttingDown());
      return false;
    }
    buffer.compact();
    resizeBuffer();
    connection
        .socket()
        .setSoTimeout(
            (int)
                (decoder.inData() ? config.limits().dataTimeout() : config.limits().idleTimeout())
                    .toMillis());
    int n;
    lock.unlock();
    try {
      n = in.read(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
    } catch (SocketTimeoutException e) {
      lock.lock();
      if (!connection.socket().isClosed()) {
        log.debug("timeout");
        apply(session.timeout());
      }
      return false;
    } catch (IOException | RuntimeException e) {
      lock.lock();
      throw e;
    }
    lock.lock();
    if (n < 0 || connection.socket().isClosed()) {
      return false;
    }
    buffer.position(buffer.position() + n);
    buffer.flip();
    return true;
  }

  /** Between reads (write mode): a large buffer while message bytes come, a small one otherwise. */
  private void resizeBuffer() {
    int wanted = decoder.inData() ? DATA_BUFFER : COMMAND_BUFFER;
    if (!buffer.hasRemaining()) { // not expected: the decoder uses up what it is given
      wanted = Math.max(wanted, buffer.capacity() * 2);
    }
    if (buffer.capacity() != wanted && buffer.position() < wanted) {
      buffer = ByteBuffer.allocate(wanted).put(buffer.flip());
    }
  }

  /**
   * Stops this connection for a server shutdown, from the closing thread: if the connection is idle
   * in a read it gets {@code 421 4.3.2} and is closed, else nothing happens (it notices at its next
   * read). The listener aborts connections still open after its shutdown timeout.
   */
  private void shutdown() {
    if (lock.tryLock()) {
      try {
        SmtpSession s = session;
        if (s != null && s.state() != SmtpSession.State.CLOSED && !connection.socket().isClosed()) {
          apply(s.shuttingDown());
        }
      } catch (IOException e) {
        log.debug("could not send 421: {}", e.toString());
      } finally {
        connection.close();
        lock.unlock();
      }
    }
  }
}
