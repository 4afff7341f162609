package org.carbonio.transport;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.carbonio.transport.internal.GrowingBufferedOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted TCP connection, handed to a {@link ConnectionHandler} on its own virtual thread.
 *
 * <p>Not thread-safe: confine to the connection's thread, except {@link #close()}, {@link
 * #abort()}, {@link #closing()} and {@link #onShutdown(Runnable)}, which any thread may call.
 *
 * <p>{@link #input()} and {@link #output()} stay the same objects for the life of the connection;
 * after {@link #startTls(SSLContext)} they read and write through TLS. The input is not buffered
 * (the protocol's decoder buffers). The output is buffered: flush it before waiting for the client.
 *
 * <p>Java sockets have no write timeout, so every write to the socket records its start; the
 * listener's watchdog {@linkplain #abort() resets} a connection whose current write has been
 * blocked longer than {@link TcpListener.Config#writeTimeout()} (a client that stopped reading).
 */
public final class Connection {

  /** How long closing a TLS connection waits for the peer's close_notify. */
  static final int CLOSE_READ_TIMEOUT_MILLIS = 1000;

  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  private static final List<String> TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  // the output buffer starts at 512 bytes at the first write (a line of replies) and grows to 16
  // KiB
  // for bulk output: an idle connection holds little (BENCHMARKS.md, "1,000 SMTP sessions")
  private static final int OUTPUT_BUFFER_INITIAL = 512;
  private static final int OUTPUT_BUFFER = 16 * 1024;

  private final long id;
  private final String name;

  /** The accepted TCP socket; closing it unblocks any read or write, also one through TLS. */
  private final Socket raw;

  private final BooleanSupplier closing;
  private final AtomicBoolean aborted = new AtomicBoolean();
  private final InputStream input = new CurrentInput();
  private final OutputStream output =
      new GrowingBufferedOutput(new TimedOutput(), OUTPUT_BUFFER_INITIAL, OUTPUT_BUFFER);
  private volatile Socket socket;
  private volatile InputStream socketIn;
  private volatile OutputStream socketOut;
  private volatile Runnable shutdownAction = this::close;

  /** {@link System#nanoTime()} when the current socket write started, 0 when not writing. */
  private volatile long writeStartedNanos;

  Connection(long id, String name, Socket raw, BooleanSupplier closing) throws IOException {
    this.id = id;
    this.name = name;
    this.raw = raw;
    this.socket = raw;
    this.closing = closing;
    this.socketIn = raw.getInputStream();
    this.socketOut = raw.getOutputStream();
  }

  /** This connection's number, unique within its listener, counting from 1. */
  public long id() {
    return id;
  }

  /** The socket now in use: the TCP socket, or the {@link SSLSocket} after TLS started. */
  public Socket socket() {
    return socket;
  }

  /** Whether TLS is active. */
  public boolean tls() {
    return socket instanceof SSLSocket;
  }

  /** The client's address. */
  public InetSocketAddress remote() {
    return (InetSocketAddress) raw.getRemoteSocketAddress();
  }

  /** The local address the client connected to. */
  public InetSocketAddress local() {
    return (InetSocketAddress) raw.getLocalSocketAddress();
  }

  /** The bytes from the client (through TLS once started); unbuffered. Closing it does nothing. */
  public InputStream input() {
    return input;
  }

  /** The bytes to the client (through TLS once started); buffered, every socket write timed. */
  public OutputStream output() {
    return output;
  }

  /** True once the listener is closing: a connection should say goodbye at its next read. */
  public boolean closing() {
    return closing.getAsBoolean();
  }

  /**
   * Sets what the listener's {@link TcpListener#close()} does first to this connection, on the
   * closing thread: typically, if the connection is idle in a read, send a goodbye and {@link
   * #close()}; if it is busy, nothing (it sees {@link #closing()} at its next read). Connections
   * still open after {@link TcpListener.Config#shutdownTimeout()} are {@linkplain #abort() aborted}
   * and their threads interrupted. Default: {@link #close()}.
   */
  public void onShutdown(Runnable action) {
    this.shutdownAction = java.util.Objects.requireNonNull(action, "action");
  }

  /**
   * Upgrades this connection to TLS in place as a server (RFC 3207, RFC 3501 §6.2.1, RFC 8314):
   * flushes {@link #output()}, then handshakes with TLS 1.3 or 1.2. Bytes the protocol has read but
   * not used are its own to discard. The socket's read timeout bounds the handshake.
   *
   * @throws IOException when the handshake fails; the connection should then end
   */
  public void startTls(SSLContext context) throws IOException {
    output.flush();
    Socket plain = socket;
    SSLSocket tls =
        (SSLSocket)
            context
                .getSocketFactory()
                .createSocket(
                    plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
    tls.setUseClientMode(false);
    tls.setEnabledProtocols(
        Arrays.stream(tls.getSupportedProtocols())
            .filter(TLS_PROTOCOLS::contains)
            .toArray(String[]::new));
    socket = tls; // from now on close() closes the TLS socket
    tls.startHandshake();
    socketIn = tls.getInputStream();
    socketOut = tls.getOutputStream();
    log.debug(
        "TLS started: {} {}", tls.getSession().getProtocol(), tls.getSession().getCipherSuite());
  }

  /**
   * Closes without blocking; idempotent. When a write is in progress this {@linkplain #abort()
   * resets} the TCP connection, since {@code SSLSocket.close()} would wait for the blocked writer;
   * otherwise it closes the socket in use (with a TLS close_notify). Buffered output is dropped:
   * flush first to deliver it.
   */
  public void close() {
    if (writeStartedNanos != 0) {
      abort();
      return;
    }
    Socket current = socket;
    if (current instanceof SSLSocket) {
      // A TLS close writes close_notify (which blocks if the peer stopped reading) and, with TLS
      // 1.3, then waits to read the peer's reply: count the close as a write, so the watchdog
      // resets it like any stalled write, and bound the read.
      try {
        current.setSoTimeout(CLOSE_READ_TIMEOUT_MILLIS);
      } catch (IOException e) {
        log.debug("setting the close timeout failed: {}", e.toString());
      }
      long now = System.nanoTime();
      writeStartedNanos = now == 0 ? 1 : now;
    }
    try {
      current.close();
    } catch (IOException e) {
      log.debug("close failed: {}", e.toString());
    } finally {
      writeStartedNanos = 0;
    }
  }

  /**
   * Resets the TCP connection at once (SO_LINGER 0), ending any blocked read or write with an
   * {@link IOException} on the connection's thread. Never blocks; idempotent.
   */
  public void abort() {
    if (!aborted.compareAndSet(false, true)) {
      return;
    }
    try {
      raw.setSoLinger(true, 0);
    } catch (IOException e) {
      log.debug("SO_LINGER failed: {}", e.toString()); // closing anyway
    }
    try {
      raw.close();
    } catch (IOException e) {
      log.debug("close failed: {}", e.toString());
    }
  }

  /** Runs the {@link #onShutdown} action; called by the listener's close. */
  void shutdown() {
    try {
      shutdownAction.run();
    } catch (RuntimeException e) {
      log.warn("{}: shutdown action failed", name, e);
      abort();
    }
  }

  /**
   * Aborts this connection when its current write started more than {@code timeoutNanos} before
   * {@code nowNanos}; called by the listener's watchdog thread.
   *
   * @return true when this call aborted the connection
   */
  boolean abortIfWriteStalled(long nowNanos, long timeoutNanos) {
    long started = writeStartedNanos;
    if (started == 0 || nowNanos - started <= timeoutNanos || aborted.get()) {
      return false;
    }
    log.warn(
        "{}: client {} has not read for {} ms, closing",
        name,
        raw.getRemoteSocketAddress(),
        (nowNanos - started) / 1_000_000);
    abort();
    return true;
  }

  @Override
  public String toString() {
    return name + " " + raw.getRemoteSocketAddress();
  }

  /** Reads from the socket in use. */
  private final class CurrentInput extends InputStream {
    @Override
    public int read() throws IOException {
      return socketIn.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return socketIn.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return socketIn.available();
    }
  }

  /** Writes to the socket in use, recording the start of every write for the watchdog. */
  private final class TimedOutput extends FilterOutputStream {

    TimedOutput() {
      super(OutputStream.nullOutputStream());
    }

    private void begin() {
      long now = System.nanoTime();
      writeStartedNanos = now == 0 ? 1 : now; // 0 means "not writing"
    }

    @Override
    public void write(int b) throws IOException {
      begin();
      try {
        socketOut.write(b);
      } finally {
        writeStartedNanos = 0;
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      begin();
      try {
        socketOut.write(b, off, len);
      } finally {
        writeStartedNanos = 0;
      }
    }

    @Override
    public void flush() throws IOException {
      begin();
      try {
        socketOut.flush();
      } finally {
        writeStartedNanos = 0;
      }
    }

    @Override
    public void close() {
      // the connection owns the socket
    }
  }
}
