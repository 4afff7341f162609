package org.carbonio.imap.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A raw socket client reading CRLF lines with a 10 s timeout. */
final class SocketPeer implements Transcript.Peer {
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  SocketPeer(String host, int port) {
    try {
      socket = new Socket(host, port);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Upgrades the connection to TLS after a STARTTLS OK. */
  void startTls(javax.net.ssl.SSLContext ctx) throws IOException {
    javax.net.ssl.SSLSocket tls =
        (javax.net.ssl.SSLSocket)
            ctx.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
    tls.startHandshake();
    socket = tls;
    in = tls.getInputStream();
    out = tls.getOutputStream();
  }

  @Override
  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads exactly {@code n} bytes (a literal's content). */
  byte[] readBytes(int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length < n) throw new IOException("connection closed after " + bytes.length);
    return bytes;
  }

  @Override
  public String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int prev = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (line.size() == 0) return null;
        break;
      }
      if (b == '\n' && prev == '\r') {
        byte[] l = line.toByteArray();
        return new String(l, 0, l.length - 1, StandardCharsets.UTF_8);
      }
      line.write(b);
      prev = b;
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // ignore
    }
  }
}
