package org.carbonio.smtp.protocol;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;

/** One result of {@link SmtpDecoder#decode}. Immutable, except as noted for {@link DataChunk}. */
public sealed interface Decoded {

  /** The shared {@link NeedMore} value. */
  NeedMore NEED_MORE = new NeedMore();

  /** A complete, valid command line. */
  record Command(SmtpCommand command) implements Decoded {
    /** Checks the command is present. */
    public Command {
      requireNonNull(command, "command");
    }
  }

  /** The input is used up: read more bytes, then call {@code decode} again. */
  record NeedMore() implements Decoded {}

  /**
   * A command line the client got wrong (unknown verb, syntax, too long); send the reply. The
   * decoder has already skipped the line.
   */
  record Bad(SmtpReply reply) implements Decoded {
    /** Checks the reply is present. */
    public Bad {
      requireNonNull(reply, "reply");
    }
  }

  /**
   * Message bytes during DATA, dot-unstuffed, or the octets of a BDAT chunk as sent. The buffer is
   * a read-only view of the decoder's memory and is valid only until the next call of {@code
   * decode}.
   */
  record DataChunk(ByteBuffer bytes) implements Decoded {
    /** Checks the buffer is present. */
    public DataChunk {
      requireNonNull(bytes, "bytes");
    }
  }

  /**
   * The end of DATA ({@code <CRLF>.<CRLF>}) was read; the decoder is back in command mode.
   *
   * @param bytes how many message bytes the {@link DataChunk}s carried
   * @param bareLineBreak true when the data held a bare CR or LF (RFC 5321 §2.3.8)
   */
  record DataEnd(long bytes, boolean bareLineBreak) implements Decoded {}

  /**
   * The end of a BDAT chunk (RFC 3030 §2): exactly {@code bytes} octets were read after the BDAT
   * command line; the decoder is back in command mode.
   *
   * @param bytes the chunk size
   * @param last true when the command said {@code LAST}
   */
  record ChunkEnd(long bytes, boolean last) implements Decoded {}

  /**
   * One client line of a SASL exchange, after {@link SmtpDecoder#startAuthResponse()} (RFC 4954
   * §4): base64 or {@code *}, without CRLF. It may be up to {@link
   * SmtpDecoder#MAX_AUTH_LINE_LENGTH} octets long.
   */
  record AuthResponse(String line) implements Decoded {
    /** Checks the line is present. */
    public AuthResponse {
      requireNonNull(line, "line");
    }

    /** Never shows the line: it holds credentials. */
    @Override
    public String toString() {
      return "AuthResponse[***]";
    }
  }
}
