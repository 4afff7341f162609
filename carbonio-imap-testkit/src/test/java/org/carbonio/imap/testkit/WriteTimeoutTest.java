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
import javax.net.ssl.SSLSocket;
import org.carbonio.imap.ImapLimits;
import org.carbonio.imap.ImapServer;
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
    imap.deliver("alice", bigMessage());
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

  @Test
  void connectionShouldBeClosedWhenTlsClientStopsReading() throws IOException {
    try (ImapServer tlsServer =
        imap.server().toBuilder().tls(ImapServerSocketTest.TLS).implicitTls(true).build().start()) {
      imap.deliver("alice", bigMessage());
      SSLSocket s = (SSLSocket) ImapServerSocketTest.TLS.getSocketFactory().createSocket();
      try (s) {
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(imap.host(), tlsServer.localAddress().getPort()));
        s.setSoTimeout(10_000);
        pipelineFetchesWithoutReading(s.getInputStream(), s.getOutputStream());
        // the writer holds the TLS record lock: closing must not wait for it
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(tlsServer.activeConnections()).isZero());
      }
    }
  }

  private static byte[] bigMessage() {
    return ("Subject: big\r\n\r\n" + "z".repeat(256 * 1024) + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static void pipelineFetchesWithoutReading(InputStream in, OutputStream out)
      throws IOException {
    out.write(ascii("l LOGIN alice secret\r\ns SELECT INBOX\r\n"));
    out.flush();
    while (!readLine(in).startsWith("s OK")) {
      // greeting, LOGIN and SELECT responses
    }
    StringBuilder fetches = new StringBuilder();
    for (int i = 0; i < 200; i++) fetches.append("f").append(i).append(" FETCH 1 BODY.PEEK[]\r\n");
    out.write(ascii(fetches.toString())); // 50 MB of responses that are never read
    out.flush();
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
