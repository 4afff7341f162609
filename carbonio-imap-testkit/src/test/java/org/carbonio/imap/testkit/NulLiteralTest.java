package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * NUL octets in FETCH literals over a real socket: RFC 9051 §4.3 / RFC 3501 §9 ({@code literal} is
 * {@code *CHAR8}, no %x00) make the server send each NUL as 0x80 in BODY[...], RFC822...; BINARY[]
 * (literal8, RFC 3516) and POP3 RETR (RFC 1939) keep the exact bytes. The transcript format has no
 * way to write a NUL, so these byte-level checks live here.
 */
class NulLiteralTest {
  private static final byte[] MESSAGE =
      "Subject: n\u0000l\r\n\r\nab\u0000cd\u0000\r\n".getBytes(StandardCharsets.ISO_8859_1);

  @RegisterExtension
  ImapServerExtension imap = ImapServerExtension.builder().user("alice", "secret").build();

  @Test
  void fetchShouldMapNulTo0x80WhenLiteralAndKeepItWhenLiteral8() throws IOException {
    imap.deliver("alice", MESSAGE);
    byte[] mapped = MESSAGE.clone();
    for (int i = 0; i < mapped.length; i++) if (mapped[i] == 0) mapped[i] = (byte) 0x80;
    int headerLength = 16; // "Subject: n\0l\r\n\r\n"
    try (Socket s = new Socket(imap.host(), imap.port())) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      readUntil(in, "* OK");
      send(out, "a LOGIN alice secret\r\n");
      readUntil(in, "a OK");
      send(out, "b SELECT INBOX\r\n");
      readUntil(in, "b OK");

      send(out, "c FETCH 1 BODY.PEEK[]\r\n");
      assertThat(readUntil(in, "c OK"))
          .startsWith(concat(ascii("* 1 FETCH (BODY[] {" + MESSAGE.length + "}\r\n"), mapped));

      send(out, "d FETCH 1 BINARY.PEEK[]\r\n");
      assertThat(readUntil(in, "d OK"))
          .startsWith(concat(ascii("* 1 FETCH (BINARY[] ~{" + MESSAGE.length + "}\r\n"), MESSAGE));

      send(out, "e FETCH 1 (RFC822.HEADER RFC822.TEXT)\r\n");
      assertThat(readUntil(in, "e OK"))
          .startsWith(
              concat(
                  ascii("* 1 FETCH (RFC822.HEADER {" + headerLength + "}\r\n"),
                  Arrays.copyOfRange(mapped, 0, headerLength),
                  ascii(" RFC822.TEXT {" + (MESSAGE.length - headerLength) + "}\r\n"),
                  Arrays.copyOfRange(mapped, headerLength, mapped.length)));

      // RFC 3501 §6.4.5 partial: the mapping is 1:1, so offsets count stored octets
      send(out, "f FETCH 1 BODY.PEEK[TEXT]<1.5>\r\n");
      assertThat(readUntil(in, "f OK"))
          .startsWith(
              concat(
                  ascii("* 1 FETCH (BODY[TEXT]<1> {5}\r\n"),
                  new byte[] {'b', (byte) 0x80, 'c', 'd', (byte) 0x80}));

      send(out, "g FETCH 1 RFC822\r\n");
      assertThat(readUntil(in, "g OK"))
          .startsWith(concat(ascii("* 1 FETCH (RFC822 {" + MESSAGE.length + "}\r\n"), mapped));
    }
  }

  @Test
  void retrShouldKeepNulWhenPop3() throws IOException {
    imap.deliver("alice", MESSAGE);
    try (Socket s = new Socket(imap.host(), imap.pop3Port())) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      readUntil(in, "+OK");
      send(out, "USER alice\r\nPASS secret\r\n");
      readUntil(in, "+OK");
      readUntil(in, "+OK");
      send(out, "RETR 1\r\n");
      byte[] got = readUntil(in, ".");
      // RFC 1939 §3: no octet is forbidden in a multi-line response; only dot-stuffing applies
      assertThat(got).containsSequence(MESSAGE);
    }
  }

  private static void send(OutputStream out, String s) throws IOException {
    out.write(ascii(s));
    out.flush();
  }

  /** Reads lines until one starts with {@code prefix}; returns every byte read. */
  private static byte[] readUntil(InputStream in, String prefix) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int prev = -1;
    for (int b; (b = in.read()) >= 0; prev = b) {
      all.write(b);
      line.write(b);
      if (b == '\n' && prev == '\r') {
        if (line.toString(StandardCharsets.ISO_8859_1).startsWith(prefix)) return all.toByteArray();
        line.reset();
      }
    }
    throw new IOException("connection closed before " + prefix);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
