package org.carbonio.smtp.internal.queue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.DsnReturn;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.protocol.BodyType;
import org.carbonio.smtp.queue.QueueId;
import org.carbonio.smtp.queue.RecipientStatus;

/**
 * The on-disk encoding of message headers and state-log lines. Every field is one token of
 * printable ASCII: UTF-8 bytes outside {@code !..~}, and {@code %} and {@code ~}, are written
 * {@code %XX}; the empty string is {@code ~}. Stateless.
 *
 * <pre>
 * carbonio-queue 1
 * id 0MIJ3K2P40001A7Z
 * arrival 1764384610123
 * sender alice@example.com
 * ret FULL | HDRS | ~
 * envid ~
 * body UNSPECIFIED | SEVEN_BIT | EIGHT_BIT_MIME
 * smtputf8 0 | 1
 * requiretls 0 | 1
 * held 0 | 1
 * reason ~
 * rcpt bob@example.net SUCCESS,FAILURE rfc822;bob@example.net
 * end 3f2a91c0            (CRC-32C of every byte above)
 * &lt;message bytes&gt;
 * </pre>
 *
 * <p>A log line is {@code <crc32c hex> <payload>\n}; a line whose CRC does not match, or that lacks
 * its newline (torn by a crash), and everything after it, is ignored.
 */
public final class QueueCodec {

  private static final String MAGIC = "carbonio-queue 1";
  private static final int MAX_HEADER = 4 << 20;
  private static final HexFormat HEX = HexFormat.of();

  private QueueCodec() {}

  /** Encodes a header; the message bytes follow it in the file. */
  public static byte[] encodeHeader(MessageHeader h) {
    StringBuilder b = new StringBuilder();
    Envelope e = h.envelope();
    b.append(MAGIC).append('\n');
    b.append("id ").append(h.id().value()).append('\n');
    b.append("arrival ").append(h.arrival().toEpochMilli()).append('\n');
    b.append("sender ").append(escape(e.sender())).append('\n');
    b.append("ret ").append(e.ret() == null ? "~" : e.ret().name()).append('\n');
    b.append("envid ").append(escape(e.envelopeId())).append('\n');
    b.append("body ").append(e.body().name()).append('\n');
    b.append("smtputf8 ").append(e.smtputf8() ? 1 : 0).append('\n');
    b.append("requiretls ").append(e.requireTls() ? 1 : 0).append('\n');
    b.append("held ").append(h.held() ? 1 : 0).append('\n');
    b.append("reason ").append(escape(h.holdReason())).append('\n');
    for (EnvelopeRecipient r : e.recipients()) {
      b.append("rcpt ").append(escape(r.address())).append(' ');
      b.append(notifyToken(r.notifyOn())).append(' ');
      b.append(escape(r.originalRecipient())).append('\n');
    }
    byte[] body = b.toString().getBytes(StandardCharsets.US_ASCII);
    String end = "end " + crcHex(body, 0, body.length) + "\n";
    byte[] out = new byte[body.length + end.length()];
    System.arraycopy(body, 0, out, 0, body.length);
    System.arraycopy(end.getBytes(StandardCharsets.US_ASCII), 0, out, body.length, end.length());
    return out;
  }

  /** A decoded header and the offset of the message bytes. */
  public record Decoded(MessageHeader header, long contentOffset) {}

  /** Decodes the header at the start of {@code in}, consuming exactly its bytes. */
  public static Decoded decodeHeader(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    List<String> lines = new ArrayList<>();
    while (true) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new EOFException("queue file header truncated");
        }
        line.write(c);
        if (all.size() + line.size() > MAX_HEADER) {
          throw new IOException("queue file header too long");
        }
      }
      String s = line.toString(StandardCharsets.US_ASCII);
      if (s.startsWith("end ")) {
        byte[] body = all.toByteArray();
        if (!s.substring(4).equals(crcHex(body, 0, body.length))) {
          throw new IOException("queue file header checksum mismatch");
        }
        return new Decoded(parse(lines), body.length + (long) line.size() + 1);
      }
      line.write('\n');
      line.writeTo(all);
      lines.add(s);
    }
  }

  private static MessageHeader parse(List<String> lines) throws IOException {
    if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) {
      throw new IOException("not a queue file");
    }
    QueueId id = null;
    Instant arrival = null;
    String sender = null;
    DsnReturn ret = null;
    String envid = "";
    BodyType body = BodyType.UNSPECIFIED;
    boolean utf8 = false;
    boolean tls = false;
    boolean held = false;
    String reason = "";
    List<EnvelopeRecipient> rcpts = new ArrayList<>();
    try {
      for (String line : lines.subList(1, lines.size())) {
        String[] t = line.split(" ", -1);
        switch (t[0]) {
          case "id" -> id = QueueId.of(t[1]);
          case "arrival" -> arrival = Instant.ofEpochMilli(Long.parseLong(t[1]));
          case "sender" -> sender = unescape(t[1]);
          case "ret" -> ret = t[1].equals("~") ? null : DsnReturn.valueOf(t[1]);
          case "envid" -> envid = unescape(t[1]);
          case "body" -> body = BodyType.valueOf(t[1]);
          case "smtputf8" -> utf8 = t[1].equals("1");
          case "requiretls" -> tls = t[1].equals("1");
          case "held" -> held = t[1].equals("1");
          case "reason" -> reason = unescape(t[1]);
          case "rcpt" ->
              rcpts.add(new EnvelopeRecipient(unescape(t[1]), parseNotify(t[2]), unescape(t[3])));
          default -> {
            // unknown keys are from a newer version: ignored
          }
        }
      }
    } catch (RuntimeException e) {
      throw new IOException("bad queue file header: " + e.getMessage(), e);
    }
    if (id == null || arrival == null || sender == null) {
      throw new IOException("queue file header lacks id, arrival or sender");
    }
    return new MessageHeader(
        id, arrival, new Envelope(sender, rcpts, ret, envid, body, utf8, tls), held, reason);
  }

  /** Encodes one log line, newline included. */
  public static byte[] encodeLog(LogRecord r) {
    String payload =
        switch (r) {
          case LogRecord.Result x ->
              "R "
                  + x.index()
                  + ' '
                  + x.state().name()
                  + ' '
                  + x.outcome().status().name()
                  + ' '
                  + x.outcome().code()
                  + ' '
                  + escape(x.outcome().enhancedStatus())
                  + ' '
                  + x.at().toEpochMilli()
                  + ' '
                  + escape(x.outcome().recipient())
                  + ' '
                  + escape(x.outcome().remoteMta())
                  + ' '
                  + escape(x.outcome().text());
          case LogRecord.Attempt a ->
              "A " + a.attempts() + ' ' + a.at().toEpochMilli() + ' ' + a.next().toEpochMilli();
          case LogRecord.Notified n ->
              "N "
                  + n.kind().name()
                  + ' '
                  + n.dsn().value()
                  + ' '
                  + (n.indexes().isEmpty()
                      ? "~"
                      : String.join(",", n.indexes().stream().map(String::valueOf).toList()));
          case LogRecord.Hold h -> "H " + escape(h.reason());
          case LogRecord.Release u -> "U";
        };
    byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
    return (crcHex(p, 0, p.length) + " " + payload + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Decodes a whole log; stops at the first torn or corrupt line. */
  public static List<LogRecord> decodeLog(byte[] data) {
    List<LogRecord> out = new ArrayList<>();
    scanLog(data, out);
    return out;
  }

  /**
   * The length of the log's valid prefix: the end of its last record before the first torn or
   * corrupt line. The queue truncates a log to it before appending, or records appended after a
   * torn line would be joined to it and lost.
   */
  public static int validLogLength(byte[] data) {
    return scanLog(data, new ArrayList<>());
  }

  private static int scanLog(byte[] data, List<LogRecord> out) {
    int start = 0;
    while (start < data.length) {
      int nl = start;
      while (nl < data.length && data[nl] != '\n') {
        nl++;
      }
      if (nl == data.length) {
        break; // torn last line
      }
      String line = new String(data, start, nl - start, StandardCharsets.US_ASCII);
      int sp = line.indexOf(' ');
      if (sp != 8) {
        break;
      }
      byte[] p = line.substring(9).getBytes(StandardCharsets.US_ASCII);
      if (!line.substring(0, 8).equals(crcHex(p, 0, p.length))) {
        break;
      }
      try {
        out.add(parseLog(line.substring(9).split(" ", -1)));
      } catch (RuntimeException e) {
        break;
      }
      start = nl + 1;
    }
    return start;
  }

  private static LogRecord parseLog(String[] t) {
    return switch (t[0]) {
      case "R" ->
          new LogRecord.Result(
              Integer.parseInt(t[1]),
              RecipientStatus.State.valueOf(t[2]),
              new RecipientOutcome(
                  unescape(t[7]),
                  RecipientOutcome.Status.valueOf(t[3]),
                  Integer.parseInt(t[4]),
                  unescape(t[5]),
                  unescape(t[9]),
                  unescape(t[8])),
              Instant.ofEpochMilli(Long.parseLong(t[6])));
      case "A" ->
          new LogRecord.Attempt(
              Integer.parseInt(t[1]),
              Instant.ofEpochMilli(Long.parseLong(t[2])),
              Instant.ofEpochMilli(Long.parseLong(t[3])));
      case "N" -> {
        List<Integer> idx = new ArrayList<>();
        if (!t[3].equals("~")) {
          for (String s : t[3].split(",")) {
            idx.add(Integer.parseInt(s));
          }
        }
        yield new LogRecord.Notified(LogRecord.DsnKind.valueOf(t[1]), QueueId.of(t[2]), idx);
      }
      case "H" -> new LogRecord.Hold(unescape(t[1]));
      case "U" -> new LogRecord.Release();
      default -> throw new IllegalArgumentException("unknown log record " + t[0]);
    };
  }

  private static String notifyToken(Set<DsnNotify> n) {
    if (n.isEmpty()) {
      return "~";
    }
    return String.join(",", EnumSet.copyOf(n).stream().map(Enum::name).toList());
  }

  private static Set<DsnNotify> parseNotify(String s) {
    if (s.equals("~")) {
      return Set.of();
    }
    Set<DsnNotify> out = EnumSet.noneOf(DsnNotify.class);
    for (String v : s.split(",")) {
      out.add(DsnNotify.valueOf(v));
    }
    return out;
  }

  /** Escapes a field: see the class comment. */
  public static String escape(String s) {
    if (s.isEmpty()) {
      return "~";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c > ' ' && c < 0x7f && c != '%' && c != '~') {
        b.append((char) c);
      } else {
        b.append('%').append(HEX.toHexDigits((byte) c).toUpperCase(java.util.Locale.ROOT));
      }
    }
    return b.toString();
  }

  /** Reverses {@link #escape}. */
  public static String unescape(String s) {
    if (s.equals("~")) {
      return "";
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        out.write(HexFormat.fromHexDigits(s, i + 1, i + 3));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String crcHex(byte[] b, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b, off, len);
    return String.format("%08x", crc.getValue());
  }
}
