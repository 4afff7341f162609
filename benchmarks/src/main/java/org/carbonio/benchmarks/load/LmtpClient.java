package org.carbonio.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal LMTP client (RFC 2033) for load runs: one session, one recipient per message. */
final class LmtpClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  LmtpClient(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    socket.setSoTimeout(60_000);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream());
    out = new BufferedOutputStream(socket.getOutputStream());
    expect(reply(), '2', "greeting");
    command("LHLO load.test");
    expect(reply(), '2', "LHLO");
  }

  /**
   * Delivers one message (dot-stuffed already, ending in CRLF) to one recipient.
   *
   * @return whether the server accepted it (RFC 2033 §4.2: one reply per recipient after DATA)
   */
  boolean deliver(String recipient, byte[] message) throws IOException {
    // RFC 2920 §3.1, as Postfix's LMTP client does: MAIL, RCPT and DATA in one write (both
    // servers advertise PIPELINING), then their three replies.
    out.write(
        ("MAIL FROM:<load@load.test>\r\nRCPT TO:<" + recipient + ">\r\nDATA\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    expect(reply(), '2', "MAIL");
    expect(reply(), '2', "RCPT");
    expect(reply(), '3', "DATA");
    out.write(message);
    out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return reply().charAt(0) == '2';
  }

  private void command(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Reads a (possibly multi-line) reply and returns its last line. */
  private String reply() throws IOException {
    while (true) {
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IOException("connection closed by server");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      if (line.length() < 4 || line.charAt(3) != '-') {
        return line.toString();
      }
    }
  }

  private static void expect(String reply, char first, String what) throws IOException {
    if (reply.isEmpty() || reply.charAt(0) != first) {
      throw new IOException(what + " refused: " + reply);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      command("QUIT");
    } catch (IOException ignored) {
      // closing anyway
    }
    socket.close();
  }
}
