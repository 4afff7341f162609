package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * COMPRESS=DEFLATE (RFC 4978) over real sockets, with a client of our own that deflates what it
 * sends and inflates what it reads (Python's imaplib has no COMPRESS; mbsync's use of it is tested
 * against the server in carbonio-server).
 */
class CompressTest {
  @RegisterExtension
  static ImapServerExtension imap = ImapServerExtension.builder().user("alice", "secret").build();

  @RegisterExtension
  static ImapServerExtension tls =
      ImapServerExtension.builder()
          .user("alice", "secret")
          .configure(b -> b.tls(ImapServerSocketTest.TLS).implicitTls(true))
          .build();

  /** A line-oriented client whose streams can be switched to DEFLATE. */
  private static final class Client implements AutoCloseable {
    final Socket socket;
    InputStream in;
    OutputStream out;
    Deflater deflater;
    Inflater inflater;

    Client(Socket socket) throws IOException {
      this.socket = socket;
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    void send(String s) throws IOException {
      out.write(s.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    void send(byte[] b) throws IOException {
      out.write(b);
      out.flush();
    }

    String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') if (c != '\r') b.write(c);
      if (c < 0 && b.size() == 0) return null;
      return b.toString(StandardCharsets.UTF_8);
    }

    byte[] bytes(int n) throws IOException {
      return in.readNBytes(n);
    }

    /** Both directions deflate from now on (RFC 4978 §3, raw DEFLATE, §4 sync flush). */
    void compress() {
      deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
      inflater = new Inflater(true);
      out = new DeflaterOutputStream(out, deflater, 512, true);
      in = new InflaterInputStream(in, inflater, 512);
    }

    @Override
    public void close() throws IOException {
      socket.close();
      if (deflater != null) deflater.end();
      if (inflater != null) inflater.end();
    }
  }

  private static void loginAndCompress(Client c) throws IOException {
    assertThat(c.line()).startsWith("* OK").contains("COMPRESS=DEFLATE");
    c.send("a LOGIN alice secret\r\n");
    assertThat(c.line()).startsWith("a OK");
    c.send("z COMPRESS DEFLATE\r\n");
    assertThat(c.line()).isEqualTo("z OK DEFLATE active");
    c.compress();
  }

  /** Appends a large compressible message and reads it back through DEFLATE. */
  private static void roundTrip(Client c) throws IOException {
    StringBuilder body = new StringBuilder("Subject: big\r\n\r\n");
    Random r = new Random(7);
    while (body.length() < 300_000) {
      body.append("line ").append(r.nextInt(1000)).append(" of a long message\r\n");
    }
    byte[] msg = body.toString().getBytes(StandardCharsets.US_ASCII);
    c.send("b APPEND INBOX {" + msg.length + "}\r\n");
    assertThat(c.line()).startsWith("+ ");
    c.send(msg);
    c.send("\r\n");
    assertThat(c.line()).startsWith("b OK [APPENDUID");
    c.send("c COMPRESS DEFLATE\r\n");
    assertThat(c.line()).startsWith("c NO [COMPRESSIONACTIVE]");
    c.send("d SELECT INBOX\r\n");
    String l;
    while (!(l = c.line()).startsWith("d ")) assertThat(l).startsWith("* ");
    assertThat(l).startsWith("d OK");
    c.send("e FETCH 1 BODY.PEEK[]\r\n");
    assertThat(c.line()).isEqualTo("* 1 FETCH (BODY[] {" + msg.length + "}");
    assertThat(c.bytes(msg.length)).isEqualTo(msg);
    assertThat(c.line()).isEqualTo(")");
    assertThat(c.line()).isEqualTo("e OK FETCH completed");
    c.send("f LOGOUT\r\n");
    assertThat(c.line()).startsWith("* BYE");
    assertThat(c.line()).isEqualTo("f OK LOGOUT completed");
  }

  @Test
  void fetchShouldReturnTheAppendedBytesWhenBothDirectionsDeflate() throws IOException {
    try (Client c = new Client(new Socket(imap.host(), imap.port()))) {
      loginAndCompress(c);
      roundTrip(c);
      // the server's side compressed: far fewer bytes than the 300 kB message came in
      assertThat(c.inflater.getBytesRead()).isLessThan(c.inflater.getBytesWritten() / 3);
    }
  }

  @Test
  void compressionShouldWorkWhenOverTls() throws IOException {
    SSLSocket s =
        (SSLSocket)
            ImapServerSocketTest.TLS.getSocketFactory().createSocket(tls.host(), tls.port());
    try (Client c = new Client(s)) {
      loginAndCompress(c);
      roundTrip(c);
    }
  }

  @Test
  void commandsShouldRunWhenSentCompressedRightBehindCompress() throws IOException {
    try (Client c = new Client(new Socket(imap.host(), imap.port()))) {
      assertThat(c.line()).startsWith("* OK");
      c.send("a LOGIN alice secret\r\n");
      assertThat(c.line()).startsWith("a OK");
      // RFC 4978 §3: compressed data may follow the command's CRLF in the same packet
      ByteArrayOutputStream packet = new ByteArrayOutputStream();
      packet.writeBytes("z COMPRESS DEFLATE\r\n".getBytes(StandardCharsets.US_ASCII));
      Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
      try (DeflaterOutputStream z = new DeflaterOutputStream(packet, d, 512, true)) {
        z.write("y NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
        z.flush();
        c.send(packet.toByteArray());
        assertThat(c.line()).isEqualTo("z OK DEFLATE active");
        c.inflater = new Inflater(true);
        c.in = new InflaterInputStream(c.in, c.inflater, 512);
        assertThat(c.line()).isEqualTo("y OK NOOP completed");
      } finally {
        d.end();
      }
    }
  }

  @Test
  void compressShouldBeRefusedWhenNotAuthenticatedOrUnknown() throws IOException {
    try (Client c = new Client(new Socket(imap.host(), imap.port()))) {
      c.line();
      c.send("a COMPRESS DEFLATE\r\n");
      assertThat(c.line()).startsWith("a BAD");
      c.send("b LOGIN alice secret\r\n");
      assertThat(c.line()).startsWith("b OK");
      c.send("c COMPRESS GZIP\r\n");
      assertThat(c.line()).startsWith("c BAD");
      c.send("d NOOP\r\n"); // still uncompressed
      assertThat(c.line()).isEqualTo("d OK NOOP completed");
    }
  }
}
