package org.carbonio.imap.pop3.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes {@link Pop3Reply} values: CRLF after every line, byte-stuffing of lines starting with
 * {@code .} in multi-line replies (RFC 1939 §3), message line ends made CRLF.
 *
 * <p>Immutable (stateless).
 */
public final class Pop3Encoder {
  private static final byte[] CRLF = {'\r', '\n'};

  private Pop3Encoder() {}

  /** Writes one reply to {@code out} (not flushed). */
  public static void encode(Pop3Reply reply, OutputStream out) throws IOException {
    switch (reply) {
      case Pop3Reply.Ok ok -> line(out, ok.text().isEmpty() ? "+OK" : "+OK " + ok.text());
      case Pop3Reply.Err err ->
          line(out, "-ERR " + (err.code().isEmpty() ? "" : "[" + err.code() + "] ") + err.text());
      case Pop3Reply.Challenge c -> line(out, "+ " + c.data());
      case Pop3Reply.Lines lines -> {
        for (String l : lines.lines()) line(out, l.startsWith(".") ? "." + l : l);
      }
      case Pop3Reply.Content c -> {
        // RFC 1939 §3: a multi-line response is CRLF-terminated lines with dot-stuffing; it does
        // not forbid NUL octets, so RETR/TOP stay byte-exact (unlike IMAP's literal, which maps
        // NUL to 0x80, see ImapEncoder#copyMappingNul).
        try (InputStream in = c.message().openStream()) {
          content(in, c.bodyLines(), out);
        }
      }
      case Pop3Reply.End e -> line(out, ".");
    }
  }

  /** The reply as text (tests, logs); a {@link Pop3Reply.Content} is written in full. */
  public static String toString(Pop3Reply reply) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      encode(reply, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void line(OutputStream out, String text) throws IOException {
    // replies never carry a line end of their own
    out.write(text.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8));
    out.write(CRLF);
  }

  /**
   * Streams a message: each line as is (a bare CR is data), its end as CRLF, a {@code .} doubled at
   * the start of a line; with {@code bodyLines >= 0} only the header, the empty line and that many
   * body lines (RFC 1939 §7). Ends with CRLF.
   */
  private static void content(InputStream in, int bodyLines, OutputStream out) throws IOException {
    byte[] buf = new byte[8192];
    Sink sink = new Sink(out);
    boolean lineStart = true;
    boolean lineHasData = false;
    boolean pendingCr = false;
    boolean inBody = false;
    int bodyLeft = bodyLines;
    int n;
    while ((n = in.read(buf)) >= 0) {
      for (int i = 0; i < n; i++) {
        byte b = buf[i];
        if (pendingCr) {
          pendingCr = false;
          if (b != '\n') {
            sink.put((byte) '\r'); // a CR without LF is data
            lineHasData = true;
          }
        }
        if (b == '\n') {
          sink.put((byte) '\r');
          sink.put((byte) '\n');
          boolean wasEmpty = !lineHasData;
          lineStart = true;
          lineHasData = false;
          if (bodyLines >= 0) {
            if (inBody) {
              bodyLeft--;
            } else if (wasEmpty) {
              inBody = true; // RFC 5322 §2.1: the empty line ends the header
            }
            if (inBody && bodyLeft <= 0) {
              sink.flush();
              return;
            }
          }
          continue;
        }
        if (lineStart) {
          lineStart = false;
          if (b == '.') sink.put((byte) '.'); // RFC 1939 §3 byte-stuffing
        }
        if (b == '\r') {
          pendingCr = true;
          continue;
        }
        sink.put(b);
        lineHasData = true;
      }
    }
    if (pendingCr) sink.put((byte) '\r');
    if (!lineStart) {
      sink.put((byte) '\r');
      sink.put((byte) '\n');
    }
    sink.flush();
  }

  /** A small write buffer in front of the (possibly unbuffered) output. */
  private static final class Sink {
    private final OutputStream out;
    private final byte[] buf = new byte[8192];
    private int len;

    Sink(OutputStream out) {
      this.out = out;
    }

    void put(byte b) throws IOException {
      if (len == buf.length) flush();
      buf[len++] = b;
    }

    void flush() throws IOException {
      out.write(buf, 0, len);
      len = 0;
    }
  }
}
