package org.carbonio.smtp.internal.queue;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.carbonio.smtp.DsnReturn;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.protocol.BodyType;
import org.carbonio.smtp.queue.QueueId;

/**
 * Builds delivery status notifications (RFC 3464): a {@code multipart/report;
 * report-type=delivery-status} (RFC 6522) with a human-readable part, a {@code
 * message/delivery-status} part and the returned message or its header. For SMTPUTF8 messages the
 * RFC 6533 types {@code message/global-delivery-status}, {@code message/global} and {@code
 * message/global-headers} are used instead. Stateless.
 */
public final class DsnBuilder {

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
  private static final int MAX_RETURNED_HEADER = 256 << 10;
  private static final String CRLF = "\r\n";

  private DsnBuilder() {}

  /**
   * One recipient line of the report.
   *
   * @param recipient the recipient with its ORCPT
   * @param outcome the last reply, or {@code null} when there was none
   * @param lastAttempt when it was last attempted, or {@code null}
   * @param expired true when it failed because the message expired
   */
  public record Line(
      EnvelopeRecipient recipient, RecipientOutcome outcome, Instant lastAttempt, boolean expired) {
    /** Checks the component. */
    public Line {
      requireNonNull(recipient, "recipient");
    }
  }

  /**
   * What the report is about.
   *
   * @param hostname the Reporting-MTA
   * @param dsnId the DSN's own queue id (used in its Message-ID)
   * @param originalId the reported message's queue id
   * @param original the reported message's envelope
   * @param arrival when it arrived
   * @param content its bytes
   * @param kind the action reported
   * @param lines one per recipient reported
   * @param now the report's date
   * @param willRetryUntil for DELAYED, when the queue gives up
   * @param returnLimit the largest message returned whole in a failure report
   */
  public record Report(
      String hostname,
      QueueId dsnId,
      QueueId originalId,
      Envelope original,
      Instant arrival,
      MessageContent content,
      LogRecord.DsnKind kind,
      List<Line> lines,
      Instant now,
      Instant willRetryUntil,
      long returnLimit) {
    /** Copies the list. */
    public Report {
      lines = List.copyOf(lines);
    }
  }

  /** The envelope of a DSN: null sender (RFC 5321 §4.5.5), to the original sender, no NOTIFY. */
  public static Envelope envelope(Envelope original, byte[] dsn) {
    boolean eight = false;
    for (byte b : dsn) {
      if (b < 0) {
        eight = true;
        break;
      }
    }
    return new Envelope(
        "",
        List.of(EnvelopeRecipient.of(original.sender())),
        null,
        "",
        eight ? BodyType.EIGHT_BIT_MIME : BodyType.SEVEN_BIT,
        original.smtputf8(),
        // RFC 8689 §5: a DSN about a REQUIRETLS message is sent with REQUIRETLS
        original.requireTls());
  }

  /** Builds the DSN's bytes (CRLF line endings). */
  public static byte[] build(Report r) throws IOException {
    Envelope env = r.original();
    boolean global = env.smtputf8();
    String boundary = "=_" + r.dsnId().value() + "/" + r.hostname();
    boolean full =
        r.kind() == LogRecord.DsnKind.FAILED
            && env.ret() != DsnReturn.HDRS
            // RFC 8689 §5: return only the header of a REQUIRETLS message
            && !env.requireTls()
            && r.content().size() <= r.returnLimit();
    byte[] returned = full ? readAll(r.content()) : readHeader(r.content());

    StringBuilder h = new StringBuilder();
    h.append("From: Mail Delivery System <MAILER-DAEMON@").append(r.hostname()).append('>');
    h.append(CRLF).append("To: <").append(env.sender()).append('>').append(CRLF);
    h.append("Subject: ").append(subject(r.kind())).append(CRLF);
    h.append("Date: ").append(DATE.format(r.now())).append(CRLF);
    h.append("Message-ID: <").append(r.dsnId().value()).append('@').append(r.hostname());
    h.append('>').append(CRLF);
    // RFC 3834 §5: no auto-replies to this
    h.append("Auto-Submitted: auto-replied").append(CRLF);
    h.append("MIME-Version: 1.0").append(CRLF);
    // RFC 6522 §3: multipart/report with report-type
    h.append("Content-Type: multipart/report; report-type=delivery-status;").append(CRLF);
    h.append("\tboundary=\"").append(boundary).append('"').append(CRLF);
    h.append(CRLF).append("This is a MIME-encapsulated message.").append(CRLF).append(CRLF);

    h.append("--").append(boundary).append(CRLF);
    h.append("Content-Description: Notification").append(CRLF);
    h.append("Content-Type: text/plain; charset=utf-8").append(CRLF);
    h.append("Content-Transfer-Encoding: 8bit").append(CRLF).append(CRLF);
    human(h, r);
    h.append(CRLF).append("--").append(boundary).append(CRLF);
    h.append("Content-Description: Delivery report").append(CRLF);
    h.append("Content-Type: message/")
        .append(global ? "global-delivery-status" : "delivery-status")
        .append(CRLF)
        .append(CRLF);
    status(h, r, global);
    h.append(CRLF).append("--").append(boundary).append(CRLF);
    if (full) {
      h.append("Content-Description: Undelivered Message").append(CRLF);
      h.append("Content-Type: message/").append(global ? "global" : "rfc822").append(CRLF);
    } else {
      h.append("Content-Description: Message Headers").append(CRLF);
      h.append("Content-Type: ")
          .append(global ? "message/global-headers" : "text/rfc822-headers")
          .append(CRLF);
    }
    if (hasEightBit(returned)) {
      h.append("Content-Transfer-Encoding: 8bit").append(CRLF);
    }
    h.append(CRLF);

    ByteArrayOutputStream out = new ByteArrayOutputStream(h.length() + returned.length + 64);
    out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
    out.writeBytes(returned);
    if (returned.length > 0 && returned[returned.length - 1] != '\n') {
      out.writeBytes(CRLF.getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes((CRLF + "--" + boundary + "--" + CRLF).getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static String subject(LogRecord.DsnKind kind) {
    return switch (kind) {
      case FAILED -> "Undelivered Mail Returned to Sender";
      case DELAYED -> "Delayed Mail (still being retried)";
      case DELIVERED -> "Successful Mail Delivery Report";
    };
  }

  private static void human(StringBuilder h, Report r) {
    h.append("This is the mail system at host ").append(r.hostname()).append('.').append(CRLF);
    h.append(CRLF);
    switch (r.kind()) {
      case FAILED -> {
        h.append("I'm sorry to have to inform you that your message could not").append(CRLF);
        h.append("be delivered to one or more recipients. It's attached below.").append(CRLF);
      }
      case DELAYED -> {
        h.append("Your message could not be delivered for ");
        h.append(java.time.Duration.between(r.arrival(), r.now()).toHours()).append(" hours.");
        h.append(CRLF).append("It will be retried until ");
        h.append(DATE.format(r.willRetryUntil())).append('.').append(CRLF);
        h.append("This is only a warning: you do not need to send the message again.");
        h.append(CRLF);
      }
      case DELIVERED -> {
        h.append("Your message was successfully delivered to the destination(s)").append(CRLF);
        h.append("listed below.").append(CRLF);
      }
    }
    h.append(CRLF);
    for (Line l : r.lines()) {
      h.append('<').append(l.recipient().address()).append(">: ");
      if (l.expired()) {
        h.append("delivery time expired; ");
      }
      h.append(l.outcome() == null ? "no attempt was made" : oneLine(reply(l.outcome())));
      h.append(CRLF);
    }
  }

  private static void status(StringBuilder h, Report r, boolean global) {
    // RFC 3464 §2.2: per-message fields
    h.append("Reporting-MTA: dns; ").append(r.hostname()).append(CRLF);
    h.append("X-Carbonio-Queue-ID: ").append(r.originalId().value()).append(CRLF);
    if (!r.original().envelopeId().isEmpty()) {
      // RFC 3461 §4.4: ENVID is reported as xtext
      h.append("Original-Envelope-Id: ").append(xtext(r.original().envelopeId())).append(CRLF);
    }
    h.append("Arrival-Date: ").append(DATE.format(r.arrival())).append(CRLF);
    for (Line l : r.lines()) {
      // RFC 3464 §2.3: per-recipient fields, each group preceded by a blank line
      h.append(CRLF);
      String addr = l.recipient().address();
      h.append("Final-Recipient: ").append(addressType(addr, global)).append("; ").append(addr);
      h.append(CRLF);
      String orcpt = l.recipient().originalRecipient();
      int semi = orcpt.indexOf(';');
      if (semi > 0) {
        h.append("Original-Recipient: ").append(orcpt, 0, semi).append("; ");
        h.append(orcpt.substring(semi + 1)).append(CRLF);
      }
      h.append("Action: ").append(r.kind().name().toLowerCase(java.util.Locale.ROOT)).append(CRLF);
      h.append("Status: ").append(statusCode(r.kind(), l)).append(CRLF);
      RecipientOutcome o = l.outcome();
      if (o != null && !o.remoteMta().isEmpty()) {
        h.append("Remote-MTA: dns; ").append(o.remoteMta()).append(CRLF);
      }
      if (o != null) {
        h.append("Diagnostic-Code: smtp; ").append(oneLine(reply(o))).append(CRLF);
      }
      if (l.lastAttempt() != null) {
        h.append("Last-Attempt-Date: ").append(DATE.format(l.lastAttempt())).append(CRLF);
      }
      if (r.kind() == LogRecord.DsnKind.DELAYED && r.willRetryUntil() != null) {
        h.append("Will-Retry-Until: ").append(DATE.format(r.willRetryUntil())).append(CRLF);
      }
    }
  }

  private static String statusCode(LogRecord.DsnKind kind, Line l) {
    RecipientOutcome o = l.outcome();
    String fromReply = o == null ? "" : o.enhancedStatus();
    boolean valid = fromReply.matches("[245]\\.\\d{1,3}\\.\\d{1,3}");
    return switch (kind) {
      case DELIVERED -> valid && fromReply.startsWith("2") ? fromReply : "2.0.0";
      case DELAYED -> valid && fromReply.startsWith("4") ? fromReply : "4.0.0";
      case FAILED -> {
        if (valid && !fromReply.startsWith("2")) {
          yield fromReply;
        }
        // RFC 3463 §3.5: 4.4.7 delivery time expired
        yield l.expired() ? "4.4.7" : "5.0.0";
      }
    };
  }

  private static String reply(RecipientOutcome o) {
    String enh = o.enhancedStatus().isEmpty() ? "" : o.enhancedStatus() + " ";
    return o.code() + " " + enh + o.text();
  }

  private static String addressType(String addr, boolean global) {
    // RFC 6533 §3: non-ASCII addresses are of type utf-8
    return global && !addr.chars().allMatch(c -> c < 0x80) ? "utf-8" : "rfc822";
  }

  /**
   * Joins a multi-line reply into one line: each run of white space that holds a line break becomes
   * one space. A single linear scan: a regular expression backtracks quadratically on a long run of
   * spaces in a remote reply.
   */
  static String oneLine(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (!isSpace(c)) {
        b.append(c);
        i++;
        continue;
      }
      int j = i;
      boolean lineBreak = false;
      while (j < s.length() && isSpace(s.charAt(j))) {
        lineBreak |= s.charAt(j) == '\r' || s.charAt(j) == '\n';
        j++;
      }
      if (lineBreak) {
        b.append(' ');
      } else {
        b.append(s, i, j);
      }
      i = j;
    }
    return b.toString().strip();
  }

  /** The characters of the regular expression class {@code \s}. */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }

  /** Encodes as xtext (RFC 3461 §4). */
  static String xtext(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c >= '!' && c <= '~' && c != '+' && c != '=') {
        b.append((char) c);
      } else {
        b.append(String.format("+%02X", c));
      }
    }
    return b.toString();
  }

  private static boolean hasEightBit(byte[] b) {
    for (byte x : b) {
      if (x < 0) {
        return true;
      }
    }
    return false;
  }

  private static byte[] readAll(MessageContent c) throws IOException {
    try (InputStream in = c.open()) {
      return in.readAllBytes();
    }
  }

  /** The header section of a message, without the blank line, at most 256 KiB of whole lines. */
  public static byte[] readHeader(MessageContent c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try (InputStream in = new java.io.BufferedInputStream(c.open())) {
      int b;
      while ((b = in.read()) >= 0) {
        line.write(b);
        if (b == '\n') {
          if (out.size() + line.size() > MAX_RETURNED_HEADER) {
            break;
          }
          boolean blank = line.size() <= 2 && (line.size() == 1 || line.toByteArray()[0] == '\r');
          if (blank) {
            break;
          }
          line.writeTo(out);
          line.reset();
        }
      }
    }
    return out.toByteArray();
  }
}
