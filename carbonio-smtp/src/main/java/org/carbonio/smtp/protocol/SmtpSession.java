package org.carbonio.smtp.protocol;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.SmtpMode;
import org.carbonio.smtp.internal.Spool;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.RecipientCheck;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RejectException;
import org.carbonio.smtp.spi.SessionInfo;

/**
 * The SMTP server state machine of one connection (RFC 5321 §3, §4.1.4): turns commands into reply
 * values and calls the SPI. Not thread-safe: confine to one connection.
 *
 * <p>It never touches the network and never logs. The only I/O it does is spooling message bodies
 * above {@code SmtpLimits.spoolThreshold} to a temporary file, which {@link #endData} or {@link
 * #close()} deletes. Drive it like this:
 *
 * {@snippet :
 * SmtpSession session = new SmtpSession(config, info);
 * send(session.greeting());
 * // for each value of decoder.decode(input):
 * //   Command c   -> apply(session.handle(c.command()))
 * //   Bad b       -> apply(session.handleBad(b))
 * //   DataChunk d -> session.data(d.bytes())
 * //   DataEnd e   -> apply(session.endData(e))
 * }
 */
public final class SmtpSession implements AutoCloseable {

  /** Where the session stands in RFC 5321 §4.1.4 terms. */
  public enum State {
    /** Greeted, waiting for HELO/EHLO/LHLO (also right after STARTTLS). */
    CONNECTED,
    /** Greeting accepted, no transaction. */
    READY,
    /** MAIL accepted, no recipient yet. */
    MAIL,
    /** At least one recipient accepted. */
    RCPT,
    /** Reading message data. */
    DATA,
    /** QUIT or a fatal error: the transport closes the connection. */
    CLOSED
  }

  private static final DateTimeFormatter RFC_5322_DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

  private final SmtpSessionConfig config;
  private final boolean lmtp;
  private SessionInfo info;
  private State state = State.CONNECTED;
  private String sender;
  private final List<String> recipients = new ArrayList<>();
  private int badCommands;
  private long transactions;
  private Spool spool;
  private long dataBytes;
  private boolean tooBig;
  private boolean spoolFailed;

  /**
   * Creates a session for a new connection.
   *
   * @param config the listener's configuration
   * @param info the connection; {@code heloName} is ignored, {@code tls} is true for implicit TLS
   */
  public SmtpSession(SmtpSessionConfig config, SessionInfo info) {
    this.config = requireNonNull(config, "config");
    this.lmtp = config.mode() == SmtpMode.LMTP;
    this.info = requireNonNull(info, "info").withHelo("", false);
  }

  /** What the SPI sees about this connection now. */
  public SessionInfo info() {
    return info;
  }

  /** The current state. */
  public State state() {
    return state;
  }

  /** The 220 greeting to send first. */
  public Outcome greeting() {
    return Outcome.reply(SmtpReplies.greeting(config.hostname(), lmtp));
  }

  /**
   * Handles one command.
   *
   * @throws IllegalStateException during DATA or after CLOSE
   */
  public Outcome handle(SmtpCommand command) {
    if (state == State.DATA || state == State.CLOSED) {
      throw new IllegalStateException("command in state " + state);
    }
    return switch (command) {
      case SmtpCommand.Helo h -> lmtp ? error(SmtpReplies.UNRECOGNIZED) : hello(h.domain(), false);
      case SmtpCommand.Ehlo e -> lmtp ? error(SmtpReplies.UNRECOGNIZED) : hello(e.domain(), true);
      case SmtpCommand.Lhlo l -> lmtp ? hello(l.domain(), true) : error(SmtpReplies.UNRECOGNIZED);
      case SmtpCommand.Mail m -> mail(m);
      case SmtpCommand.Rcpt r -> rcpt(r);
      case SmtpCommand.Data d -> data();
      case SmtpCommand.Rset r -> {
        resetTransaction();
        yield Outcome.reply(SmtpReplies.OK);
      }
      case SmtpCommand.Noop n -> Outcome.reply(SmtpReplies.OK);
      case SmtpCommand.Vrfy v -> Outcome.reply(SmtpReplies.VRFY_REFUSED);
      case SmtpCommand.Help h -> Outcome.reply(SmtpReplies.help(lmtp));
      case SmtpCommand.Quit q -> {
        state = State.CLOSED;
        yield Outcome.then(SmtpReplies.bye(config.hostname()), Outcome.Action.CLOSE);
      }
      case SmtpCommand.StartTls s -> startTls(s);
    };
  }

  /** Handles a line the decoder refused; counts towards {@code maxBadCommands}. */
  public Outcome handleBad(Decoded.Bad bad) {
    if (state == State.DATA || state == State.CLOSED) {
      throw new IllegalStateException("bad command in state " + state);
    }
    return error(bad.reply());
  }

  /** The client was silent too long: {@code 421 4.4.2}, close. */
  public Outcome timeout() {
    state = State.CLOSED;
    return Outcome.then(SmtpReplies.timeout(config.hostname()), Outcome.Action.CLOSE);
  }

  /** The server is stopping: {@code 421 4.3.2}, close. */
  public Outcome shuttingDown() {
    state = State.CLOSED;
    return Outcome.then(SmtpReplies.shuttingDown(config.hostname()), Outcome.Action.CLOSE);
  }

  /**
   * Reports a completed TLS handshake after {@link Outcome.Action#START_TLS}: the session forgets
   * everything and waits for EHLO again (RFC 3207 §4.2).
   */
  public void tlsStarted() {
    resetTransaction();
    info = info.withTls();
    state = State.CONNECTED;
  }

  private Outcome error(SmtpReply reply) {
    badCommands++;
    if (badCommands >= config.limits().maxBadCommands()) {
      state = State.CLOSED;
      return Outcome.then(SmtpReplies.tooManyErrors(config.hostname()), Outcome.Action.CLOSE);
    }
    return Outcome.reply(reply);
  }

  private Outcome hello(String domain, boolean extended) {
    // RFC 5321 §4.1.4: EHLO in a transaction acts like RSET
    resetTransaction();
    info = info.withHelo(domain, extended);
    state = State.READY;
    if (!extended) {
      return Outcome.reply(SmtpReplies.helo(config.hostname()));
    }
    boolean offerTls = config.startTlsOffered() && !info.tls();
    return Outcome.reply(
        SmtpReplies.ehlo(config.hostname(), config.limits().maxMessageBytes(), offerTls));
  }

  private Outcome mail(SmtpCommand.Mail m) {
    switch (state) {
      case CONNECTED -> {
        return error(SmtpReplies.SEND_HELO_FIRST);
      }
      case MAIL, RCPT -> {
        return error(SmtpReplies.NESTED_MAIL);
      }
      default -> {}
    }
    if (!m.otherParameters().isEmpty()) {
      String keyword = Collections.min(m.otherParameters().keySet());
      return error(SmtpReplies.parameterNotRecognized(keyword));
    }
    if (m.size().isPresent() && m.size().getAsLong() > config.limits().maxMessageBytes()) {
      return Outcome.reply(SmtpReplies.MESSAGE_TOO_BIG); // RFC 1870 §6.1
    }
    sender = m.reversePath();
    state = State.MAIL;
    return Outcome.reply(SmtpReplies.SENDER_OK);
  }

  private Outcome rcpt(SmtpCommand.Rcpt r) {
    switch (state) {
      case CONNECTED -> {
        return error(SmtpReplies.SEND_HELO_FIRST);
      }
      case READY -> {
        return error(SmtpReplies.NEED_MAIL);
      }
      default -> {}
    }
    if (!r.parameters().isEmpty()) {
      return error(SmtpReplies.parameterNotRecognized(Collections.min(r.parameters().keySet())));
    }
    if (recipients.size() >= config.limits().maxRecipients()) {
      return Outcome.reply(SmtpReplies.TOO_MANY_RECIPIENTS); // RFC 5321 §4.5.3.1.10
    }
    RecipientDecision decision;
    try {
      decision = config.recipientPolicy().check(new RecipientCheck(info, sender, r.forwardPath()));
    } catch (RuntimeException e) {
      return Outcome.reply(SmtpReplies.TEMPORARY_FAILURE);
    }
    return switch (decision) {
      case RecipientDecision.Accept a -> {
        recipients.add(r.forwardPath());
        state = State.RCPT;
        yield Outcome.reply(SmtpReplies.RECIPIENT_OK);
      }
      case RecipientDecision.Reject j ->
          Outcome.reply(SmtpReply.of(j.code(), j.enhancedStatus(), j.text()));
      case null -> Outcome.reply(SmtpReplies.TEMPORARY_FAILURE);
    };
  }

  private Outcome data() {
    switch (state) {
      case CONNECTED -> {
        return error(SmtpReplies.SEND_HELO_FIRST);
      }
      case READY -> {
        return error(SmtpReplies.NEED_MAIL);
      }
      case MAIL -> {
        return error(SmtpReplies.NO_VALID_RECIPIENTS);
      }
      default -> {}
    }
    state = State.DATA;
    spool = new Spool(config.spoolDirectory(), config.limits().spoolThreshold());
    dataBytes = 0;
    tooBig = false;
    spoolFailed = false;
    return Outcome.then(SmtpReplies.START_DATA, Outcome.Action.START_DATA);
  }

  /**
   * Takes message bytes during DATA. Bytes beyond {@code maxMessageBytes} are counted and dropped;
   * a spool failure is remembered and reported by {@link #endData}. Never throws on I/O.
   *
   * @throws IllegalStateException outside DATA
   */
  public void data(ByteBuffer chunk) {
    if (state != State.DATA) {
      throw new IllegalStateException("data in state " + state);
    }
    int n = chunk.remaining();
    dataBytes += n;
    if (tooBig || spoolFailed) {
      chunk.position(chunk.limit());
      return;
    }
    if (dataBytes > config.limits().maxMessageBytes()) {
      tooBig = true; // RFC 1870 §6.3: read the rest, then 552
      chunk.position(chunk.limit());
      discardSpool();
      return;
    }
    try {
      spool.write(chunk);
    } catch (IOException e) {
      spoolFailed = true;
      discardSpool();
    }
  }

  /**
   * Ends DATA: delivers the message (or refuses it) and returns the reply, one per recipient in
   * LMTP mode (RFC 2033 §4.2).
   *
   * @throws IllegalStateException outside DATA
   */
  public Outcome endData(Decoded.DataEnd end) {
    if (state != State.DATA) {
      throw new IllegalStateException("endData in state " + state);
    }
    int count = recipients.size();
    SmtpReply reply;
    try {
      if (tooBig) {
        reply = SmtpReplies.MESSAGE_TOO_BIG;
      } else if (spoolFailed) {
        reply = SmtpReplies.INSUFFICIENT_STORAGE;
      } else if (end.bareLineBreak() && config.compliance() == Compliance.STRICT) {
        reply = SmtpReplies.BARE_LINE_BREAK_DATA;
      } else {
        reply = deliver();
      }
    } finally {
      resetTransaction();
      state = State.READY;
    }
    if (lmtp) {
      return new Outcome(Collections.nCopies(count, reply), Outcome.Action.CONTINUE);
    }
    return Outcome.reply(reply);
  }

  private Outcome startTls(SmtpCommand.StartTls s) {
    if (!config.startTlsOffered()) {
      return error(SmtpReplies.NOT_IMPLEMENTED);
    }
    if (info.tls()) {
      return error(SmtpReplies.TLS_ALREADY_ACTIVE);
    }
    if (s.pipelinedInput()) {
      // RFC 3207 §4.2 / CVE-2011-0411: plaintext sent after STARTTLS must never be read as if
      // it had come over TLS
      state = State.CLOSED;
      return Outcome.then(SmtpReplies.PIPELINED_AFTER_STARTTLS, Outcome.Action.CLOSE);
    }
    return Outcome.then(SmtpReplies.READY_FOR_TLS, Outcome.Action.START_TLS);
  }

  private SmtpReply deliver() {
    transactions++;
    String id = info.id() + "." + transactions;
    byte[] header = receivedHeader(id).getBytes(StandardCharsets.US_ASCII);
    try (InputStream body = spool.open();
        InputStream content = new SequenceInputStream(new ByteArrayInputStream(header), body)) {
      config
          .deliveryHandler()
          .deliver(
              new Delivery(info, id, sender, recipients, content, header.length + spool.size()));
      return SmtpReplies.queued(id);
    } catch (RejectException e) {
      return SmtpReply.of(e.code(), e.enhancedStatus(), e.text());
    } catch (IOException | RuntimeException e) {
      return SmtpReplies.TEMPORARY_FAILURE;
    }
  }

  /** RFC 5321 §4.4 trace header, folded, CRLF-terminated. */
  String receivedHeader(String id) {
    InetAddress address = info.remote().getAddress();
    String ip;
    if (address == null) {
      ip = info.remote().getHostString();
    } else if (address instanceof Inet6Address) {
      ip = "IPv6:" + address.getHostAddress(); // RFC 5321 §4.1.3
    } else {
      ip = address.getHostAddress();
    }
    String with; // RFC 3848
    if (lmtp) {
      with = info.tls() ? "LMTPS" : "LMTP";
    } else if (info.tls()) {
      with = "ESMTPS";
    } else {
      with = info.esmtp() ? "ESMTP" : "SMTP";
    }
    String date = ZonedDateTime.now(config.clock()).format(RFC_5322_DATE);
    return "Received: from "
        + info.heloName()
        + " ("
        + info.remoteHost()
        + " ["
        + ip
        + "])\r\n\tby "
        + config.hostname()
        + " with "
        + with
        + " id "
        + id
        + ";\r\n\t"
        + date
        + "\r\n";
  }

  private void resetTransaction() {
    sender = null;
    recipients.clear();
    discardSpool();
    if (state != State.CONNECTED && state != State.CLOSED) {
      state = State.READY;
    }
  }

  private void discardSpool() {
    if (spool != null) {
      try {
        spool.close();
      } catch (IOException e) {
        // the temp file could not be deleted; nothing the client can be told
      }
      spool = null;
    }
  }

  /** Discards any spooled message. Idempotent. */
  @Override
  public void close() {
    discardSpool();
    state = State.CLOSED;
  }
}
