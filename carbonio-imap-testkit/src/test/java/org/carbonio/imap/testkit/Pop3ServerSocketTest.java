package org.carbonio.imap.testkit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.carbonio.imap.pop3.Pop3Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The POP3 server over real sockets: limits, abuse, and what a dropped connection leaves. */
class Pop3ServerSocketTest {
  @RegisterExtension
  ImapServerExtension servers =
      ImapServerExtension.builder()
          .user("alice", "secret")
          .configurePop3(
              b -> b.limits(Pop3Limits.DEFAULTS.withWriteTimeout(Duration.ofMillis(500))))
          .build();

  private SocketPeer login() throws IOException {
    for (String m : Pop3TranscriptTest.MESSAGES) servers.deliver("alice", m.getBytes(UTF_8));
    return loginOnly();
  }

  private SocketPeer loginOnly() throws IOException {
    SocketPeer p = new SocketPeer(servers.host(), servers.pop3Port());
    assertThat(p.readLine()).startsWith("+OK");
    p.send("USER alice\r\nPASS secret\r\n".getBytes(US_ASCII));
    assertThat(p.readLine()).startsWith("+OK");
    assertThat(p.readLine()).startsWith("+OK Maildrop has");
    return p;
  }

  @Test
  void overLongLineShouldGetErrWhenConnectionGoesOn() throws IOException {
    try (SocketPeer p = new SocketPeer(servers.host(), servers.pop3Port())) {
      p.readLine();
      p.send(("CAPA " + "x".repeat(100_000) + "\r\nCAPA\r\n").getBytes(US_ASCII));
      assertThat(p.readLine()).isEqualTo("-ERR Line too long");
      assertThat(p.readLine()).isEqualTo("+OK Capability list follows");
    }
  }

  @Test
  void pipelinedCommandsShouldAllBeAnsweredInOrderWhen10000() throws Exception {
    try (SocketPeer p = login()) {
      int n = 10_000;
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  StringBuilder sb = new StringBuilder();
                  for (int i = 0; i < n; i++) sb.append(i % 2 == 0 ? "STAT\r\n" : "LIST 2\r\n");
                  p.send(sb.toString().getBytes(US_ASCII));
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      for (int i = 0; i < n; i++) {
        assertThat(p.readLine()).isEqualTo(i % 2 == 0 ? "+OK 3 133" : "+OK 2 37");
      }
      writer.join();
      p.send("QUIT\r\n".getBytes(US_ASCII));
      assertThat(p.readLine()).startsWith("+OK");
    }
  }

  @Test
  void droppedConnectionShouldDeleteNothingWhenNoQuit() throws IOException {
    SocketPeer p = login();
    p.send("DELE 1\r\nDELE 2\r\n".getBytes(US_ASCII));
    assertThat(p.readLine()).startsWith("+OK Message 1 deleted");
    assertThat(p.readLine()).startsWith("+OK Message 2 deleted");
    p.close(); // RFC 1939 §6: no QUIT, no UPDATE
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> servers.pop3Server().activeConnections() == 0);
    assertThat(servers.backend().messages("alice", "INBOX")).hasSize(3);
    try (SocketPeer again = loginOnly()) { // and the lock is released
      again.send("STAT\r\n".getBytes(US_ASCII));
      assertThat(again.readLine()).isEqualTo("+OK 3 133");
    }
  }

  @Test
  void clientThatNeverReadsShouldBeDisconnectedWhenWritesBlock() throws Exception {
    byte[] big =
        ("Subject: big\r\n\r\n" + "0123456789".repeat(100_000) + "\r\n").getBytes(US_ASCII);
    servers.deliver("alice", big);
    Socket s = new Socket(servers.host(), servers.pop3Port());
    s.setReceiveBufferSize(4096);
    OutputStream out = s.getOutputStream();
    out.write("USER alice\r\nPASS secret\r\n".getBytes(US_ASCII));
    // asks for ~100 MB and never reads: the write watchdog resets the connection
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int i = 0; i < 100; i++) out.write("RETR 1\r\n".getBytes(US_ASCII));
                out.flush();
              } catch (IOException e) {
                // the server reset the connection: expected
              }
            });
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> servers.pop3Server().activeConnections() == 0);
    writer.join();
    s.close();
    try (SocketPeer again = loginOnly()) { // the maildrop lock was released
      again.send("STAT\r\n".getBytes(US_ASCII));
      assertThat(again.readLine()).isEqualTo("+OK 1 " + big.length);
    }
  }

  @Test
  void secondSessionShouldGetInUseWhenFirstHoldsMaildrop() throws IOException {
    try (SocketPeer first = login();
        SocketPeer second = new SocketPeer(servers.host(), servers.pop3Port())) {
      second.readLine();
      second.send("USER alice\r\nPASS secret\r\n".getBytes(US_ASCII));
      second.readLine();
      assertThat(second.readLine()).startsWith("-ERR [IN-USE]");
      first.send("QUIT\r\n".getBytes(US_ASCII));
      assertThat(first.readLine()).startsWith("+OK");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> servers.pop3Server().activeConnections() == 1);
      second.send("PASS secret\r\n".getBytes(US_ASCII));
      assertThat(second.readLine()).isEqualTo("-ERR USER first");
      second.send("USER alice\r\nPASS secret\r\n".getBytes(US_ASCII));
      second.readLine();
      assertThat(second.readLine()).startsWith("+OK Maildrop has 3 messages");
    }
  }
}
