package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Garbage on every listener: the server answers or closes, and keeps serving others. */
class BadInputTest {

  @TempDir Path tmp;
  private CarbonioServer server;

  @BeforeEach
  void start() throws Exception {
    server = CarbonioServer.start(ServerConfig.defaults(tmp.resolve("data")).withEphemeralPorts());
    server.directory().createAccount("ivy@localhost", "ivy-Secret-1");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Sends bytes, then reads until the server closes or goes quiet; returns what it read. */
  private static int blast(int port, byte[] garbage) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(2_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      try {
        out.write(garbage);
        out.flush();
      } catch (IOException e) {
        return 0; // the server closed on us mid-write: fine
      }
      int total = 0;
      byte[] buffer = new byte[8192];
      try {
        for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
          total += n;
        }
      } catch (SocketTimeoutException | java.net.SocketException e) {
        // still open but quiet, or reset: both are acceptable outcomes
      }
      return total;
    }
  }

  @Test
  void serverShouldKeepServingWhenListenersReceiveRandomBytes() throws Exception {
    Random random = new Random(42);
    for (Listener listener : server.listeners()) {
      for (int round = 0; round < 5; round++) {
        byte[] garbage = new byte[1 + random.nextInt(20_000)];
        random.nextBytes(garbage);
        blast(listener.address().getPort(), garbage);
      }
    }
    int smtp = server.listener(Listener.Kind.SMTP).orElseThrow().address().getPort();
    RawSmtp.deliver(smtp, "ivy@localhost", E2E.crlf("Subject: after the storm\n\nstill here\n"));
    try (RawImap imap =
        new RawImap(
            E2E.trusting(tmp.resolve("data")),
            server.listener(Listener.Kind.IMAPS).orElseThrow().address().getPort())) {
      assertThat(imap.command("LOGIN ivy@localhost ivy-Secret-1").getLast()).contains("OK");
      assertThat(imap.command("SELECT INBOX")).anyMatch(l -> l.equals("* 1 EXISTS"));
    }
  }

  @Test
  void smtpShouldAnswerErrorsAndStayUsableWhenCommandsAreBad() throws Exception {
    int smtp = server.listener(Listener.Kind.SMTP).orElseThrow().address().getPort();
    try (RawSmtp client = new RawSmtp(smtp)) {
      client.command("FROBNICATE", "500");
      client.command("MAIL FROM:<a@b> SIZE=999999999999", "552");
      client.command("X".repeat(5000), "500");
      client.command("NOOP", "250");
    }
  }
}
