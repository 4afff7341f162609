package org.carbonio.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
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
  record Reply(String tagged, List<String> untagged, long nanos) {
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

  /** Sends {@code command}; keeps untagged lines (literal contents dropped) if {@code keep}. */
  Reply command(String command, boolean keep) throws IOException {
    String t = "b" + (++tag);
    long start = System.nanoTime();
    out.write((t + " " + command + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    List<String> untagged = new ArrayList<>();
    while (true) {
      String l = line();
      if (l == null) throw new IOException("connection closed during " + command);
      if (l.startsWith(t + " ")) {
        return new Reply(l, untagged, System.nanoTime() - start);
      }
      if (keep || l.startsWith("* ")) untagged.add(l.length() > 200 ? l.substring(0, 200) : l);
    }
  }

  /** One response line with any literals skipped (their text replaced by nothing). */
  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
    while (true) {
      int b = in.read();
      if (b < 0) return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
      if (b == '\n') {
        byte[] bytes = buf.toByteArray();
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\r') n--;
        String s = new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
        if (s.endsWith("}")) {
          int open = s.lastIndexOf('{');
          long size = Long.parseLong(s.substring(open + 1, s.length() - 1));
          in.skipNBytes(size);
          buf.reset();
          buf.write(s.substring(0, open).getBytes(StandardCharsets.ISO_8859_1));
          continue; // the response goes on after the literal
        }
        return s;
      }
      buf.write(b);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
