package org.carbonio.smtp.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal SMTP client for these tests: one transaction, returns the last reply of each step. */
final class SmtpTestClient {
  private SmtpTestClient() {}

  /**
   * Sends one message and returns the replies to EHLO, MAIL, RCPT (each) and the end of DATA, as
   * their first line (a refused RCPT ends the transaction with RSET).
   */
  static List<String> send(int port, String from, List<String> to, String message)
      throws IOException {
    List<String> replies = new ArrayList<>();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(30_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = s.getOutputStream();
      reply(in); // 220 greeting
      replies.add(command(in, out, "EHLO client.test"));
      replies.add(command(in, out, "MAIL FROM:<" + from + ">"));
      boolean any = false;
      for (String r : to) {
        String reply = command(in, out, "RCPT TO:<" + r + ">");
        replies.add(reply);
        any |= reply.startsWith("250");
      }
      if (any) {
        String data = command(in, out, "DATA");
        if (!data.startsWith("354")) {
          throw new IOException("DATA refused: " + data);
        }
        // RFC 5321 §4.5.2: dot-stuffing; the tests' messages use CRLF line ends already
        String body = message.replace("\r\n.", "\r\n..");
        out.write(body.getBytes(StandardCharsets.US_ASCII));
        replies.add(command(in, out, (body.endsWith("\r\n") ? "" : "\r\n") + "."));
      } else {
        command(in, out, "RSET");
      }
      command(in, out, "QUIT");
    }
    return replies;
  }

  private static String command(BufferedReader in, OutputStream out, String line)
      throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return reply(in);
  }

  private static String reply(BufferedReader in) throws IOException {
    String first = in.readLine();
    String line = first;
    while (line != null && line.length() > 3 && line.charAt(3) == '-') {
      line = in.readLine();
    }
    if (line == null) {
      throw new IOException("connection closed");
    }
    return line;
  }

  static String message(String from, String to, String subject) {
    return "From: <"
        + from
        + ">\r\nTo: <"
        + to
        + ">\r\nSubject: "
        + subject
        + "\r\nMessage-ID: <"
        + subject.replace(' ', '.')
        + "@client.test>\r\n\r\nHello.\r\n.leading dot\r\n";
  }
}
