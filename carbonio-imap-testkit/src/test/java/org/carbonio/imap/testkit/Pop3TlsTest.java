package org.carbonio.imap.testkit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** STLS (RFC 2595 §4) and implicit TLS (RFC 8314) for POP3; no plaintext login before TLS. */
class Pop3TlsTest {
  @RegisterExtension
  static ImapServerExtension servers =
      ImapServerExtension.builder()
          .user("alice", "secret")
          .configurePop3(b -> b.tls(ImapServerSocketTest.TLS).allowPlaintextAuth(false))
          .build();

  private static List<String> multiLine(SocketPeer p) throws IOException {
    List<String> lines = new ArrayList<>();
    assertThat(p.readLine()).startsWith("+OK");
    for (String l = p.readLine(); !l.equals("."); l = p.readLine()) lines.add(l);
    return lines;
  }

  @Test
  void loginShouldNeedStlsWhenPlaintextRefused() throws IOException {
    servers.deliver("alice", Pop3TranscriptTest.MESSAGES[2].getBytes(UTF_8));
    try (SocketPeer p = new SocketPeer(servers.host(), servers.pop3Port())) {
      p.readLine();
      p.send("CAPA\r\n".getBytes(US_ASCII));
      assertThat(multiLine(p))
          .contains("STLS")
          .doesNotContain("USER")
          .noneMatch(l -> l.startsWith("SASL"));
      p.send("USER alice\r\n".getBytes(US_ASCII));
      assertThat(p.readLine()).startsWith("-ERR [AUTH] Plaintext authentication disallowed");
      p.send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n".getBytes(US_ASCII));
      assertThat(p.readLine()).startsWith("-ERR [AUTH] Plaintext authentication disallowed");
      // RFC 2595 §4: a command pipelined after STLS is discarded
      p.send("STLS\r\nCAPA\r\n".getBytes(US_ASCII));
      assertThat(p.readLine()).isEqualTo("+OK Begin TLS negotiation");
      p.startTls(ImapServerSocketTest.TLS);
      p.send("CAPA\r\n".getBytes(US_ASCII));
      assertThat(multiLine(p)).contains("USER", "SASL PLAIN LOGIN").doesNotContain("STLS");
      p.send("STLS\r\n".getBytes(US_ASCII));
      assertThat(p.readLine()).isEqualTo("-ERR Already using TLS");
      p.send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nRETR 1\r\n".getBytes(US_ASCII));
      assertThat(p.readLine()).startsWith("+OK Maildrop has 1 messages");
      assertThat(multiLine(p))
          .containsExactly("Subject: three", "", "..leading dot", "...two dots", "..", "end");
    }
  }

  @Test
  void loginShouldSucceedWhenImplicitTls() throws Exception {
    try (var pop3s =
        servers.pop3Server().toBuilder()
            .bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))
            .implicitTls(true)
            .build()
            .start()) {
      try (SSLSocket s =
          (SSLSocket)
              ImapServerSocketTest.TLS
                  .getSocketFactory()
                  .createSocket(servers.host(), pop3s.localAddress().getPort())) {
        s.setSoTimeout(10_000);
        var in = s.getInputStream();
        var out = s.getOutputStream();
        assertThat(line(in)).isEqualTo("+OK Carbonio POP3 ready");
        out.write("CAPA\r\n".getBytes(US_ASCII));
        List<String> caps = new ArrayList<>();
        for (String l = line(in); !l.equals("."); l = line(in)) caps.add(l);
        assertThat(caps).contains("USER").doesNotContain("STLS");
        out.write("USER alice\r\nPASS secret\r\nSTAT\r\n".getBytes(US_ASCII));
        assertThat(line(in)).startsWith("+OK");
        assertThat(line(in)).startsWith("+OK Maildrop");
        assertThat(line(in)).isEqualTo("+OK 0 0");
      }
    }
  }

  private static String line(java.io.InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') if (b != '\r') sb.append((char) b);
    return sb.toString();
  }
}
