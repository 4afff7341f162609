package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The LMTP listener (RFC 2033): local delivery with one reply per recipient. */
class LmtpDeliveryTest {

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension()
          .account("kim@localhost", "kim-Secret-1")
          .account("lee@localhost", "lee-Secret-1");

  private CarbonioServer server;

  @BeforeEach
  void start() throws Exception {
    server = carbonio.server();
  }

  @Test
  void lmtpShouldReplyOncePerAcceptedRecipientWhenDeliveringToSeveral() throws Exception {
    int port = server.port(Listener.Kind.LMTP);
    try (RawSmtp lmtp = RawSmtp.lmtp(port)) {
      lmtp.command("MAIL FROM:<sender@example.org>", "250");
      lmtp.command("RCPT TO:<kim@localhost>", "250");
      lmtp.command("RCPT TO:<nobody@localhost>", "550"); // RFC 2033 §4.2: refused at RCPT
      lmtp.command("RCPT TO:<lee@localhost>", "250");
      lmtp.command("DATA", "354");
      lmtp.write(E2E.crlf("Subject: via lmtp\n\nhello\n.\n"));
      lmtp.expect("250"); // kim
      lmtp.expect("250"); // lee
      lmtp.command("NOOP", "250"); // and nothing more was queued: the session is in step
    }
    assertThat(carbonio.inboxSize("kim@localhost")).isEqualTo(1);
    assertThat(carbonio.inboxSize("lee@localhost")).isEqualTo(1);
  }

  @Test
  void lmtpShouldListenOnTheAdminAddressAndRefuseEhloWhenStarted() throws Exception {
    Listener listener =
        server.listeners().stream()
            .filter(l -> l.kind() == Listener.Kind.LMTP)
            .findFirst()
            .orElseThrow();
    assertThat(listener.address().getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.address().getPort())) {
      s.setSoTimeout(10_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("220");
      s.getOutputStream().write("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("5"); // RFC 2033 §4.1: LMTP greets with LHLO only
    }
  }
}
