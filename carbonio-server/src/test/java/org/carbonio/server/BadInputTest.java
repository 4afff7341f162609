package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Garbage on every listener: the server answers or closes, and keeps serving others. */
class BadInputTest {

  @RegisterExtension
  final ServerExtension carbonio = new ServerExtension().account("ivy@localhost", "ivy-Secret-1");

  private CarbonioServer server;

  @BeforeEach
  void start() throws Exception {
    server = carbonio.server();
  }

  /**
   * Sends the bytes, half-closes, and reads until the server closes its side; returns whether it
   * did (it may also reset the connection, or close while we still write: both fine).
   */
  private static boolean blast(int port, byte[] garbage) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      try {
        out.write(garbage);
        out.flush();
        socket.shutdownOutput();
      } catch (IOException e) {
        return true; // the server closed on us mid-write
      }
      byte[] buffer = new byte[8192];
      try {
        while (in.read(buffer) >= 0) {
          // drain the replies
        }
        return true;
      } catch (java.net.SocketException e) {
        return true; // reset by the server
      } catch (SocketTimeoutException e) {
        return false;
      }
    }
  }

  @Test
  void serverShouldKeepServingWhenListenersReceiveRandomBytes() throws Exception {
    Random random = new Random(42);
    for (Listener listener : server.listeners()) {
      for (int round = 0; round < 5; round++) {
        byte[] garbage = new byte[1 + random.nextInt(20_000)];
        random.nextBytes(garbage);
        assertThat(blast(listener.address().getPort(), garbage))
            .as("%s closes after garbage and EOF", listener.kind())
            .isTrue();
      }
    }
    int smtp = server.port(Listener.Kind.SMTP);
    RawSmtp.deliver(smtp, "ivy@localhost", E2E.crlf("Subject: after the storm\n\nstill here\n"));
    try (RawImap imap =
        new RawImap(E2E.trusting(carbonio.dataDir()), server.port(Listener.Kind.IMAPS))) {
      assertThat(imap.command("LOGIN ivy@localhost ivy-Secret-1").getLast()).contains("OK");
      assertThat(imap.command("SELECT INBOX")).anyMatch(l -> l.equals("* 1 EXISTS"));
    }
  }

  @Test
  void smtpShouldAnswerErrorsAndStayUsableWhenCommandsAreBad() throws Exception {
    int smtp = server.port(Listener.Kind.SMTP);
    try (RawSmtp client = new RawSmtp(smtp)) {
      client.command("FROBNICATE", "500");
      client.command("MAIL FROM:<a@b> SIZE=999999999999", "552");
      client.command("X".repeat(5000), "500");
      client.command("NOOP", "250");
    }
  }
}
