package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ImplicitTlsTest {
  @RegisterExtension
  static ImapServerExtension imap =
      ImapServerExtension.builder()
          .user("alice", "secret")
          .configure(
              b -> b.tls(ImapServerSocketTest.TLS).implicitTls(true).allowPlaintextAuth(false))
          .build();

  @Test
  void loginShouldSucceedWhenImplicitTls() throws IOException {
    try (SSLSocket s =
        (SSLSocket)
            ImapServerSocketTest.TLS.getSocketFactory().createSocket(imap.host(), imap.port())) {
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      String greeting = line(in);
      assertThat(greeting)
          .contains("AUTH=PLAIN")
          .doesNotContain("STARTTLS")
          .doesNotContain("LOGINDISABLED");
      s.getOutputStream().write("a LOGIN alice secret\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      assertThat(line(in)).startsWith("a OK [CAPABILITY");
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') if (b != '\r') sb.append((char) b);
    return sb.toString();
  }
}
