package org.carbonio.imap.internal.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import org.carbonio.imap.pop3.protocol.Pop3Command;
import org.carbonio.imap.pop3.protocol.Pop3Decoded;
import org.carbonio.imap.pop3.protocol.Pop3Decoder;
import org.carbonio.imap.pop3.protocol.Pop3Encoder;
import org.carbonio.imap.pop3.protocol.Pop3Replies;
import org.carbonio.imap.pop3.protocol.Pop3Reply;
import org.carbonio.imap.pop3.protocol.Pop3Session;
import org.carbonio.transport.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The POP3 side of one connection: bytes into the decoder, commands through the session, replies
 * out. Blocking code on the connection's virtual thread. A {@link ReentrantLock} serialises the
 * output between that thread and the server's shutdown. Thread-safe in that sense only.
 */
public final class Pop3Connection {
  private static final Logger log = LoggerFactory.getLogger(Pop3Connection.class);

  private final Connection connection;
  private final SSLContext ssl;
  private final int maxLineLength;
  private final Pop3Session session;
  private final ReentrantLock lock = new ReentrantLock();
  private Pop3Decoder decoder;

  /**
   * @param connection the accepted connection, TLS already started when implicit
   * @param ssl for STLS, or null
   * @param session a new session for this connection
   */
  public Pop3Connection(
      Connection connection, SSLContext ssl, int maxLineLength, Pop3Session session) {
    this.connection = connection;
    this.ssl = ssl;
    this.maxLineLength = maxLineLength;
    this.session = session;
    this.decoder = new Pop3Decoder(maxLineLength);
    connection.onShutdown(this::shutdown);
  }

  /** Server shutdown, on another thread: a connection waiting for a command is told and closed. */
  private void shutdown() {
    if (!lock.tryLock()) return;
    try {
      write(List.of(Pop3Replies.shuttingDown()));
    } catch (IOException | RuntimeException e) {
      log.debug("shutdown reply failed: {}", e.toString());
    } finally {
      lock.unlock();
    }
    connection.close();
  }

  /** Serves the connection until it ends; the listener closes the socket afterwards. */
  public void run() {
    MDC.put("session", "pop3-" + connection.id());
    MDC.put("proto", "pop3");
    try {
      log.debug("connection from {}", connection.remote());
      serve();
    } catch (SocketTimeoutException e) {
      log.debug("idle timeout");
      tryWrite(Pop3Replies.idleTimeout()); // RFC 1939 §3: autologout, no UPDATE
    } catch (IOException e) {
      log.debug("connection ended: {}", e.toString());
    } catch (RuntimeException e) {
      log.error("POP3 connection failed", e);
    } finally {
      lock.lock();
      try {
        session.close(); // without QUIT nothing is deleted
      } catch (RuntimeException e) {
        log.warn("closing the maildrop failed", e);
      } finally {
        lock.unlock();
      }
      connection.close();
      MDC.remove("session");
      MDC.remove("proto");
      MDC.remove("user");
    }
  }

  private void serve() throws IOException {
    write(List.of(session.greeting()));
    InputStream in = connection.input();
    byte[] buf = new byte[Math.min(16 * 1024, maxLineLength)];
    while (true) {
      int n = in.read(buf);
      if (n < 0) return;
      ByteBuffer bytes = ByteBuffer.wrap(buf, 0, n);
      while (bytes.hasRemaining()) {
        Pop3Decoded d = decoder.decode(bytes);
        switch (d) {
          case Pop3Decoded.NeedMore m -> {}
          case Pop3Decoded.TooLong t -> write(session.lineTooLong());
          case Pop3Decoded.Command c -> execute(c.command());
        }
        switch (session.mode()) {
          case CLOSED -> {
            return;
          }
          case START_TLS -> {
            // RFC 2595 §4 / RFC 3207 §4.2: bytes pipelined after STLS are discarded
            connection.startTls(ssl);
            decoder = new Pop3Decoder(maxLineLength);
            session.tlsStarted();
            bytes.position(bytes.limit());
          }
          case SASL -> decoder.expectSaslResponse();
          default -> {}
        }
      }
      // pipelined replies go out together once the input read so far is handled (RFC 2449 §6.6)
      flush();
    }
  }

  private void execute(Pop3Command command) throws IOException {
    log.debug("C: {}", command);
    lock.lock();
    try {
      OutputStream out = connection.output();
      try {
        session.handle(
            command,
            r -> {
              try {
                if (log.isTraceEnabled() && !(r instanceof Pop3Reply.Content)) {
                  log.trace("S: {}", Pop3Encoder.toString(r).strip());
                }
                Pop3Encoder.encode(r, out);
              } catch (IOException e) {
                throw new WriteFailure(e);
              }
            });
      } catch (WriteFailure e) {
        throw e.getCause();
      } catch (RuntimeException e) {
        log.warn("command {} failed", command.getClass().getSimpleName(), e);
        Pop3Encoder.encode(Pop3Replies.serverError(), out);
      }
      if (session.user() != null) MDC.put("user", session.user());
      if (session.mode() != Pop3Session.Mode.TRANSACTION
          && session.mode() != Pop3Session.Mode.AUTHORIZATION) {
        out.flush(); // the client waits for this reply before sending more
      }
    } finally {
      lock.unlock();
    }
  }

  private void flush() throws IOException {
    lock.lock();
    try {
      connection.output().flush();
    } finally {
      lock.unlock();
    }
  }

  private void write(List<Pop3Reply> replies) throws IOException {
    lock.lock();
    try {
      OutputStream out = connection.output();
      for (Pop3Reply r : replies) Pop3Encoder.encode(r, out);
      out.flush();
    } finally {
      lock.unlock();
    }
  }

  private void tryWrite(Pop3Reply r) {
    try {
      write(List.of(r));
    } catch (IOException | RuntimeException e) {
      // the peer is gone
    }
  }

  /** Carries an {@link IOException} out of the session's reply consumer. */
  private static final class WriteFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WriteFailure(IOException cause) {
      super(cause.getMessage(), cause, false, false);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }
}
