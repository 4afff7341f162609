package org.carbonio.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A minimal IMAP client over implicit TLS for measurements: sends a command and reads the responses
 * up to its tagged completion, skipping literals, keeping only the untagged lines' first bytes. Not
 * thread-safe.
 */
final class ImapProbe implements AutoCloseable {
  /** What one command returned. */
  record Reply(String tagged, List<String> untagged, long fetches, long nanos) {
    long count(String contains) {
      return untagged.stream().filter(l -> l.contains(contains)).count();
    }
  }

  private final SSLSocket socket;
  private final InputStream in;
  private final OutputStream out;
  private int tag;

  ImapProbe(SSLContext tls, int port) throws IOException {
    socket = (SSLSocket) tls.getSocketFactory().createSocket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(300_000);
    socket.startHandshake();
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    out = socket.getOutputStream();
    line(); // greeting
  }

  /** Trusts exactly the server's self-signed certificate ({@code data/tls/cert.pem}). */
  static SSLContext trusting(Path certPem) throws Exception {
    X509Certificate cert;
    try (InputStream pem = Files.newInputStream(certPem)) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem);
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("carbonio", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  /**
   * Sends {@code command}; keeps the untagged lines (literal contents dropped, cut at 200 chars) if
   * {@code keep}, else only counts the {@code FETCH} responses without decoding them, so that the
   * client's own work stays small next to the server's.
   */
  Reply command(String command, boolean keep) throws IOException {
    String t = "b" + (++tag);
    byte[] tagged = (t + " ").getBytes(StandardCharsets.US_ASCII);
    long start = System.nanoTime();
    out.write((t + " " + command + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    List<String> untagged = new ArrayList<>();
    long fetches = 0;
    while (true) {
      int n = line();
      if (n < 0) throw new IOException("connection closed during " + command);
      if (startsWith(tagged)) {
        String l = new String(lineBuf, 0, n, StandardCharsets.ISO_8859_1);
        return new Reply(l, untagged, fetches, System.nanoTime() - start);
      }
      if (isFetch(n)) fetches++;
      if (keep) untagged.add(new String(lineBuf, 0, Math.min(n, 200), StandardCharsets.ISO_8859_1));
    }
  }

  private static final byte[] FETCH = " FETCH (".getBytes(StandardCharsets.US_ASCII);

  private boolean startsWith(byte[] prefix) {
    if (lineLen < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) if (lineBuf[i] != prefix[i]) return false;
    return true;
  }

  /** {@code * <n> FETCH (}. */
  private boolean isFetch(int n) {
    if (n < 10 || lineBuf[0] != '*' || lineBuf[1] != ' ') return false;
    int i = 2;
    while (i < n && lineBuf[i] >= '0' && lineBuf[i] <= '9') i++;
    if (i + FETCH.length > n) return false;
    for (int k = 0; k < FETCH.length; k++) if (lineBuf[i + k] != FETCH[k]) return false;
    return true;
  }

  private byte[] lineBuf = new byte[1024];
  private int lineLen;

  /**
   * Reads one response line into {@link #lineBuf} (without CRLF), literals skipped and the text
   * after them appended; returns its length, or -1 at end of stream.
   */
  private int line() throws IOException {
    lineLen = 0;
    while (true) {
      int b = in.read();
      if (b < 0) return lineLen == 0 ? -1 : lineLen;
      if (b == '\n') {
        int n = lineLen;
        if (n > 0 && lineBuf[n - 1] == '\r') n--;
        if (n > 0 && lineBuf[n - 1] == '}') {
          int open = n - 1;
          while (open > 0 && lineBuf[open] != '{') open--;
          long size =
              Long.parseLong(
                  new String(lineBuf, open + 1, n - open - 2, StandardCharsets.US_ASCII));
          in.skipNBytes(size);
          lineLen = open;
          continue; // the response goes on after the literal
        }
        lineLen = n;
        return n;
      }
      if (lineLen == lineBuf.length) lineBuf = java.util.Arrays.copyOf(lineBuf, lineLen * 2);
      lineBuf[lineLen++] = (byte) b;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
