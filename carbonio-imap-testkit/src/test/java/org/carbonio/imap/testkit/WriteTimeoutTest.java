package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.carbonio.imap.ImapLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A client that pipelines commands and never reads must not hold a connection forever. */
class WriteTimeoutTest {
  @RegisterExtension
  ImapServerExtension imap =
      ImapServerExtension.builder()
          .user("alice", "secret")
          .configure(b -> b.limits(ImapLimits.DEFAULTS.withWriteTimeout(Duration.ofMillis(200))))
          .build();

  @Test
  void connectionShouldBeClosedWhenClientStopsReading() throws IOException {
    byte[] big =
        ("Subject: big\r\n\r\n" + "z".repeat(256 * 1024) + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    imap.deliver("alice", big);
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(4096);
      s.connect(new InetSocketAddress(imap.host(), imap.port()));
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      out.write(ascii("l LOGIN alice secret\r\ns SELECT INBOX\r\n"));
      out.flush();
      while (!readLine(in).startsWith("s OK")) {
        // greeting, LOGIN and SELECT responses
      }
      assertThat(imap.server().activeConnections()).isEqualTo(1);
      StringBuilder fetches = new StringBuilder();
      for (int i = 0; i < 200; i++)
        fetches.append("f").append(i).append(" FETCH 1 BODY.PEEK[]\r\n");
      out.write(ascii(fetches.toString())); // 50 MB of responses that are never read
      out.flush();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(imap.server().activeConnections()).isZero());
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') if (b != '\r') sb.append((char) b);
    if (b < 0) throw new IOException("closed after " + sb);
    return sb.toString();
  }
}
