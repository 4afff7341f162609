package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Push decoder for IMAP commands (RFC 3501 §2.2, §9; LITERAL+ RFC 7888). Feed it whatever bytes
 * arrived; it consumes them and returns a {@link Decoded}. Bytes are examined once: a line is
 * framed by scanning only new input, then tokenized once, then parsed by a typed parser. It never
 * throws on input and never blocks; a malformed or over-limit command is a {@link Decoded.Bad} or
 * {@link Decoded.TooBig} value after which it resynchronises at the next line.
 *
 * <p>Not thread-safe: confine to one connection.
 *
 * {@snippet :
 * ImapDecoder decoder = new ImapDecoder(DecoderLimits.DEFAULTS);
 * Decoded d = decoder.decode(ByteBuffer.wrap("a1 NOOP\r\n".getBytes(US_ASCII)));
 * // d is Decoded.Command(Noop[tag=a1])
 * }
 */
public final class ImapDecoder implements AutoCloseable {

  /** Where the decoder is in the byte stream. */
  public enum State {
    /** Collecting the bytes of a line (a command, or the part of one after a literal). */
    LINE,
    /** Copying the bytes of a literal. */
    LITERAL,
    /** Skipping the rest of a bad line. */
    DISCARD_LINE,
    /** Skipping a non-synchronizing literal of a rejected command. */
    DISCARD_LITERAL
  }

  private static final int TAIL = 32;

  private final DecoderLimits limits;
  private final LiteralSink.Factory sinks;
  private final LiteralGate gate;

  private State state = State.LINE;
  private byte[] line = new byte[256];
  private int lineLen;
  private final List<Token> tokens = new ArrayList<>();
  private int depth;
  private boolean expectContinuation;
  // bytes the current command holds in memory: finished lines and literals except APPEND's message
  private long commandBytes;
  private boolean appendMessageSeen;
  // RFC 6855 §3: UTF-8 in quoted strings and mailbox names once the client enabled UTF8=ACCEPT
  private boolean utf8;

  // literal in progress
  private long literalRemaining;
  private byte[] literalBuf;
  private int literalPos;
  private LiteralSink sink;

  // discarding
  private long discardRemaining;
  private final byte[] tail = new byte[TAIL];
  private int tailLen;

  /** A decoder keeping every literal in memory. */
  public ImapDecoder(DecoderLimits limits) {
    this(limits, LiteralSink.Factory.IN_MEMORY);
  }

  /**
   * A decoder that hands APPEND message literals to {@code sinks} (which may spool them to disk).
   */
  public ImapDecoder(DecoderLimits limits, LiteralSink.Factory sinks) {
    this(limits, sinks, LiteralGate.ACCEPT_ALL);
  }

  /**
   * A decoder that hands APPEND message literals to {@code sinks} and asks {@code gate} before
   * accepting any literal (e.g. {@link ImapSession#acceptLiteral}).
   */
  public ImapDecoder(DecoderLimits limits, LiteralSink.Factory sinks, LiteralGate gate) {
    this.limits = requireNonNull(limits, "limits");
    this.sinks = requireNonNull(sinks, "sinks");
    this.gate = requireNonNull(gate, "gate");
  }

  /**
   * Bytes of the command in progress held in memory: its lines and literals, except an APPEND
   * message literal (which the sink holds). Never above {@link DecoderLimits#maxCommandBytes()}
   * plus one line.
   */
  public long retainedBytes() {
    return commandBytes + lineLen; // an in-memory literal is counted when allocated
  }

  /** The current state (for tests and diagnostics). */
  public State state() {
    return state;
  }

  /**
   * The next complete line is returned verbatim as {@link ImapCommand.ContinuationLine} (SASL
   * responses, IDLE's DONE). Reset once that line arrives.
   */
  public void expectContinuationLine() {
    expectContinuation = true;
  }

  /**
   * Whether the session enabled UTF8=ACCEPT (RFC 6855 §3): from the next command on, quoted strings
   * may hold UTF-8 (otherwise 8-bit bytes in one make the command BAD) and mailbox names are UTF-8,
   * not modified UTF-7. The transport sets it after every command from {@link
   * ImapSession#utf8Accept()}.
   */
  public void utf8(boolean on) {
    this.utf8 = on;
  }

  /**
   * Consumes bytes from {@code in} until a result is ready. Returns {@link Decoded.NeedMore} when
   * all of {@code in} was consumed without completing anything; otherwise {@code in} may still have
   * bytes for the next call.
   */
  public Decoded decode(ByteBuffer in) {
    while (true) {
      switch (state) {
        case LINE -> {
          Decoded d = scanLine(in);
          if (d != null) return d;
        }
        case LITERAL -> {
          if (!in.hasRemaining()) return Decoded.NEED_MORE;
          Decoded d = copyLiteral(in);
          if (d != null) return d;
        }
        case DISCARD_LITERAL -> {
          if (!in.hasRemaining()) return Decoded.NEED_MORE;
          int n = (int) Math.min(discardRemaining, in.remaining());
          in.position(in.position() + n);
          discardRemaining -= n;
          if (discardRemaining == 0) {
            state = State.DISCARD_LINE;
            tailLen = 0;
          }
        }
        case DISCARD_LINE -> {
          if (!in.hasRemaining()) return Decoded.NEED_MORE;
          discardLine(in);
        }
      }
      if (!in.hasRemaining() && state != State.LINE) return Decoded.NEED_MORE;
    }
  }

  /** Releases a partially received literal (closes its spool). Idempotent. */
  @Override
  public void close() {
    reset();
  }

  // ---------------------------------------------------------------------------------------------

  private Decoded scanLine(ByteBuffer in) {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (b == '\n') {
        int len = lineLen;
        if (len > 0 && line[len - 1] == '\r') len--;
        lineLen = 0;
        return segment(len);
      }
      if (lineLen >= limits.maxLineLength() || commandBytes + lineLen >= limits.maxCommandBytes()) {
        String tag = tagOfOverflow();
        String text =
            lineLen >= limits.maxLineLength()
                ? "line too long (limit " + limits.maxLineLength() + ")"
                : commandTooLarge();
        reset();
        state = State.DISCARD_LINE;
        tailLen = 0;
        remember(b);
        return new Decoded.Bad(tag, text);
      }
      if (lineLen == line.length) {
        line = Arrays.copyOf(line, Math.min(line.length * 2, limits.maxLineLength() + 2));
      }
      line[lineLen++] = b;
    }
    return Decoded.NEED_MORE;
  }

  private String tagOfOverflow() {
    if (!tokens.isEmpty() && tokens.get(0) instanceof Token.Atom a && validTag(a.text())) {
      return a.text();
    }
    int end = 0;
    while (end < lineLen && end < 64 && line[end] != ' ') end++;
    String t = new String(line, 0, end, StandardCharsets.ISO_8859_1);
    return end < lineLen && validTag(t) ? t : "*";
  }

  private Decoded segment(int len) {
    if (expectContinuation && tokens.isEmpty()) {
      expectContinuation = false;
      String text = new String(line, 0, len, StandardCharsets.UTF_8);
      return new Decoded.Command(new ImapCommand.ContinuationLine(text));
    }
    String error = tokenize(len);
    if (error != null) {
      String tag = tagOf();
      reset();
      skipTrailingNonSyncLiteral(line, len);
      return new Decoded.Bad(tag, error);
    }
    commandBytes += len;
    if (literalRemaining >= 0 && pendingLiteral) {
      pendingLiteral = false;
      return startLiteral();
    }
    if (tokens.isEmpty()) {
      return null; // blank line: ignored (Postel)
    }
    List<Token> command = List.copyOf(tokens);
    String tag = tagOf();
    tokens.clear();
    depth = 0;
    commandBytes = 0;
    appendMessageSeen = false;
    appendMessages = 0;
    try {
      return new Decoded.Command(CommandParser.parse(command, utf8));
    } catch (CommandParser.ParseError e) {
      closeLiterals(command);
      return new Decoded.Bad(tag, e.getMessage());
    }
  }

  private boolean pendingLiteral;
  private boolean pendingSync;

  private Decoded startLiteral() {
    long size = literalRemaining;
    boolean sync = pendingSync;
    String tag = tagOf();
    // RFC 3501 §6.3.11: APPEND mailbox [flags] [date-time] message; a literal after the mailbox
    // is the message, the only literal that may be large (and may go to the sink).
    // RFC 3502 MULTIAPPEND, RFC 4469 CATENATE, RFC 8508 REPLACE: every literal after the mailbox
    // is message content, up to MAX_APPEND_MESSAGES of them per command.
    boolean message = messageLiteral();
    if (message && appendMessages >= MAX_APPEND_MESSAGES) {
      return rejectLiteral(
          new Decoded.Bad(tag, "more than " + MAX_APPEND_MESSAGES + " message literals"),
          size,
          sync);
    }
    Optional<Decoded.Rejected> refused =
        gate.check(new LiteralGate.Request(tag, commandName(), size, sync));
    if (refused.isPresent()) return rejectLiteral(refused.get(), size, sync);
    long limit = message ? limits.maxLiteralSize() : limits.maxLineLength();
    if (size > limit) {
      String text = "literal of " + size + " bytes exceeds the limit of " + limit;
      return rejectLiteral(
          message ? new Decoded.TooBig(tag, text) : new Decoded.Bad(tag, text), size, sync);
    }
    if (!message && commandBytes + size > limits.maxCommandBytes()) {
      return rejectLiteral(new Decoded.Bad(tag, commandTooLarge()), size, sync);
    }
    if (message) {
      appendMessageSeen = true;
      appendMessages++;
    } else commandBytes += size;
    if (message && size > 0) {
      try {
        sink = sinks.open(size);
      } catch (IOException | RuntimeException e) {
        return rejectLiteral(
            new Decoded.TooBig(tag, "cannot store literal of " + size + " bytes"), size, sync);
      }
    } else {
      literalBuf = new byte[(int) size];
      literalPos = 0;
    }
    state = State.LITERAL;
    if (size == 0) return finishLiteral(sync);
    return sync ? new Decoded.NeedLiteral(size, true) : null;
  }

  /** Drops the command; a non-synchronizing literal is on its way and is skipped. */
  private Decoded rejectLiteral(Decoded.Rejected r, long size, boolean sync) {
    reset();
    if (!sync) {
      discardRemaining = size;
      state = size == 0 ? State.DISCARD_LINE : State.DISCARD_LITERAL;
      tailLen = 0;
    }
    return r;
  }

  private String commandTooLarge() {
    return "command too large (limit " + limits.maxCommandBytes() + " bytes)";
  }

  private String commandName() {
    return tokens.size() >= 2 && tokens.get(1) instanceof Token.Atom a ? a.text() : "";
  }

  private Decoded finishLiteral(boolean syncAnnounced) {
    ByteSource bytes;
    if (sink != null) {
      try {
        bytes = sink.finish();
      } catch (IOException | RuntimeException e) {
        String tag = tagOf();
        reset();
        state = State.DISCARD_LINE;
        return new Decoded.TooBig(tag, "cannot store literal");
      }
      sink = null;
    } else {
      bytes = ByteSource.of(literalBuf);
      literalBuf = null;
    }
    tokens.add(new Token.Literal(bytes));
    state = State.LINE;
    return syncAnnounced ? new Decoded.NeedLiteral(0, true) : null;
  }

  private Decoded copyLiteral(ByteBuffer in) {
    int n = (int) Math.min(literalRemaining, in.remaining());
    if (sink != null) {
      ByteBuffer chunk = in.slice(in.position(), n);
      in.position(in.position() + n);
      try {
        sink.write(chunk);
      } catch (IOException | RuntimeException e) {
        String tag = tagOf();
        long rest = literalRemaining - n;
        reset();
        discardRemaining = rest;
        state = rest > 0 ? State.DISCARD_LITERAL : State.DISCARD_LINE;
        return new Decoded.TooBig(tag, "cannot store literal");
      }
    } else {
      in.get(literalBuf, literalPos, n);
      literalPos += n;
    }
    literalRemaining -= n;
    if (literalRemaining == 0) finishLiteral(false);
    return null;
  }

  /** Message literals one APPEND (MULTIAPPEND, CATENATE) or REPLACE may carry. */
  public static final int MAX_APPEND_MESSAGES = 1000;

  private int appendMessages;

  private boolean messageLiteral() {
    if (isAppend()) return tokens.size() >= 3;
    if (tokens.size() >= 2 && tokens.get(1) instanceof Token.Atom a) {
      if (a.text().equalsIgnoreCase("REPLACE")) return tokens.size() >= 4;
      if (a.text().equalsIgnoreCase("UID")
          && tokens.size() >= 3
          && tokens.get(2) instanceof Token.Atom b
          && b.text().equalsIgnoreCase("REPLACE")) {
        return tokens.size() >= 5;
      }
    }
    return false;
  }

  private boolean isAppend() {
    return tokens.size() >= 2
        && tokens.get(1) instanceof Token.Atom a
        && a.text().equalsIgnoreCase("APPEND");
  }

  private String tagOf() {
    if (!tokens.isEmpty() && tokens.get(0) instanceof Token.Atom a && validTag(a.text())) {
      return a.text();
    }
    return "*";
  }

  static boolean validTag(String t) {
    if (t.isEmpty() || t.length() > 64) return false;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c <= ' ' || c >= 127 || "(){%*\"\\+".indexOf(c) >= 0) return false;
    }
    return true;
  }

  private void discardLine(ByteBuffer in) {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (b == '\n') {
        int len = tailLen;
        if (len > 0 && tail[len - 1] == '\r') len--;
        state = State.LINE;
        skipTrailingNonSyncLiteral(tail, len);
        tailLen = 0;
        return;
      }
      remember(b);
    }
  }

  private void remember(byte b) {
    if (tailLen == TAIL) {
      System.arraycopy(tail, 1, tail, 0, TAIL - 1);
      tailLen--;
    }
    tail[tailLen++] = b;
  }

  /** If a rejected line ends in {@code {n+}}, the client sends n bytes anyway: skip them. */
  private void skipTrailingNonSyncLiteral(byte[] buf, int len) {
    if (len < 4 || buf[len - 1] != '}' || buf[len - 2] != '+') return;
    int i = len - 3;
    long n = 0;
    long mul = 1;
    int digits = 0;
    while (i >= 0 && buf[i] >= '0' && buf[i] <= '9' && digits < 18) {
      n += (buf[i] - '0') * mul;
      mul *= 10;
      digits++;
      i--;
    }
    if (digits == 0 || i < 0 || buf[i] != '{') return;
    discardRemaining = n;
    state = n == 0 ? State.DISCARD_LINE : State.DISCARD_LITERAL;
    tailLen = 0;
  }

  private void reset() {
    closeLiterals(tokens);
    tokens.clear();
    depth = 0;
    lineLen = 0;
    commandBytes = 0;
    appendMessageSeen = false;
    appendMessages = 0;
    literalBuf = null;
    literalRemaining = 0;
    pendingLiteral = false;
    if (sink != null) {
      sink.close();
      sink = null;
    }
    state = State.LINE;
    expectContinuation = false;
  }

  private static void closeLiterals(List<Token> list) {
    for (Token t : list) if (t instanceof Token.Literal l) l.bytes().close();
  }

  /**
   * Tokenizes {@code line[0, len)} onto {@link #tokens}. Returns an error text, or null. When the
   * segment ends with a literal announcement, sets {@link #pendingLiteral}.
   */
  private String tokenize(int len) {
    int i = 0;
    while (i < len) {
      byte b = line[i];
      if (tokens.size() >= limits.maxTokens()) {
        return "too many tokens (limit " + limits.maxTokens() + ")";
      }
      if (b == ' ') {
        i++;
      } else if (b == '(') {
        if (++depth > limits.maxNesting()) {
          return "nesting too deep (limit " + limits.maxNesting() + ")";
        }
        tokens.add(Token.OPEN);
        i++;
      } else if (b == ')') {
        if (--depth < 0) return "unbalanced parenthesis";
        tokens.add(Token.CLOSE);
        i++;
      } else if (b == '"') {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        i++;
        boolean closed = false;
        while (i < len) {
          byte c = line[i];
          if (c == '\\' && i + 1 < len) {
            q.write(line[i + 1]);
            i += 2;
          } else if (c == '"') {
            closed = true;
            i++;
            break;
          } else if (c == 0 || c == '\r') {
            return "invalid character in quoted string";
          } else if (c < 0 && !utf8) {
            // RFC 3501 §9 / RFC 9051 §9: QUOTED-CHAR is 7-bit unless UTF8=ACCEPT is enabled
            return "8-bit character in quoted string (ENABLE UTF8=ACCEPT first, RFC 6855)";
          } else {
            q.write(c);
            i++;
          }
        }
        if (!closed) return "unterminated quoted string";
        tokens.add(new Token.Quoted(q.toString(StandardCharsets.UTF_8)));
      } else if (b == '{') {
        int j = i + 1;
        long n = 0;
        int digits = 0;
        while (j < len && line[j] >= '0' && line[j] <= '9') {
          if (++digits > 18) return "literal size too large";
          n = n * 10 + (line[j] - '0');
          j++;
        }
        boolean sync = true;
        if (j < len && line[j] == '+') {
          sync = false;
          j++;
        }
        if (digits == 0 || j >= len || line[j] != '}' || j + 1 != len) {
          return "malformed literal";
        }
        if (tokens.size() < 2) return "literal before command name";
        pendingLiteral = true;
        pendingSync = sync;
        literalRemaining = n;
        return null;
      } else if ((b >= 0 && b < 0x20) || b == 0x7f) {
        return "control character in command";
      } else {
        int start = i;
        int bracket = 0;
        while (i < len) {
          byte c = line[i];
          if ((c >= 0 && c < 0x20) || c == 0x7f) break;
          if (c == '[') bracket++;
          else if (c == ']' && bracket > 0) bracket--;
          else if (bracket == 0 && (c == ' ' || c == '(' || c == ')' || c == '"' || c == '{')) {
            break;
          }
          i++;
        }
        if (i < len && (line[i] >= 0 && line[i] < 0x20 || line[i] == 0x7f))
          return "control character in command";
        tokens.add(new Token.Atom(new String(line, start, i - start, StandardCharsets.UTF_8)));
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "ImapDecoder[" + state.name().toLowerCase(Locale.ROOT) + "]";
  }
}
