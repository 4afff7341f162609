package org.carbonio.smtp.filter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.carbonio.smtp.MessageContent;

/**
 * A client of SpamAssassin's {@code spamd} speaking the SPAMC/1.5 protocol over TCP. Each call
 * opens one connection. Thread-safe.
 *
 * {@snippet :
 * SpamdClient spamd = SpamdClient.builder(new InetSocketAddress("127.0.0.1", 783)).build();
 * if (spamd.check(content) instanceof SpamScanResult.Scored s && s.spam()) {
 *   System.out.println("spam, score " + s.score() + ", rules " + s.symbols());
 * }
 * }
 *
 * <p>A check sends {@code SYMBOLS SPAMC/1.5}, a {@code Content-length} header and the message;
 * spamd answers {@code SPAMD/1.1 0 EX_OK}, a {@code Spam: True ; 1003.3 / 5.0} header and the
 * comma-separated names of the rules that hit. {@code SYMBOLS} rather than {@code HEADERS}: spamd's
 * headers depend on its {@code report_safe} setting (which can rewrite the whole message), so
 * {@link ContentFilter} writes its own from the score and the symbols.
 *
 * <p>A message larger than {@link Builder#maxScanBytes} (default {@value #DEFAULT_MAX_SCAN_BYTES}
 * bytes, spamc's 500 KB) is not sent: the result is {@link SpamScanResult.TooLarge}, as spamc
 * passes such messages through unchecked. Spam is small; large messages are mostly attachments.
 */
public final class SpamdClient implements SpamScanner {

  /** The default check limit: 512,000 bytes, spamc's default {@code -s}. */
  public static final long DEFAULT_MAX_SCAN_BYTES = 500L * 1024;

  /** The default connect timeout: 2 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** The default time for a whole exchange: 60 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private static final String DAEMON = "spamd";
  private static final int MAX_REPLY = 64 * 1024;
  private static final Pattern STATUS = Pattern.compile("SPAMD/(\\d+\\.\\d+) +(\\d+) *(.*)");
  private static final Pattern SPAM =
      Pattern.compile(
          "(True|False|Yes|No) *; *(-?\\d+(?:\\.\\d+)?) */ *(-?\\d+(?:\\.\\d+)?)",
          Pattern.CASE_INSENSITIVE);

  private final InetSocketAddress address;
  private final Duration connectTimeout;
  private final Duration timeout;
  private final long maxScanBytes;

  private SpamdClient(Builder b) {
    this.address = b.address;
    this.connectTimeout = b.connectTimeout;
    this.timeout = b.timeout;
    this.maxScanBytes = b.maxScanBytes;
  }

  /** A builder for a client of the spamd listening on {@code address}. */
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

  /** The check limit in bytes. */
  public long maxScanBytes() {
    return maxScanBytes;
  }

  /**
   * Scores a message with {@code SYMBOLS}.
   *
   * @throws java.net.ConnectException when spamd is not listening
   * @throws java.net.SocketTimeoutException when it does not answer in time
   * @throws ScannerException when it answers an error (a non-zero code)
   */
  @Override
  public SpamScanResult check(MessageContent content) throws IOException {
    long size = content.size();
    if (size > maxScanBytes) {
      return new SpamScanResult.TooLarge(size, maxScanBytes);
    }
    try (DaemonConnection c = DaemonConnection.open(DAEMON, address, connectTimeout, timeout)) {
      try {
        OutputStream out = c.output();
        // SPAMC protocol: spamd reads exactly Content-length bytes after the blank line.
        out.write(("SYMBOLS SPAMC/1.5\r\nContent-length: " + size + "\r\n\r\n").getBytes(US_ASCII));
        try (InputStream in = content.open()) {
          byte[] buf = new byte[8192];
          long left = size;
          while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
              throw new IOException("message content ended " + left + " bytes before its size");
            }
            out.write(buf, 0, n);
            left -= n;
          }
        }
        out.flush();
        c.shutdownOutput();
        return parseSymbolsReply(new String(c.readReply(MAX_REPLY, -1), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw c.translate(e);
      }
    }
  }

  /**
   * Sends {@code PING SPAMC/1.5}.
   *
   * @return true when spamd answers {@code SPAMD/1.5 0 PONG}
   * @throws IOException when it cannot be reached or does not answer in time
   */
  public boolean ping() throws IOException {
    try (DaemonConnection c = DaemonConnection.open(DAEMON, address, connectTimeout, timeout)) {
      try {
        OutputStream out = c.output();
        out.write("PING SPAMC/1.5\r\n\r\n".getBytes(US_ASCII));
        out.flush();
        String line = new String(c.readReply(MAX_REPLY, '\n'), US_ASCII).strip();
        Matcher m = STATUS.matcher(line);
        return m.matches() && m.group(2).equals("0") && m.group(3).strip().equals("PONG");
      } catch (IOException e) {
        throw c.translate(e);
      }
    }
  }

  /** Parses spamd's answer to {@code SYMBOLS}: status line, headers, blank line, symbols. */
  static SpamScanResult.Scored parseSymbolsReply(String reply) throws ScannerException {
    int eol = reply.indexOf('\n');
    String status = (eol < 0 ? reply : reply.substring(0, eol)).strip();
    Matcher sm = STATUS.matcher(status);
    if (!sm.matches()) {
      throw new ScannerException("spamd: unexpected answer " + FilterHeader.escape(status));
    }
    if (!sm.group(2).equals("0")) {
      throw new ScannerException("spamd: " + FilterHeader.escape(status));
    }
    Boolean spam = null;
    double score = 0;
    double threshold = 0;
    int pos = eol + 1;
    String body = "";
    while (eol >= 0 && pos <= reply.length()) {
      int next = reply.indexOf('\n', pos);
      String line = (next < 0 ? reply.substring(pos) : reply.substring(pos, next)).strip();
      if (line.isEmpty()) {
        body = next < 0 ? "" : reply.substring(next + 1);
        break;
      }
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("spam")) {
        Matcher m = SPAM.matcher(line.substring(colon + 1).strip());
        if (!m.matches()) {
          throw new ScannerException("spamd: bad Spam header " + FilterHeader.escape(line));
        }
        String flag = m.group(1).toLowerCase(Locale.ROOT);
        spam = flag.equals("true") || flag.equals("yes");
        score = Double.parseDouble(m.group(2));
        threshold = Double.parseDouble(m.group(3));
      }
      if (next < 0) {
        break;
      }
      pos = next + 1;
    }
    if (spam == null) {
      throw new ScannerException("spamd: answer without a Spam header");
    }
    List<String> symbols = new ArrayList<>();
    for (String s : body.split(",")) {
      s = s.strip();
      if (!s.isEmpty()) {
        symbols.add(s);
      }
    }
    return new SpamScanResult.Scored(spam, score, threshold, symbols);
  }

  /**
   * Settings of a {@link SpamdClient}. Not thread-safe: confine to one thread.
   *
   * <p>Defaults: connect timeout {@link #DEFAULT_CONNECT_TIMEOUT} (2 s), exchange timeout {@link
   * #DEFAULT_TIMEOUT} (60 s), check limit {@value #DEFAULT_MAX_SCAN_BYTES} bytes.
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
      this.connectTimeout = ClamdClient.positive(d, "connectTimeout");
      return this;
    }

    /** How long the whole exchange (send and answer) may take. */
    public Builder timeout(Duration d) {
      this.timeout = ClamdClient.positive(d, "timeout");
      return this;
    }

    /** Messages larger than this are not checked. */
    public Builder maxScanBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxScanBytes " + bytes);
      }
      this.maxScanBytes = bytes;
      return this;
    }

    /** The client. */
    public SpamdClient build() {
      return new SpamdClient(this);
    }
  }
}
