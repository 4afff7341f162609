package org.carbonio.smtp.filter;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One request to a scanning daemon over TCP with a connect timeout and a deadline for the whole
 * exchange. Socket reads time out by themselves; a write to a daemon that stopped reading does not,
 * so a watchdog closes the socket at the deadline (as Okio's {@code AsyncTimeout} does). Not
 * thread-safe: confine to one thread.
 */
final class DaemonConnection implements Closeable {

  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

  private final String daemon;
  private final Duration timeout;
  private final Socket socket;
  private final ScheduledFuture<?> alarm;
  private volatile boolean expired;

  private DaemonConnection(String daemon, Duration timeout, Socket socket) {
    this.daemon = daemon;
    this.timeout = timeout;
    this.socket = socket;
    this.alarm = WATCHDOG.schedule(this::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static ScheduledThreadPoolExecutor watchdog() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("carbonio-filter-watchdog").daemon().factory());
    e.setRemoveOnCancelPolicy(true);
    return e;
  }

  /** Connects within {@code connectTimeout}; the whole exchange must end within {@code timeout}. */
  static DaemonConnection open(
      String daemon, InetSocketAddress address, Duration connectTimeout, Duration timeout)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(address, (int) Math.max(1, connectTimeout.toMillis()));
      socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
      socket.setTcpNoDelay(true);
      return new DaemonConnection(daemon, timeout, socket);
    } catch (SocketTimeoutException e) {
      socket.close();
      throw new SocketTimeoutException(
          daemon + " at " + address + ": no connection within " + connectTimeout);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private void expire() {
    expired = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing to unblock the scanning thread; nothing else to do
    }
  }

  OutputStream output() throws IOException {
    return new BufferedOutputStream(socket.getOutputStream(), 8192);
  }

  void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /**
   * Reads until end of stream, or until {@code terminator} when it is not negative, at most {@code
   * max} bytes.
   */
  byte[] readReply(int max, int terminator) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream reply = new ByteArrayOutputStream(64);
    byte[] buf = new byte[Math.min(max, 8192)];
    while (true) {
      int n = in.read(buf);
      if (n < 0) {
        return reply.toByteArray();
      }
      for (int i = 0; i < n; i++) {
        if (buf[i] == terminator) {
          reply.write(buf, 0, i);
          return reply.toByteArray();
        }
      }
      reply.write(buf, 0, n);
      if (reply.size() > max) {
        throw new ScannerException(daemon + " answered more than " + max + " bytes");
      }
    }
  }

  /** {@code e}, or a timeout naming the daemon when the watchdog closed the socket. */
  IOException translate(IOException e) {
    if (expired) {
      SocketTimeoutException t =
          new SocketTimeoutException(daemon + " did not finish within " + timeout);
      t.initCause(e);
      return t;
    }
    if (e instanceof SocketTimeoutException) {
      return new SocketTimeoutException(daemon + " did not answer within " + timeout);
    }
    return e;
  }

  @Override
  public void close() throws IOException {
    alarm.cancel(false);
    socket.close();
  }
}
