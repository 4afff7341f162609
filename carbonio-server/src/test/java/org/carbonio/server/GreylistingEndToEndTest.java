package org.carbonio.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Greylisting on the real server's MX listener (RFC 6647): an unknown client (127.0.0.2, another
 * loopback address) is told to come back later; this host itself is exempt. The retry after the
 * delay is not covered here: the server builds its greylist with the system clock.
 */
class GreylistingEndToEndTest {

  @TempDir Path tmp;

  private CarbonioServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private int start(boolean greylisting) throws Exception {
    MtaConfig mta =
        new MtaConfig(
            List.of(),
            List.of(),
            25,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            greylisting,
            java.util.Map.of());
    server =
        CarbonioServer.start(
            ServerConfig.defaults(tmp.resolve("data")).withEphemeralPorts().withMta(mta));
    server.directory().createAccount("gus@localhost", "Gus-Secret-1");
    return server.port(Listener.Kind.SMTP);
  }

  /** EHLO, MAIL, RCPT from {@code from}; returns the reply to RCPT. No DATA (no SPF lookups). */
  private static String rcptReply(int port, String from, String recipient) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(30_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), ISO_8859_1));
      OutputStream out = socket.getOutputStream();
      assertThat(reply(in)).startsWith("220");
      assertThat(command(in, out, "EHLO grey.test")).startsWith("250");
      assertThat(command(in, out, "MAIL FROM:<someone@example.org>")).startsWith("250");
      String rcpt = command(in, out, "RCPT TO:<" + recipient + ">");
      command(in, out, "QUIT");
      return rcpt;
    }
  }

  private static String command(BufferedReader in, OutputStream out, String line)
      throws IOException {
    out.write((line + "\r\n").getBytes(ISO_8859_1));
    out.flush();
    return reply(in);
  }

  private static String reply(BufferedReader in) throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed");
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
    return line;
  }

  @Test
  void rcptShouldBeDeferredWhenUnknownClientSendsFirstTime() throws Exception {
    int port = start(true);
    // RFC 6647 §2.1: a temporary failure the legitimate sender's retry gets past
    assertThat(rcptReply(port, "127.0.0.2", "gus@localhost")).startsWith("451 4.7.1");
    assertThat(rcptReply(port, "127.0.0.2", "gus@localhost"))
        .as("still within the delay")
        .startsWith("451 4.7.1");
  }

  @Test
  void rcptShouldBeAcceptedWhenClientIsThisHost() throws Exception {
    int port = start(true);
    assertThat(rcptReply(port, "127.0.0.1", "gus@localhost")).startsWith("250");
  }

  @Test
  void rcptShouldBeAcceptedWhenGreylistingIsOff() throws Exception {
    int port = start(false);
    assertThat(rcptReply(port, "127.0.0.2", "gus@localhost")).startsWith("250");
  }

  @Test
  void relayShouldBeDeniedWhenUnknownClientAsksForARemoteDomain() throws Exception {
    int port = start(true);
    // RFC 5321 §3.6.2: no open relay, greylisted or not
    assertThat(rcptReply(port, "127.0.0.2", "someone@remote.test")).startsWith("5");
    assertThat(rcptReply(port, "127.0.0.1", "someone@remote.test")).startsWith("550 5.7.1");
  }
}
