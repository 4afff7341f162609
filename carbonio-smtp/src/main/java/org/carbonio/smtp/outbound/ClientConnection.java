package org.carbonio.smtp.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocking transport of one client connection: a socket, optionally TLS, with a deadline on
 * every read and write. Replies are decoded by a {@link ReplyDecoder}. Not thread-safe: confine to
 * one delivery at a time.
 */
final class ClientConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

  /** The protocol error of a server: a malformed or oversized reply. */
  static final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
      super(message);
    }
  }

  private final String host;
  private final InetSocketAddress address;
  private final ScheduledExecutorService watchdog;
  private final int maxLine;
  private final int maxLines;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private ReplyDecoder decoder;
  private final ByteBuffer buffer = ByteBuffer.allocate(8192).flip();
  private boolean tls;
  private String tlsDescription = "";
  private Ehlo ehlo = Ehlo.NONE;
  private TlsPolicy policy;
  private long idleSince;
  private boolean broken;

  private ClientConnection(
      String host,
      InetSocketAddress address,
      ScheduledExecutorService watchdog,
      int maxLine,
      int maxLines) {
    this.host = host;
    this.address = address;
    this.watchdog = watchdog;
    this.maxLine = maxLine;
    this.maxLines = maxLines;
    this.decoder = new ReplyDecoder(maxLine, maxLines);
  }

  /** Connects within {@code timeout}; with {@code implicitTls} the handshake follows at once. */
  static ClientConnection connect(
      String host,
      InetSocketAddress address,
      Duration timeout,
      ScheduledExecutorService watchdog,
      int maxLine,
      int maxLines)
      throws IOException {
    ClientConnection c = new ClientConnection(host, address, watchdog, maxLine, maxLines);
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.connect(address, (int) Math.max(1, timeout.toMillis()));
    } catch (IOException e) {
      s.close();
      throw e;
    }
    c.socket = s;
    c.in = s.getInputStream();
    c.out = s.getOutputStream();
    return c;
  }

  String host() {
    return host;
  }

  InetSocketAddress address() {
    return address;
  }

  boolean tls() {
    return tls;
  }

  String tlsDescription() {
    return tlsDescription;
  }

  Ehlo ehlo() {
    return ehlo;
  }

  void ehlo(Ehlo e) {
    this.ehlo = e;
  }

  TlsPolicy policy() {
    return policy;
  }

  void policy(TlsPolicy p) {
    this.policy = p;
  }

  long idleSince() {
    return idleSince;
  }

  void idleSince(long nanos) {
    this.idleSince = nanos;
  }

  boolean usable() {
    return !broken && !socket.isClosed();
  }

  /** Reads one reply within {@code timeout} (the whole reply, not each read). */
  Reply read(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        ReplyDecoder.Result r = decoder.decode(buffer);
        switch (r) {
          case ReplyDecoder.Done d -> {
            log.trace("S: {}", d.reply());
            return d.reply();
          }
          case ReplyDecoder.Bad b -> throw new ProtocolException(b.reason() + " from " + host);
          case ReplyDecoder.NeedMore n -> fill(deadline);
        }
      }
    } catch (IOException e) {
      broken = true;
      throw e;
    }
  }

  private void fill(long deadline) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException("no reply from " + host + " in time");
    }
    socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    buffer.compact();
    try {
      int n = in.read(buffer.array(), buffer.position(), buffer.remaining());
      if (n < 0) {
        throw new EOFException("connection closed by " + host);
      }
      buffer.position(buffer.position() + n);
    } finally {
      buffer.flip();
    }
  }

  /** True when the server sent bytes nobody asked for yet (e.g. after 220 to STARTTLS). */
  boolean hasBufferedInput() {
    return buffer.hasRemaining() || !decoder.idle();
  }

  /** Writes one command line (CRLF added) within {@code timeout}. */
  void send(String line, Duration timeout) throws IOException {
    log.trace("C: {}", line.startsWith("AUTH") ? "AUTH ..." : line);
    write((line + "\r\n").getBytes(UTF_8), timeout);
  }

  /** Writes several command lines in one go (RFC 2920 pipelining). */
  void sendAll(List<String> lines, Duration timeout) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      log.trace("C: {}", l);
      sb.append(l).append("\r\n");
    }
    write(sb.toString().getBytes(UTF_8), timeout);
  }

  /** Sends a line that carries credentials (never logged) and reads the reply. */
  Reply commandSecret(String line, Duration timeout) throws IOException {
    log.trace("C: <credentials>");
    write((line + "\r\n").getBytes(UTF_8), timeout);
    return read(timeout);
  }

  /** Sends {@code line} and reads the reply. */
  Reply command(String line, Duration timeout) throws IOException {
    send(line, timeout);
    return read(timeout);
  }

  /** Writes bytes within {@code timeout}, closing the socket when the peer does not take them. */
  void write(byte[] bytes, int off, int len, Duration timeout) throws IOException {
    ScheduledFuture<?> alarm;
    try {
      alarm = watchdog.schedule(this::abort, timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      alarm = null; // the agent is closing: finish without a write deadline
    }
    try {
      out.write(bytes, off, len);
      out.flush();
    } catch (IOException e) {
      broken = true;
      throw e;
    } finally {
      if (alarm != null) {
        alarm.cancel(false);
      }
    }
  }

  private void write(byte[] bytes, Duration timeout) throws IOException {
    write(bytes, 0, bytes.length, timeout);
  }

  private void abort() {
    broken = true;
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /**
   * Writes the message body dot-stuffed (RFC 5321 §4.5.2), with bare LF made CRLF, then the final
   * {@code .}; each chunk write must finish within {@code blockTimeout}.
   */
  void writeBody(InputStream body, Duration blockTimeout) throws IOException {
    DotStuffer stuffer = new DotStuffer();
    byte[] inBuf = new byte[16384];
    byte[] outBuf = new byte[2 * inBuf.length + 8];
    int n;
    while ((n = body.read(inBuf)) > 0) {
      int len = stuffer.stuff(inBuf, n, outBuf);
      write(outBuf, 0, len, blockTimeout);
    }
    int len = stuffer.finish(outBuf);
    write(outBuf, 0, len, blockTimeout);
  }

  /**
   * Sends the body unchanged in {@code BDAT} chunks of at most {@code chunkSize} octets (RFC 3030
   * §2), the last one marked {@code LAST}, reading the reply to each chunk. Returns the reply to
   * the last chunk, or the first non-2xx reply (the server then drops the transaction, §2).
   */
  Reply writeChunks(InputStream body, int chunkSize, Duration blockTimeout, Duration doneTimeout)
      throws IOException {
    byte[] chunk = body.readNBytes(chunkSize);
    while (true) {
      byte[] next = chunk.length < chunkSize ? new byte[0] : body.readNBytes(chunkSize);
      boolean last = next.length == 0;
      String command = "BDAT " + chunk.length + (last ? " LAST" : "");
      log.trace("C: {}", command);
      write((command + "\r\n").getBytes(UTF_8), blockTimeout);
      write(chunk, 0, chunk.length, blockTimeout);
      Reply r = read(last ? doneTimeout : blockTimeout);
      if (last || !r.isClass(2)) {
        return r;
      }
      chunk = next;
    }
  }

  /**
   * Starts TLS over the connection (after {@code 220} to STARTTLS, or at once for implicit TLS)
   * with {@code context}; with {@code verifyName} the JDK also checks the certificate names {@code
   * host} (RFC 6125). Afterwards the server's earlier capabilities are forgotten (RFC 3207 §4.2).
   */
  void startTls(SSLContext context, boolean verifyName, Duration timeout) throws IOException {
    if (hasBufferedInput()) {
      // RFC 3207 §5: anything sent before the handshake is suspect (an injection)
      broken = true;
      throw new ProtocolException("data after STARTTLS reply from " + host);
    }
    SSLSocket ssl =
        (SSLSocket) context.getSocketFactory().createSocket(socket, host, address.getPort(), true);
    SSLParameters params = ssl.getSSLParameters();
    if (isHostName(host)) {
      params.setServerNames(List.of(new SNIHostName(host)));
    }
    if (verifyName) {
      params.setEndpointIdentificationAlgorithm("HTTPS");
    }
    ssl.setSSLParameters(params);
    ssl.setUseClientMode(true);
    ssl.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    try {
      ssl.startHandshake();
    } catch (IOException e) {
      broken = true;
      try {
        ssl.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      throw e;
    }
    socket = ssl;
    in = ssl.getInputStream();
    out = ssl.getOutputStream();
    decoder = new ReplyDecoder(maxLine, maxLines);
    tls = true;
    tlsDescription = ssl.getSession().getProtocol() + " " + ssl.getSession().getCipherSuite();
    ehlo = Ehlo.NONE;
  }

  static boolean isHostName(String host) {
    return !host.isEmpty()
        && !host.contains(":")
        && !host.matches("[0-9.]+")
        && !host.startsWith("[");
  }

  /** Sends QUIT and closes, waiting at most {@code timeout} for the reply. */
  void quit(Duration timeout) {
    if (usable()) {
      try {
        send("QUIT", timeout);
        read(timeout);
      } catch (IOException e) {
        // closing anyway
      }
    }
    close();
  }

  @Override
  public void close() {
    broken = true;
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public String toString() {
    return host + "[" + address.getAddress().getHostAddress() + "]:" + address.getPort();
  }
}
