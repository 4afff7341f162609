package org.carbonio.smtp.protocol;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.SmtpLimits;

/**
 * Push decoder for the client side of SMTP: command lines and DATA content. Not thread-safe:
 * confine to one connection.
 *
 * <p>Call {@link #decode} with whatever bytes arrived; it consumes what it used and returns one
 * {@link Decoded} value. It never blocks, never throws on input, keeps at most {@code
 * maxLineLength} bytes of a partial command line and 8 KiB of message bytes, and looks at every
 * input byte once. After the session accepted DATA, call {@link #startData()}; the decoder then
 * yields {@link Decoded.DataChunk}s and one {@link Decoded.DataEnd}, after which it is back in
 * command mode.
 *
 * <p>DATA handling (RFC 5321 §4.5.2): a leading {@code .} of a line is removed; the data ends at
 * {@code <CRLF>.<CRLF>} only. The CRLF before the final dot belongs to the message. For CRLF input
 * the chunks are byte-exact. A bare LF becomes CRLF (in both modes; in {@link Compliance#STRICT}
 * the session then refuses the message), a bare CR is passed through, and a {@code .} line after a
 * bare LF is content, never the end: {@code <LF>.<LF>} and {@code <LF>.<CRLF>} do not end DATA
 * (SMTP smuggling).
 */
public final class SmtpDecoder {

  private static final int CHUNK = 8192;

  /**
   * Longest SASL response line in octets, CRLF included: RFC 4954 §4 lets a response be 12288
   * octets. Only lines read after {@link #startAuthResponse()} may be this long.
   */
  public static final int MAX_AUTH_LINE_LENGTH = 12288 + 2;

  private enum State {
    LINE,
    DISCARD,
    BDAT,
    DATA_LINE_START,
    DATA_DOT,
    DATA_DOT_CR,
    DATA_MIDDLE,
    DATA_CR,
    DATA_END
  }

  private final int maxLineLength;
  private final Compliance compliance;
  private byte[] line;
  private int lineLength;
  private boolean authLine;
  private long chunkRemaining;
  private long chunkSize;
  private boolean chunkLast;
  private final byte[] out = new byte[CHUNK];
  private int outLength;
  private State state = State.LINE;
  private boolean lastLineEndedCrlf;
  private boolean bareLineBreak;
  private long dataBytes;

  /**
   * Creates a decoder in command mode.
   *
   * @param limits only {@code maxLineLength} is used
   * @param compliance {@link Compliance#STRICT} refuses command lines ending in bare LF
   */
  public SmtpDecoder(SmtpLimits limits, Compliance compliance) {
    this.maxLineLength = limits.maxLineLength();
    this.compliance = requireNonNull(compliance, "compliance");
    this.line = new byte[maxLineLength - 1];
  }

  /**
   * Switches to DATA mode, after the session answered DATA with 354.
   *
   * @throws IllegalStateException when not in command mode between lines
   */
  public void startData() {
    if (state != State.LINE || lineLength != 0) {
      throw new IllegalStateException("startData in state " + state);
    }
    state = State.DATA_LINE_START;
    lastLineEndedCrlf = true;
    bareLineBreak = false;
    dataBytes = 0;
  }

  /**
   * Reads the next line as a SASL response ({@link Decoded.AuthResponse}), after the session
   * answered {@code 334} (RFC 4954 §4). That one line may be up to {@value #MAX_AUTH_LINE_LENGTH}
   * octets; a longer one yields {@code 500 5.5.6}.
   *
   * @throws IllegalStateException when not in command mode between lines
   */
  public void startAuthResponse() {
    if (state != State.LINE || lineLength != 0) {
      throw new IllegalStateException("startAuthResponse in state " + state);
    }
    authLine = true;
  }

  /**
   * True between {@link #startData()} and the {@link Decoded.DataEnd}, and while a BDAT chunk is
   * read.
   */
  public boolean inData() {
    return state != State.LINE && state != State.DISCARD;
  }

  /**
   * Decodes from {@code in}, advancing its position past the bytes used.
   *
   * @param in the received bytes (read mode)
   * @return the next result; {@link Decoded.NeedMore} when {@code in} is used up
   */
  public Decoded decode(ByteBuffer in) {
    outLength = 0; // the previous DataChunk is no longer valid
    if (state == State.DATA_END) {
      state = State.LINE;
      return new Decoded.DataEnd(dataBytes, bareLineBreak);
    }
    return switch (state) {
      case LINE, DISCARD -> decodeLine(in);
      case BDAT -> decodeChunk(in);
      default -> decodeData(in);
    };
  }

  // RFC 3030 §2: exactly chunk-size octets follow the BDAT line, whatever they contain
  private Decoded decodeChunk(ByteBuffer in) {
    if (chunkRemaining == 0) {
      state = State.LINE;
      return new Decoded.ChunkEnd(chunkSize, chunkLast);
    }
    int n = (int) Math.min(Math.min(chunkRemaining, in.remaining()), CHUNK);
    if (n == 0) {
      return Decoded.NEED_MORE;
    }
    in.get(out, 0, n);
    outLength = n;
    chunkRemaining -= n;
    return chunk();
  }

  private Decoded decodeLine(ByteBuffer in) {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (state == State.DISCARD) {
        if (b == '\n') {
          state = State.LINE;
        }
        continue;
      }
      int limit = authLine ? MAX_AUTH_LINE_LENGTH : maxLineLength;
      if (b == '\n') {
        int length = lineLength;
        lineLength = 0;
        boolean crlf = length > 0 && line[length - 1] == '\r';
        if (crlf) {
          length--;
        }
        if (length + 2 > limit) {
          return tooLong(); // bare-LF line one byte too long
        }
        if (authLine) {
          authLine = false;
          return new Decoded.AuthResponse(new String(line, 0, length, StandardCharsets.ISO_8859_1));
        }
        if (!crlf && compliance == Compliance.STRICT) {
          return new Decoded.Bad(SmtpReplies.BARE_LINE_BREAK_COMMAND);
        }
        Decoded d = CommandParser.parse(line, length, compliance, in.hasRemaining());
        if (d instanceof Decoded.Command(SmtpCommand.Bdat bdat)) {
          state = State.BDAT; // the chunk follows at once, even when the session refuses it
          chunkSize = bdat.size();
          chunkRemaining = bdat.size();
          chunkLast = bdat.last();
        }
        return d;
      }
      if (lineLength == limit - 1) {
        // RFC 5321 §4.5.3.1.4: with the LF this line is longer than the limit
        lineLength = 0;
        state = State.DISCARD;
        return tooLong();
      }
      if (lineLength == line.length) {
        line = Arrays.copyOf(line, limit); // only a SASL response line grows the buffer
      }
      line[lineLength++] = b;
    }
    return Decoded.NEED_MORE;
  }

  private Decoded tooLong() {
    if (authLine) {
      authLine = false;
      return new Decoded.Bad(SmtpReplies.AUTH_LINE_TOO_LONG); // RFC 4954 §4
    }
    return new Decoded.Bad(SmtpReplies.LINE_TOO_LONG);
  }

  private Decoded decodeData(ByteBuffer in) {
    while (in.hasRemaining()) {
      if (outLength > CHUNK - 3) {
        return chunk();
      }
      int p = in.position();
      byte b = in.get(p);
      switch (state) {
        case DATA_LINE_START -> {
          if (b == '.') {
            in.position(p + 1);
            state = State.DATA_DOT;
          } else {
            state = State.DATA_MIDDLE;
          }
        }
        case DATA_DOT -> {
          if (b == '\r') {
            in.position(p + 1);
            state = State.DATA_DOT_CR;
          } else if (b == '\n') {
            // "." ended by a bare LF: content, not the end of data
            in.position(p + 1);
            bareLineBreak = true;
            emit((byte) '.');
            emitCrlf();
            lastLineEndedCrlf = false;
            state = State.DATA_LINE_START;
          } else {
            state = State.DATA_MIDDLE; // RFC 5321 §4.5.2: drop the stuffed dot
          }
        }
        case DATA_DOT_CR -> {
          if (b == '\n') {
            in.position(p + 1);
            if (lastLineEndedCrlf) {
              if (outLength > 0) {
                state = State.DATA_END; // the DataEnd follows the chunk
                return chunk();
              }
              state = State.LINE;
              return new Decoded.DataEnd(dataBytes, bareLineBreak);
            }
            emit((byte) '.'); // "<LF>.<CRLF>" is content (SMTP smuggling)
            emitCrlf();
            lastLineEndedCrlf = true;
            state = State.DATA_LINE_START;
          } else {
            bareLineBreak = true;
            emit((byte) '\r'); // the dot was stuffing, the CR is bare
            state = State.DATA_MIDDLE;
          }
        }
        case DATA_MIDDLE -> {
          int limit = in.limit();
          int room = CHUNK - outLength; // at least 3, see the loop head
          int i = p;
          while (i < limit && room > 0) {
            byte c = in.get(i);
            if (c == '\r' || c == '\n') {
              break;
            }
            i++;
            room--;
          }
          if (i > p) {
            in.get(p, out, outLength, i - p);
            outLength += i - p;
            dataBytes += i - p;
            in.position(i);
          } else {
            in.position(p + 1);
            if (b == '\r') {
              state = State.DATA_CR;
            } else { // bare LF
              bareLineBreak = true;
              emitCrlf();
              lastLineEndedCrlf = false;
              state = State.DATA_LINE_START;
            }
          }
        }
        case DATA_CR -> {
          if (b == '\n') {
            in.position(p + 1);
            emitCrlf();
            lastLineEndedCrlf = true;
            state = State.DATA_LINE_START;
          } else {
            bareLineBreak = true;
            emit((byte) '\r');
            state = State.DATA_MIDDLE;
          }
        }
        default -> throw new IllegalStateException("state " + state);
      }
    }
    return outLength > 0 ? chunk() : Decoded.NEED_MORE;
  }

  private void emit(byte b) {
    out[outLength++] = b;
    dataBytes++;
  }

  private void emitCrlf() {
    out[outLength++] = '\r';
    out[outLength++] = '\n';
    dataBytes += 2;
  }

  private Decoded chunk() {
    return new Decoded.DataChunk(ByteBuffer.wrap(out, 0, outLength).slice().asReadOnlyBuffer());
  }
}
