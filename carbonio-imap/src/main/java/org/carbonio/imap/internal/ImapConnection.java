package org.carbonio.imap.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import org.carbonio.imap.ImapLimits;
import org.carbonio.imap.protocol.Decoded;
import org.carbonio.imap.protocol.ImapCommand;
import org.carbonio.imap.protocol.ImapDecoder;
import org.carbonio.imap.protocol.ImapEncoder;
import org.carbonio.imap.protocol.ImapResponse;
import org.carbonio.imap.protocol.ImapSession;
import org.carbonio.imap.protocol.SessionOptions;
import org.carbonio.imap.spi.ImapAuthenticator;
import org.carbonio.imap.spi.MailboxBackend;
import org.carbonio.transport.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The IMAP side of one connection: reads bytes into the decoder, runs commands through the session,
 * writes responses. Blocking code on the connection's virtual thread; the socket, the accept loop,
 * the write watchdog and implicit TLS belong to the {@link Connection}'s listener. A {@link
 * ReentrantLock} serialises the session and the output between that thread and IDLE pushes.
 * Thread-safe in that sense only.
 */
public final class ImapConnection {
  private static final Logger log = LoggerFactory.getLogger(ImapConnection.class);
  private static final byte[] CONTINUE =
      "+ Ready for literal data\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Connection connection;
  private final Path spoolDirectory;
  private final SSLContext ssl;
  private final ImapLimits limits;
  private final ImapSession session;
  private final ReentrantLock lock = new ReentrantLock();
  private final PushScheduler pusher;
  private InputStream in;
  private OutputStream out;
  private Compression compression;
  private ImapDecoder decoder;

  /**
   * @param connection the accepted connection, TLS already started when implicit
   * @param ssl for STARTTLS, or null
   */
  public ImapConnection(
      Connection connection,
      SSLContext ssl,
      ImapLimits limits,
      SessionOptions options,
      ImapAuthenticator authenticator,
      MailboxBackend backend,
      Path spoolDirectory) {
    this.connection = connection;
    this.spoolDirectory = spoolDirectory;
    this.ssl = ssl;
    this.limits = limits;
    this.in = connection.input();
    this.out = connection.output();
    this.session =
        new ImapSession(options, authenticator, backend, connection.remote(), connection.tls());
    long id = connection.id();
    this.pusher =
        new PushScheduler(
            lock, r -> Thread.ofVirtual().name("imap-idle-" + id).start(r), this::pushUpdates);
    this.session.setChangeListener(pusher::schedule);
    this.decoder = newDecoder();
    connection.onShutdown(this::shutdown);
  }

  /**
   * Server shutdown, on another thread: a connection waiting for the client (lock free) gets {@code
   * * BYE} (RFC 3501 §7.1.5) and is closed; one running a command finishes it, and the listener
   * forces it after its shutdown timeout.
   */
  private void shutdown() {
    if (!lock.tryLock()) {
      return;
    }
    try {
      writeLocked(
          List.of(
              new ImapResponse.Untagged(ImapResponse.Status.BYE, null, "Server shutting down")));
    } catch (IOException | RuntimeException e) {
      log.debug("BYE at shutdown failed: {}", e.toString());
    } finally {
      lock.unlock();
    }
    connection.close();
  }

  private ImapDecoder newDecoder() {
    return new ImapDecoder(
        limits.decoderLimits(),
        new SpoolingSinkFactory(limits.spoolThreshold(), spoolDirectory),
        session::acceptLiteral);
  }

  @Override
  public String toString() {
    return connection.toString();
  }

  /** Serves the connection until it ends; the listener closes the socket afterwards. */
  public void run() {
    MDC.put("session", "imap-" + connection.id());
    MDC.put("proto", "imap");
    try {
      log.debug("connection from {}", connection.remote());
      serve();
    } catch (SocketTimeoutException e) {
      log.debug("idle timeout");
      tryWrite(
          new ImapResponse.Untagged(ImapResponse.Status.BYE, null, "Autologout; idle too long"));
    } catch (IOException e) {
      log.debug("connection ended: {}", e.toString());
    } catch (RuntimeException e) {
      log.error("IMAP connection failed", e);
    } finally {
      lock.lock();
      try {
        session.close();
      } catch (RuntimeException e) {
        log.warn("closing mailboxes failed", e);
      } finally {
        lock.unlock();
      }
      decoder.close();
      connection.close();
      if (compression != null) compression.close();
      MDC.remove("session");
      MDC.remove("proto");
      MDC.remove("user");
    }
  }

  private void serve() throws IOException {
    write(List.of(session.greeting()));
    byte[] buf = new byte[16 * 1024];
    while (true) {
      int n = in.read(buf);
      if (n < 0) return;
      ByteBuffer bytes = ByteBuffer.wrap(buf, 0, n);
      while (true) {
        Decoded d = decoder.decode(bytes);
        boolean more =
            switch (d) {
              case Decoded.NeedMore m -> false;
              case Decoded.NeedLiteral l -> {
                write(CONTINUE);
                yield true;
              }
              case Decoded.Bad b -> {
                log.debug("BAD {}: {}", b.tag(), b.text());
                write(List.of(badOf(b)));
                yield true;
              }
              case Decoded.TooBig t -> {
                log.debug("TOOBIG {}: {}", t.tag(), t.text());
                write(
                    List.of(
                        new ImapResponse.Tagged(
                            t.tag(), ImapResponse.Status.NO, "TOOBIG", t.text())));
                yield true;
              }
              case Decoded.Command c -> execute(c.command());
            };
        if (!more) break;
        if (session.mode() == ImapSession.Mode.LOGOUT) return;
        if (session.mode() == ImapSession.Mode.START_TLS) {
          startTls(); // RFC 3501 §6.2.1: bytes after STARTTLS are discarded, not executed
          break;
        }
        if (session.mode() == ImapSession.Mode.COMPRESS) {
          // RFC 4978 §3: compressed bytes start right after the command's CRLF; what is left in
          // the buffer is already compressed and goes through the inflater first
          lock.lock();
          try {
            compression = Compression.start(in, out, bytes);
            in = compression.input();
            out = compression.output();
            session.compressionStarted();
          } finally {
            lock.unlock();
          }
          break;
        }
      }
      if (session.mode() == ImapSession.Mode.LOGOUT) return;
    }
  }

  private static ImapResponse badOf(Decoded.Bad b) {
    if (b.tag().equals("*"))
      return new ImapResponse.Untagged(ImapResponse.Status.BAD, null, b.text());
    return new ImapResponse.Tagged(b.tag(), ImapResponse.Status.BAD, null, b.text());
  }

  /** Runs a command; returns whether to keep decoding the current buffer. */
  private boolean execute(ImapCommand command) throws IOException {
    log.debug("C: {}", command);
    lock.lock();
    try {
      try {
        // responses are written as the session produces them: a FETCH of many messages holds
        // at most one message in memory
        session.handle(command, this::emit);
      } catch (WriteFailure e) {
        throw e.getCause();
      } catch (RuntimeException e) {
        log.warn("command {} failed", command.getClass().getSimpleName(), e);
        writeLocked(List.of(ImapSession.serverBug(command.tag())));
      } finally {
        if (command instanceof ImapCommand.Append a) a.message().close();
        if (command instanceof AutoCloseable c) closeQuietly(c);
      }
      if (session.user() != null) MDC.put("user", session.user());
      else MDC.remove("user"); // after UNAUTHENTICATE
      decoder.utf8(session.utf8Accept()); // RFC 6855 §3, from the next command on
      flushLocked();
      switch (session.mode()) {
        case AUTH_CONTINUATION, IDLE -> decoder.expectContinuationLine();
        default -> {}
      }
    } finally {
      lock.unlock();
    }
    return session.mode() != ImapSession.Mode.LOGOUT;
  }

  private void startTls() throws IOException {
    connection.startTls(ssl);
    decoder.close();
    decoder = newDecoder();
    session.tlsStarted();
  }

  /** Runs under the lock (see {@link PushScheduler}). */
  private void pushUpdates() {
    try {
      ImapSession.Mode mode = session.mode();
      if (mode != ImapSession.Mode.IDLE
          && !(mode == ImapSession.Mode.COMMAND && session.notifying())) {
        return; // RFC 5465: with NOTIFY, changes are pushed between commands too
      }
      writeLocked(session.pollUpdates());
    } catch (IOException e) {
      connection.close();
    } catch (RuntimeException e) {
      log.warn("IDLE update failed", e);
    }
  }

  private void write(byte[] raw) throws IOException {
    lock.lock();
    try {
      out.write(raw);
      out.flush();
    } finally {
      lock.unlock();
    }
  }

  /** The session's response consumer; the lock is held. */
  private void emit(ImapResponse r) {
    try {
      encodeLocked(r);
      if (r instanceof ImapResponse.Fetch f
          && f.items().stream()
              .anyMatch(
                  i ->
                      i instanceof ImapResponse.FetchItem.Body
                          || i instanceof ImapResponse.FetchItem.Binary)) {
        flushLocked(); // hand each message body to the socket before loading the next
      }
    } catch (IOException e) {
      throw new WriteFailure(e);
    }
  }

  private void encodeLocked(ImapResponse r) throws IOException {
    if (log.isTraceEnabled() && !(r instanceof ImapResponse.Fetch)) {
      log.trace("S: {}", ImapEncoder.toString(r).strip());
    }
    ImapEncoder.encode(r, out);
  }

  private void flushLocked() throws IOException {
    out.flush();
  }

  /** Carries an {@link IOException} out of the session's response consumer. */
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

  private void write(List<ImapResponse> responses) throws IOException {
    lock.lock();
    try {
      writeLocked(responses);
    } finally {
      lock.unlock();
    }
  }

  private void writeLocked(List<ImapResponse> responses) throws IOException {
    if (responses.isEmpty()) return;
    for (ImapResponse r : responses) encodeLocked(r);
    flushLocked();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.debug("closing command literals failed: {}", e.toString());
    }
  }

  private void tryWrite(ImapResponse r) {
    try {
      write(List.of(r));
    } catch (IOException | RuntimeException e) {
      // the peer is gone
    }
  }
}
