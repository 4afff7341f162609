package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.Random;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.carbonio.imap.ImapLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Transport behaviour over real sockets: TLS, limits, garbage. */
class ImapServerSocketTest {
  static final SSLContext TLS = tls();

  @RegisterExtension
  ImapServerExtension imap =
      ImapServerExtension.builder()
          .user("alice", "secret")
          .configure(
              b ->
                  b.tls(TLS)
                      .hostname("imap.test.invalid")
                      .allowPlaintextAuth(false)
                      .limits(
                          ImapLimits.DEFAULTS
                              .withMaxLineLength(1024)
                              .withMaxLiteralSize(3L << 20)
                              .withSpoolThreshold(64 * 1024)))
          .build();

  static SSLContext tls() {
    try (InputStream in = ImapServerSocketTest.class.getResourceAsStream("/test-keystore.p12")) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, "changeit".toCharArray());
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, "changeit".toCharArray());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void loginShouldBeRefusedWhenNoTlsAndLoginDisabled() throws IOException {
    try (SocketPeer c = new SocketPeer(imap.host(), imap.port())) {
      assertThat(c.readLine())
          .contains("imap.test.invalid")
          .contains("STARTTLS")
          .contains("LOGINDISABLED")
          .doesNotContain("AUTH=PLAIN");
      c.send(bytes("a LOGIN alice secret\r\n"));
      assertThat(c.readLine()).isEqualTo("a NO [PRIVACYREQUIRED] LOGIN disabled without TLS");
      c.send(bytes("b AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n"));
      assertThat(c.readLine()).startsWith("b NO [PRIVACYREQUIRED]");
    }
  }

  @Test
  void idleClientShouldGetByeWhenServerShutsDown() throws IOException {
    try (SocketPeer c = new SocketPeer(imap.host(), imap.port())) {
      assertThat(c.readLine()).startsWith("* OK");
      imap.server().close();
      assertThat(c.readLine()).isEqualTo("* BYE Server shutting down"); // RFC 3501 §7.1.5
    }
  }

  @Test
  void loginShouldSucceedWhenStartTlsDone() throws IOException {
    try (Socket plain = new Socket(imap.host(), imap.port())) {
      plain.setSoTimeout(10_000);
      LineIo io = new LineIo(plain.getInputStream(), plain.getOutputStream());
      io.readLine();
      // a command pipelined after STARTTLS must be discarded (RFC 3501 §6.2.1)
      io.send("t STARTTLS\r\nx NOOP\r\n");
      assertThat(io.readLine()).isEqualTo("t OK Begin TLS negotiation now");
      SSLSocket tls =
          (SSLSocket)
              TLS.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
      tls.startHandshake();
      LineIo s = new LineIo(tls.getInputStream(), tls.getOutputStream());
      s.send("c CAPABILITY\r\n");
      String caps = s.readLine();
      assertThat(caps)
          .contains("AUTH=PLAIN")
          .doesNotContain("STARTTLS")
          .doesNotContain("LOGINDISABLED");
      assertThat(s.readLine()).isEqualTo("c OK CAPABILITY completed");
      s.send("l LOGIN alice secret\r\n");
      assertThat(s.readLine()).startsWith("l OK [CAPABILITY");
    }
  }

  @Test
  void connectionShouldStayUsableWhenUnknownCommandAndLongLine() throws IOException {
    try (Socket plain = new Socket(imap.host(), imap.port())) {
      plain.setSoTimeout(10_000);
      LineIo io = new LineIo(plain.getInputStream(), plain.getOutputStream());
      io.readLine();
      io.send("a FROB\r\n");
      assertThat(io.readLine()).isEqualTo("a BAD unknown command FROB");
      io.send("b NOOP " + "x".repeat(5000) + "\r\n");
      assertThat(io.readLine()).isEqualTo("b BAD line too long (limit 1024)");
      io.send("c NOOP\r\n");
      assertThat(io.readLine()).isEqualTo("c OK NOOP completed");
    }
  }

  @Test
  void appendShouldBeRefusedWhenLiteralOverLimit() throws IOException {
    try (SocketPeer c = loggedInOverTls()) {
      c.send(bytes("a APPEND INBOX {4194304}\r\n"));
      assertThat(c.readLine()).startsWith("a NO [TOOBIG]");
      c.send(bytes("b APPEND INBOX {4194304+}\r\n"));
      c.send(new byte[4194304]);
      c.send(bytes("\r\n"));
      assertThat(c.readLine()).startsWith("b NO [TOOBIG]");
      c.send(bytes("c NOOP\r\n"));
      assertThat(c.readLine()).isEqualTo("c OK NOOP completed");
    }
  }

  @Test
  void appendShouldStoreMessageWhenLiteralSpooledToDisk() throws IOException {
    byte[] body =
        ("Subject: big\r\n\r\n" + "y".repeat(2 << 20) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    try (SocketPeer c = loggedInOverTls()) {
      c.send(bytes("a APPEND INBOX {" + body.length + "}\r\n"));
      assertThat(c.readLine()).startsWith("+ ");
      c.send(body);
      c.send(bytes("\r\n"));
      assertThat(c.readLine()).matches("a OK \\[APPENDUID \\d+ 1\\] APPEND completed");
    }
    assertThat(imap.backend().messages("alice", "INBOX"))
        .singleElement()
        .satisfies(m -> assertThat(m.size()).isEqualTo(body.length));
  }

  @Test
  void serverShouldSurviveWhenRandomBytes() throws IOException {
    Random random = new Random(42);
    for (int round = 0; round < 5; round++) {
      try (Socket s = new Socket(imap.host(), imap.port())) {
        s.setSoTimeout(10_000);
        byte[] junk = new byte[20_000];
        random.nextBytes(junk);
        OutputStream out = s.getOutputStream();
        try {
          out.write(junk);
          out.write(bytes("\r\nz NOOP\r\n"));
          out.flush();
        } catch (IOException e) {
          // the server may close on garbage; it must keep serving others
        }
      }
    }
    try (SocketPeer c = new SocketPeer(imap.host(), imap.port())) {
      assertThat(c.readLine()).startsWith("* OK");
      c.send(bytes("n NOOP\r\n"));
      assertThat(c.readLine()).isEqualTo("n OK NOOP completed");
    }
  }

  @Test
  void commandShouldBeRefusedWhenLiteralsExceedMaxCommandBytes() throws IOException {
    try (SocketPeer c = new SocketPeer(imap.host(), imap.port())) {
      c.readLine();
      // each literal is within maxLineLength, together they are over maxCommandBytes (1 MiB)
      byte[] piece = bytes(" {1000+}\r\n" + "x".repeat(1000));
      c.send(bytes("a ID (\"k\""));
      for (int i = 0; i < 2000; i++) c.send(piece);
      c.send(bytes(")\r\n"));
      assertThat(c.readLine()).isEqualTo("a BAD command too large (limit 1048576 bytes)");
      c.send(bytes("b NOOP\r\n"));
      assertThat(c.readLine()).isEqualTo("b OK NOOP completed");
    }
  }

  @Test
  void literalShouldBeRefusedWithoutContinuationWhenLargeBeforeLogin() throws IOException {
    try (SocketPeer c = new SocketPeer(imap.host(), imap.port())) {
      c.readLine();
      // RFC 3501 §7.5: a tagged BAD instead of "+" stops the client from sending the literal
      c.send(bytes("a APPEND INBOX {50000000}\r\n"));
      assertThat(c.readLine())
          .isEqualTo(
              "a BAD literal of 50000000 bytes not accepted before authentication (limit 8192)");
      c.send(bytes("b APPEND INBOX {9000+}\r\n"));
      c.send(new byte[9000]);
      c.send(bytes("\r\n"));
      assertThat(c.readLine()).startsWith("b BAD literal of 9000 bytes not accepted");
      c.send(bytes("l LOGIN {5}\r\n"));
      assertThat(c.readLine()).startsWith("+ ");
      c.send(bytes("alice {6}\r\n"));
      assertThat(c.readLine()).startsWith("+ ");
      c.send(bytes("secret\r\n"));
      assertThat(c.readLine()).isEqualTo("l NO [PRIVACYREQUIRED] LOGIN disabled without TLS");
    }
  }

  private SocketPeer loggedInOverTls() throws IOException {
    SocketPeer c = new SocketPeer(imap.host(), imap.port());
    c.readLine();
    c.send(bytes("t STARTTLS\r\n"));
    c.readLine();
    c.startTls(TLS);
    c.send(bytes("l LOGIN alice secret\r\n"));
    assertThat(c.readLine()).startsWith("l OK");
    return c;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Minimal line I/O over given streams. */
  private record LineIo(InputStream in, OutputStream out) {
    void send(String s) throws IOException {
      out.write(bytes(s));
      out.flush();
    }

    String readLine() throws IOException {
      StringBuilder sb = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') break;
        if (b != '\r') sb.append((char) b);
      }
      return sb.toString();
    }
  }
}
