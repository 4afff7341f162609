package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal SMTP client over a plain socket, for setting up test mailboxes. */
final class RawSmtp implements AutoCloseable {

  private final Socket socket;
  private final BufferedReader in;
  private final OutputStream out;

  RawSmtp(int port) throws IOException {
    this(port, "EHLO client.test");
  }

  /** An LMTP session (RFC 2033 §4.1: LHLO instead of EHLO). */
  static RawSmtp lmtp(int port) throws IOException {
    return new RawSmtp(port, "LHLO client.test");
  }

  private RawSmtp(int port, String hello) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(30_000);
    in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    out = socket.getOutputStream();
    expect("220");
    command(hello, "250");
  }

  /** Reads one (possibly multi-line) reply and returns its last line. */
  String reply() throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed");
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
    return line;
  }

  String expect(String code) throws IOException {
    String line = reply();
    assertThat(line).startsWith(code);
    return line;
  }

  String command(String line, String code) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return expect(code);
  }

  /** Writes raw bytes (for DATA content the test dot-stuffs and terminates itself). */
  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends one message (already CRLF, dot-stuffed here) and returns the final 250 line. */
  String send(String from, String to, byte[] message) throws IOException {
    return send(from, java.util.List.of(to), message);
  }

  /** Sends one message to several recipients and returns the final 250 line. */
  String send(String from, java.util.List<String> recipients, byte[] message) throws IOException {
    command("MAIL FROM:<" + from + ">", "250");
    for (String to : recipients) {
      command("RCPT TO:<" + to + ">", "250");
    }
    command("DATA", "354");
    String text = new String(message, StandardCharsets.ISO_8859_1);
    String stuffed = text.replace("\r\n.", "\r\n..");
    if (stuffed.startsWith(".")) {
      stuffed = "." + stuffed;
    }
    if (!stuffed.endsWith("\r\n")) {
      stuffed += "\r\n";
    }
    out.write((stuffed + ".\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return expect("250");
  }

  static void deliver(int port, String to, byte[]... messages) throws IOException {
    try (RawSmtp smtp = new RawSmtp(port)) {
      for (byte[] message : messages) {
        smtp.send("sender@example.org", to, message);
      }
    }
  }

  @Override
  public void close() throws IOException {
    try {
      command("QUIT", "221");
    } finally {
      socket.close();
    }
  }
}
