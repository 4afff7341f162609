package org.carbonio.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.carbonio.directory.EmbeddedDirectory;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile SMTP input at the server's MX listener (port 25 with the real router): each gets the
 * right reply, nothing is smuggled, and the session or the server stays usable.
 */
class MtaBadInputTest {

  private static final String IVY = "ivy@localhost";

  @RegisterExtension final ServerExtension carbonio = new ServerExtension().account(IVY, "Ivy-1");

  @TempDir Path tmp;

  private int smtp() {
    return carbonio.port(Listener.Kind.SMTP);
  }

  private List<String> inbox() throws IOException {
    CarbonioServer server = carbonio.server();
    Mailbox box = server.store().mailbox(server.directory().findAccount(IVY).orElseThrow().id());
    List<String> out = new ArrayList<>();
    for (MessageInfo m : box.snapshot("INBOX").messages()) {
      out.add(new String(box.read("INBOX", m.uid()), ISO_8859_1));
    }
    return out;
  }

  @Test
  void mailAndRcptShouldAnswer501WhenAddressesAreMalformed() throws Exception {
    try (RawSmtp client = new RawSmtp(smtp())) {
      // RFC 5321 §4.1.2 (Path syntax), §4.2.2: 501 syntax error in parameters or arguments
      // lenient by default (Postel): "a@@example.org" passes as local-part "a@"; these do not
      client.command("MAIL FROM:<no-at-sign>", "501");
      client.command("MAIL FROM:<a@>", "501");
      client.command("MAIL FROM:<a@example.org", "501");
      client.command("MAIL FROM:<@example.org>", "501"); // a source route without its ":"
      client.command("MAIL FROM:<a@example.org>x", "501");
      client.command("MAIL FROM:<sender@example.org>", "250");
      client.command("RCPT TO:<>", "501");
      client.command("RCPT TO:<ivy>", "501");
      client.command("RCPT TO:<ivy@localhost", "501");
      client.command("RCPT TO:<" + "a".repeat(65) + "@localhost>", "501"); // §4.5.3.1.1: 64
      client.command("RCPT TO:<ivy@localhost>", "250");
      client.command("RSET", "250");
    }
  }

  @Test
  void commandShouldAnswer500WhenItContainsNul() throws Exception {
    try (RawSmtp client = new RawSmtp(smtp())) {
      client.write("NOOP\0\r\n".getBytes(ISO_8859_1));
      assertThat(client.reply()).startsWith("500");
      client.write("MAIL FROM:<a\0b@example.org>\r\n".getBytes(ISO_8859_1));
      assertThat(client.reply()).startsWith("5");
      client.command("NOOP", "250");
    }
  }

  @Test
  void commandShouldAnswer500WhenLineIsTooLong() throws Exception {
    try (RawSmtp client = new RawSmtp(smtp())) {
      // RFC 5321 §4.5.3.1.4: a command line is at most 512 octets; we accept up to 1000
      String reply =
          client.command(
              "MAIL FROM:<" + "a".repeat(SmtpLimits.DEFAULT_MAX_LINE_LENGTH) + ">", "500");
      assertThat(reply).startsWith("500 5.5.2");
      client.command("NOOP", "250");
    }
  }

  @Test
  void rcptShouldAnswer452WhenRecipientsExceedTheLimit() throws Exception {
    try (RawSmtp client = new RawSmtp(smtp())) {
      client.command("MAIL FROM:<sender@example.org>", "250");
      for (int i = 0; i < SmtpLimits.DEFAULT_MAX_RECIPIENTS; i++) {
        client.command("RCPT TO:<ivy@localhost>", "250");
      }
      // RFC 5321 §4.5.3.1.10: 452 too many recipients; RFC 3463 X.5.3
      assertThat(client.command("RCPT TO:<ivy@localhost>", "452")).startsWith("452 4.5.3");
      client.command("RSET", "250");
    }
  }

  @Test
  void bareLfShouldNotEndTheMessageWhenClientSmugglesACommand() throws Exception {
    try (RawSmtp client = new RawSmtp(smtp())) {
      client.command("MAIL FROM:<sender@example.org>", "250");
      client.command("RCPT TO:<ivy@localhost>", "250");
      client.command("DATA", "354");
      // "<LF>.<LF>" is not the end of data (RFC 5321 §4.1.1.4: only <CRLF>.<CRLF> is); a server
      // that took it for one would run the smuggled transaction (SMTP smuggling, CVE-2023-51766)
      client.write(
          ("Subject: smuggle\r\n\r\nfirst\n.\nMAIL FROM:<evil@example.org>\nRCPT TO:<ivy@localhost>\n"
                  + "DATA\nSubject: smuggled\n\nevil\r\n.\r\n")
              .getBytes(ISO_8859_1));
      String reply = client.reply();
      assertThat(reply).startsWith("250");
      client.command("NOOP", "250"); // one reply for the DATA: the session is in step
    }
    List<String> inbox = inbox();
    assertThat(inbox).hasSize(1);
    assertThat(inbox.get(0)).contains("Subject: smuggle\r\n").contains("evil");
    // bare LFs were made CRLF: what is stored (or relayed) is canonical, RFC 5322 §2.3
    assertThat(inbox.get(0).replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
  }

  @Test
  void longDataLineShouldBeAcceptedWhenMessageIsOtherwiseFine() throws Exception {
    String line = "x".repeat(5_000);
    try (RawSmtp client = new RawSmtp(smtp())) {
      client.command("MAIL FROM:<sender@example.org>", "250");
      client.command("RCPT TO:<ivy@localhost>", "250");
      client.command("DATA", "354");
      client.write(("Subject: long line\r\n\r\n" + line + "\r\n.\r\n").getBytes(ISO_8859_1));
      String reply = client.reply();
      // RFC 5321 §4.5.3.1.6 allows 1000 octets per text line; Postfix-like leniency keeps the
      // line whole (no silent truncation), and the next command is read as such
      assertThat(reply).startsWith("250");
      client.command("NOOP", "250");
    }
    assertThat(inbox()).singleElement().asString().contains(line);
  }

  @Test
  void bdatShouldReadExtraBytesAsNextCommandWhenChunkIsShorterThanSent() throws Exception {
    try (RawSmtp client = new RawSmtp(smtp())) {
      client.command("MAIL FROM:<sender@example.org>", "250");
      client.command("RCPT TO:<ivy@localhost>", "250");
      byte[] chunk = "Subject: bdat\r\n\r\nhello\r\n".getBytes(ISO_8859_1);
      // RFC 3030 §2: exactly the declared octets are the chunk; what follows is a command
      client.write(("BDAT " + chunk.length + " LAST\r\n").getBytes(ISO_8859_1));
      client.write(chunk);
      client.write("NOOP\r\n".getBytes(ISO_8859_1));
      assertThat(client.reply()).startsWith("250");
      assertThat(client.reply()).startsWith("250"); // the NOOP
    }
    assertThat(inbox()).singleElement().asString().endsWith("\r\n\r\nhello\r\n");
  }

  @Test
  void bdatShouldStoreNothingWhenClientSendsFewerBytesAndHangsUp() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", smtp()), 10_000);
      socket.setSoTimeout(30_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), ISO_8859_1));
      OutputStream out = socket.getOutputStream();
      assertThat(readReply(in)).startsWith("220");
      // pipelined (RFC 2920): the replies come back in order
      out.write(
          ("EHLO cut.test\r\nMAIL FROM:<sender@example.org>\r\nRCPT TO:<ivy@localhost>\r\n"
                  + "BDAT 1000 LAST\r\nSubject: short\r\n\r\nonly this\r\n")
              .getBytes(ISO_8859_1));
      out.flush();
      for (int i = 0; i < 3; i++) {
        assertThat(readReply(in)).startsWith("250");
      }
      // the chunk is 1000 octets: the server waits for the rest and answers nothing yet (the
      // data timeout would end it); the client gives up and hangs up
    }
    // the server still serves, and stored nothing of the cut chunk
    RawSmtp.deliver(smtp(), IVY, E2E.crlf("Subject: after\n\nfine\n"));
    assertThat(inbox()).singleElement().asString().contains("Subject: after");
  }

  /**
   * Clients that never finish, at the server as operators run it with {@code --smtp-timeout 2}: one
   * that stops sending after EHLO, one that stops in the middle of a message. Each gets {@code 421}
   * and is disconnected after the timeout (RFC 5321 §4.5.3.2), costs its connection only while it
   * lasts, and nothing of the cut message is stored.
   */
  @Test
  void slowClientsShouldGet421AndBeDisconnectedWhenTheyStallPastTheTimeout() throws Exception {
    Path data = tmp.resolve("slow");
    try (ServerProcess server =
        ServerProcess.start(
            data,
            List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), // starts faster
            "--smtp-timeout",
            "2")) {
      int port = server.port("smtp");
      try (Socket idle = new Socket();
          Socket midMessage = new Socket()) {
        idle.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        midMessage.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        idle.setSoTimeout(30_000);
        midMessage.setSoTimeout(30_000);
        BufferedReader idleIn =
            new BufferedReader(new InputStreamReader(idle.getInputStream(), ISO_8859_1));
        BufferedReader midIn =
            new BufferedReader(new InputStreamReader(midMessage.getInputStream(), ISO_8859_1));
        assertThat(readReply(idleIn)).startsWith("220");
        assertThat(readReply(midIn)).startsWith("220");
        OutputStream out = midMessage.getOutputStream();
        out.write(
            ("EHLO slow.test\r\nMAIL FROM:<sender@example.org>\r\nRCPT TO:<admin@localhost>"
                    + "\r\nDATA\r\n")
                .getBytes(ISO_8859_1));
        out.flush();
        for (int i = 0; i < 3; i++) {
          assertThat(readReply(midIn)).startsWith("250");
        }
        assertThat(readReply(midIn)).startsWith("354");
        out.write("Subject: never finished\r\n\r\nhalf a".getBytes(ISO_8859_1));
        out.flush();
        long start = System.nanoTime();
        assertThat(readReply(idleIn)).startsWith("421 4.4.2");
        assertThat(readReply(midIn)).startsWith("421 4.4.2");
        assertThat(idleIn.read()).isEqualTo(-1); // closed by the server
        assertThat(midIn.read()).isEqualTo(-1);
        assertThat(System.nanoTime() - start).isLessThan(20_000_000_000L);
      }
      // still serving
      assertThat(readReplyAfterConnect(port)).startsWith("220");
    }
  }

  private static String readReplyAfterConnect(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      s.setSoTimeout(30_000);
      return readReply(new BufferedReader(new InputStreamReader(s.getInputStream(), ISO_8859_1)));
    }
  }

  /**
   * 100 MB of DATA to a server whose heap is 64 MB: it reads and discards beyond the 50 MiB limit
   * and answers 552 at the end (RFC 5321 §4.5.3.1.10, RFC 1870 §6.3), never holding the message in
   * memory, and goes on serving.
   */
  @Test
  void dataShouldBeRefusedWith552InBoundedMemoryWhenStreamIsOverTheSizeLimit() throws Exception {
    Path data = tmp.resolve("data");
    try (EmbeddedDirectory directory = E2E.cheapDirectory(data)) {
      directory.createDomain("example.test");
      directory.createAccount("ann@example.test", "Secret-ann");
    }
    try (ServerProcess server =
        ServerProcess.start(
            data,
            List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
            "--domain",
            "example.test")) {
      int port = server.port("smtp");
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(120_000);
        BufferedReader in =
            new BufferedReader(new InputStreamReader(socket.getInputStream(), ISO_8859_1));
        OutputStream out = socket.getOutputStream();
        assertThat(readReply(in)).startsWith("220");
        for (String c :
            List.of("EHLO big.test", "MAIL FROM:<big@example.org>", "RCPT TO:<ann@example.test>")) {
          out.write((c + "\r\n").getBytes(ISO_8859_1));
          out.flush();
          assertThat(readReply(in)).startsWith("250");
        }
        out.write("DATA\r\n".getBytes(ISO_8859_1));
        out.flush();
        assertThat(readReply(in)).startsWith("354");
        out.write("Subject: big\r\n\r\n".getBytes(ISO_8859_1));
        byte[] block = ("y".repeat(998) + "\r\n").repeat(1000).getBytes(ISO_8859_1); // ~1 MB
        for (int i = 0; i < 100; i++) {
          out.write(block);
        }
        out.write(".\r\n".getBytes(ISO_8859_1));
        out.flush();
        assertThat(readReply(in)).startsWith("552");
        out.write("NOOP\r\n".getBytes(ISO_8859_1));
        out.flush();
        assertThat(readReply(in)).startsWith("250");
      }
      RawSmtp.deliver(server.port("smtp"), "ann@example.test", E2E.crlf("Subject: small\n\nok\n"));
    }
  }

  private static String readReply(BufferedReader in) throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed");
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
    return line;
  }
}
