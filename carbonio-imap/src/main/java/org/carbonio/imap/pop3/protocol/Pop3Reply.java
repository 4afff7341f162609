package org.carbonio.imap.pop3.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.carbonio.imap.protocol.ByteSource;

/**
 * One piece of a POP3 reply, as the session produces it and {@link Pop3Encoder} writes it. A
 * multi-line reply (RFC 1939 §3) is an {@link Ok}, then {@link Lines} and/or one {@link Content},
 * then {@link End}, so that long listings and messages stream.
 *
 * <p>Immutable.
 */
public sealed interface Pop3Reply {

  /** {@code +OK text}. */
  record Ok(String text) implements Pop3Reply {
    public Ok {
      requireNonNull(text, "text");
    }
  }

  /**
   * {@code -ERR [code] text}.
   *
   * @param code an RFC 2449 §8 response code such as {@code IN-USE} or {@code SYS/TEMP}, or empty
   */
  record Err(String code, String text) implements Pop3Reply {
    public Err {
      requireNonNull(code, "code");
      requireNonNull(text, "text");
    }
  }

  /** Lines of a multi-line reply, byte-stuffed by the encoder (RFC 1939 §3). */
  record Lines(List<String> lines) implements Pop3Reply {
    public Lines {
      lines = List.copyOf(lines);
    }
  }

  /**
   * A message in a multi-line reply: line ends written as CRLF whatever the stored ones, lines
   * starting with {@code .} byte-stuffed, a final CRLF added when missing.
   *
   * @param message the whole message; the encoder reads it once and does not close it
   * @param bodyLines how many body lines to send after the header (RFC 1939 §7 TOP), or -1 for the
   *     whole message
   */
  record Content(ByteSource message, int bodyLines) implements Pop3Reply {
    public Content {
      requireNonNull(message, "message");
      if (bodyLines < -1) throw new IllegalArgumentException("bodyLines " + bodyLines);
    }
  }

  /** The {@code .} that ends a multi-line reply. */
  record End() implements Pop3Reply {}

  /** {@code + data}: a SASL challenge (RFC 5034 §4), {@code data} already base64. */
  record Challenge(String data) implements Pop3Reply {
    public Challenge {
      requireNonNull(data, "data");
    }
  }
}
