package org.carbonio.imap.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One client connection: reads bytes into the decoder, runs commands through the session, writes
 * responses. Blocking code on its own virtual thread; a {@link ReentrantLock} serialises the
 * session and the output between that thread and IDLE pushes. Thread-safe in that sense only.
 */
final class ImapConnection implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ImapConnection.class);
  private static final byte[] CONTINUE =
      "+ Ready for literal data\r\n".getBytes(StandardCharsets.US_ASCII);

  private final long id;
  private Socket socket;
  private final SSLContext ssl;
  private final boolean implicitTls;
  private final ImapLimits limits;
  private final ImapSession session;
  private final Consumer<ImapConnection> onClose;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean pushScheduled = new AtomicBoolean();
  private ImapDecoder decoder;
  private InputStream in;
  private OutputStream out;

  ImapConnection(
      long id,
      Socket socket,
      SSLContext ssl,
      boolean implicitTls,
      ImapLimits limits,
      SessionOptions options,
      ImapAuthenticator authenticator,
      MailboxBackend backend,
      Consumer<ImapConnection> onClose) {
    this.id = id;
    this.socket = socket;
    this.ssl = ssl;
    this.implicitTls = implicitTls;
    this.limits = limits;
    this.onClose = onClose;
    this.session =
        new ImapSession(
            options,
            authenticator,
            backend,
            (InetSocketAddress) socket.getRemoteSocketAddress(),
            implicitTls);
    this.session.setChangeListener(this::schedulePush);
    this.decoder = newDecoder();
  }

  private ImapDecoder newDecoder() {
    return new ImapDecoder(
        limits.decoderLimits(), new SpoolingSinkFactory(limits.spoolThreshold()));
  }

  /** Closes the socket so that the connection thread ends. */
  void abort() {
    ImapListener.closeQuietly(socket);
  }

  @Override
  public void run() {
    MDC.put("session", "imap-" + id);
    MDC.put("proto", "imap");
    try {
      log.debug("connection from {}", socket.getRemoteSocketAddress());
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
      ImapListener.closeQuietly(socket);
      onClose.accept(this);
      MDC.remove("session");
      MDC.remove("proto");
      MDC.remove("user");
    }
  }

  private void serve() throws IOException {
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis()));
    socket.setTcpNoDelay(true);
    if (implicitTls) ((SSLSocket) socket).startHandshake();
    streams();
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
    List<ImapResponse> responses;
    lock.lock();
    try {
      try {
        responses = session.handle(command);
      } catch (RuntimeException e) {
        log.warn("command {} failed", command.getClass().getSimpleName(), e);
        responses = List.of(ImapSession.serverBug(command.tag()));
      } finally {
        if (command instanceof ImapCommand.Append a) a.message().close();
      }
      if (session.user() != null) MDC.put("user", session.user());
      writeLocked(responses);
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
    SSLSocket tls =
        (SSLSocket)
            ssl.getSocketFactory()
                .createSocket(
                    socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
    tls.setUseClientMode(false);
    tls.startHandshake();
    socket = tls;
    streams();
    decoder.close();
    decoder = newDecoder();
    session.tlsStarted();
    log.debug("TLS started: {}", tls.getSession().getProtocol());
  }

  private void streams() throws IOException {
    in = socket.getInputStream();
    out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
  }

  private void schedulePush() {
    if (!pushScheduled.compareAndSet(false, true)) return;
    Thread.ofVirtual()
        .name("imap-idle-" + id)
        .start(
            () -> {
              pushScheduled.set(false);
              lock.lock();
              try {
                if (session.mode() != ImapSession.Mode.IDLE) return;
                writeLocked(session.pollUpdates());
              } catch (IOException e) {
                abort();
              } catch (RuntimeException e) {
                log.warn("IDLE update failed", e);
              } finally {
                lock.unlock();
              }
            });
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
    for (ImapResponse r : responses) {
      if (log.isTraceEnabled() && !(r instanceof ImapResponse.Fetch)) {
        log.trace("S: {}", ImapEncoder.toString(r).strip());
      }
      ImapEncoder.encode(r, out);
    }
    out.flush();
  }

  private void tryWrite(ImapResponse r) {
    try {
      write(List.of(r));
    } catch (IOException | RuntimeException e) {
      // the peer is gone
    }
  }
}
