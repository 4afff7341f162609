package org.carbonio.smtp.filter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.carbonio.smtp.MessageContent;

/**
 * A client of ClamAV's {@code clamd} over TCP. Each call opens one connection. Thread-safe.
 *
 * {@snippet :
 * ClamdClient clamd = ClamdClient.builder(new InetSocketAddress("127.0.0.1", 3310)).build();
 * switch (clamd.scan(content)) {
 *   case VirusScanResult.Infected i -> System.out.println("virus " + i.name());
 *   default -> System.out.println("clean or not scanned");
 * }
 * }
 *
 * <p>A scan sends {@code zINSTREAM\0}, then the message in chunks of at most {@value #CHUNK_BYTES}
 * bytes, each preceded by its length as a 4-byte big-endian number, then a zero length; clamd
 * answers {@code stream: OK}, {@code stream: <name> FOUND} or {@code <text> ERROR}, ending with a
 * NUL byte. Memory is bounded by one chunk whatever the message size.
 *
 * <p>A message larger than {@link Builder#maxScanBytes} (default {@value #DEFAULT_MAX_SCAN_BYTES}
 * bytes, Debian's {@code StreamMaxLength 25M}) is not sent: the result is {@link
 * VirusScanResult.TooLarge}. When clamd's {@code StreamMaxLength} is the smaller limit, clamd
 * answers {@code INSTREAM size limit exceeded. ERROR}, which gives {@link VirusScanResult.TooLarge}
 * too, with limit 0. Keep the two equal.
 */
public final class ClamdClient implements VirusScanner {

  /** The default scan limit: 25 MiB, as Debian's clamd.conf {@code StreamMaxLength 25M}. */
  public static final long DEFAULT_MAX_SCAN_BYTES = 25L << 20;

  /** The default connect timeout: 2 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** The default time for a whole exchange: 60 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** The largest chunk sent: 64 KiB. */
  public static final int CHUNK_BYTES = 64 * 1024;

  private static final String DAEMON = "clamd";
  private static final int MAX_REPLY = 16 * 1024;
  private static final String SIZE_LIMIT = "INSTREAM size limit exceeded";

  private final InetSocketAddress address;
  private final Duration connectTimeout;
  private final Duration timeout;
  private final long maxScanBytes;

  private ClamdClient(Builder b) {
    this.address = b.address;
    this.connectTimeout = b.connectTimeout;
    this.timeout = b.timeout;
    this.maxScanBytes = b.maxScanBytes;
  }

  /** A builder for a client of the clamd listening on {@code address} ({@code TCPSocket}). */
  public static Builder builder(InetSocketAddress address) {
    return new Builder(address);
  }

  /** A builder holding this client's settings. */
  public Builder toBuilder() {
    return new Builder(address)
        .connectTimeout(connectTimeout)
        .timeout(timeout)
        .maxScanBytes(maxScanBytes);
  }

  /** The daemon's address. */
  public InetSocketAddress address() {
    return address;
  }

  /** The scan limit in bytes. */
  public long maxScanBytes() {
    return maxScanBytes;
  }

  /**
   * Scans a message with {@code zINSTREAM}.
   *
   * @throws java.net.ConnectException when clamd is not listening
   * @throws java.net.SocketTimeoutException when it does not answer in time
   * @throws ScannerException when it answers an error other than the size limit
   */
  @Override
  public VirusScanResult scan(MessageContent content) throws IOException {
    long size = content.size();
    if (size > maxScanBytes) {
      return new VirusScanResult.TooLarge(size, maxScanBytes);
    }
    try (DaemonConnection c = DaemonConnection.open(DAEMON, address, connectTimeout, timeout)) {
      try {
        OutputStream out = c.output();
        long sent = 0;
        byte[] chunk = new byte[4 + CHUNK_BYTES];
        boolean writing = false;
        try (InputStream in = content.open()) {
          writing = true;
          out.write("zINSTREAM\0".getBytes(US_ASCII));
          while (true) {
            writing = false;
            int n = in.readNBytes(chunk, 4, CHUNK_BYTES);
            writing = true;
            if (n <= 0) {
              break;
            }
            sent += n;
            if (sent > maxScanBytes) {
              return new VirusScanResult.TooLarge(sent, maxScanBytes);
            }
            putInt(chunk, n);
            out.write(chunk, 0, 4 + n);
          }
          putInt(chunk, 0);
          out.write(chunk, 0, 4);
          out.flush();
        } catch (IOException writeFailed) {
          if (!writing) {
            throw writeFailed; // reading the message failed, not clamd
          }
          // clamd may stop reading and answer early (StreamMaxLength): read what it said.
          String reply;
          try {
            reply = new String(c.readReply(MAX_REPLY, -1), US_ASCII);
          } catch (IOException e) {
            writeFailed.addSuppressed(e);
            throw writeFailed;
          }
          if (reply.contains(SIZE_LIMIT)) {
            return new VirusScanResult.TooLarge(Math.max(sent, size), 0);
          }
          throw writeFailed;
        }
        String reply = new String(c.readReply(MAX_REPLY, -1), US_ASCII);
        return parseScanReply(reply, size);
      } catch (IOException e) {
        throw c.translate(e);
      }
    }
  }

  /**
   * Sends {@code zPING\0}.
   *
   * @return true when clamd answers {@code PONG}
   * @throws IOException when it cannot be reached or does not answer in time
   */
  public boolean ping() throws IOException {
    return "PONG".equals(command("zPING\0"));
  }

  /**
   * Sends {@code zVERSION\0}.
   *
   * @return the answer, e.g. {@code ClamAV 1.4.6/27000/Sat Nov 28 09:00:00 2026}
   */
  public String version() throws IOException {
    return command("zVERSION\0");
  }

  private String command(String command) throws IOException {
    try (DaemonConnection c = DaemonConnection.open(DAEMON, address, connectTimeout, timeout)) {
      try {
        OutputStream out = c.output();
        out.write(command.getBytes(US_ASCII));
        out.flush();
        return new String(c.readReply(MAX_REPLY, 0), US_ASCII).strip();
      } catch (IOException e) {
        throw c.translate(e);
      }
    }
  }

  private static void putInt(byte[] b, int v) {
    b[0] = (byte) (v >>> 24);
    b[1] = (byte) (v >>> 16);
    b[2] = (byte) (v >>> 8);
    b[3] = (byte) v;
  }

  /**
   * Parses clamd's answer to {@code zINSTREAM}: one or more NUL-terminated lines (several with
   * {@code AllMatchScan}).
   */
  static VirusScanResult parseScanReply(String reply, long size) throws ScannerException {
    List<String> found = new ArrayList<>();
    boolean ok = false;
    for (String line : reply.split("\0")) {
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.endsWith(" FOUND")) {
        String name = line.substring(0, line.length() - " FOUND".length());
        if (name.startsWith("stream: ")) {
          name = name.substring("stream: ".length());
        }
        found.add(name.strip());
      } else if (line.equals("stream: OK")) {
        ok = true;
      } else if (line.contains(SIZE_LIMIT)) {
        return new VirusScanResult.TooLarge(size, 0);
      } else if (line.endsWith("ERROR")) {
        throw new ScannerException("clamd: " + FilterHeader.escape(line));
      } else {
        throw new ScannerException("clamd: unexpected answer " + FilterHeader.escape(line));
      }
    }
    if (!found.isEmpty()) {
      return new VirusScanResult.Infected(found);
    }
    if (ok) {
      return new VirusScanResult.Clean();
    }
    throw new ScannerException("clamd: closed the connection without an answer");
  }

  /**
   * Settings of a {@link ClamdClient}. Not thread-safe: confine to one thread.
   *
   * <p>Defaults: connect timeout {@link #DEFAULT_CONNECT_TIMEOUT} (2 s), exchange timeout {@link
   * #DEFAULT_TIMEOUT} (60 s), scan limit {@value #DEFAULT_MAX_SCAN_BYTES} bytes.
   */
  public static final class Builder {
    private final InetSocketAddress address;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration timeout = DEFAULT_TIMEOUT;
    private long maxScanBytes = DEFAULT_MAX_SCAN_BYTES;

    private Builder(InetSocketAddress address) {
      this.address = requireNonNull(address, "address");
    }

    /** How long to wait for the TCP connection. */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive(d, "connectTimeout");
      return this;
    }

    /** How long the whole exchange (send and answer) may take. */
    public Builder timeout(Duration d) {
      this.timeout = positive(d, "timeout");
      return this;
    }

    /** Messages larger than this are not sent (set it to clamd's {@code StreamMaxLength}). */
    public Builder maxScanBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxScanBytes " + bytes);
      }
      this.maxScanBytes = bytes;
      return this;
    }

    /** The client. */
    public ClamdClient build() {
      return new ClamdClient(this);
    }
  }

  static Duration positive(Duration d, String what) {
    requireNonNull(d, what);
    if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(what + " " + d);
    }
    return d;
  }
}
