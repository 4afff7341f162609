package org.carbonio.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A minimal IMAP client over implicit TLS that returns raw response lines, for assertions. */
final class RawImap implements AutoCloseable {

  private final SSLSocket socket;
  private final BufferedReader in;
  private final OutputStream out;
  private int tag;

  RawImap(SSLContext trust, int port) throws IOException {
    socket = (SSLSocket) trust.getSocketFactory().createSocket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(30_000);
    socket.startHandshake();
    in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    out = socket.getOutputStream();
    in.readLine();
  }

  /** Sends a command and returns every line up to and including the tagged completion. */
  List<String> command(String command) throws IOException {
    String t = "a" + (++tag);
    out.write((t + " " + command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    List<String> lines = new ArrayList<>();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lines.add(line);
      if (line.startsWith(t + " ")) {
        return lines;
      }
    }
    throw new IOException("connection closed after " + lines);
  }

  /** Sends one line as is (IDLE, DONE), without waiting for anything. */
  void send(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** The next response line (waits up to the socket timeout). */
  String readLine() throws IOException {
    String line = in.readLine();
    if (line == null) throw new IOException("connection closed");
    return line;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
