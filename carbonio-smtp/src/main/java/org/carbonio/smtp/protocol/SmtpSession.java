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
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.carbonio.directory.sasl.AuthzidPolicy;
import org.carbonio.directory.sasl.LoginMechanism;
import org.carbonio.directory.sasl.PlainMechanism;
import org.carbonio.directory.sasl.SaslError;
import org.carbonio.directory.sasl.SaslMechanism;
import org.carbonio.directory.sasl.SaslResult;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.SmtpMode;
import org.carbonio.smtp.internal.Spool;
import org.carbonio.smtp.spi.Authenticator;
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
 * //   ChunkEnd e  -> apply(session.endChunk(e))
 * //   AuthResponse r -> apply(session.authResponse(r))
 * }
 *
 * <p>After a BDAT command (RFC 3030) the decoder reads the chunk by itself; {@link #handle} then
 * returns no reply, and the reply (or refusal) comes with {@link #endChunk}. After a {@code 334}
 * challenge ({@link Outcome.Action#AUTH_RESPONSE}) the next line is a SASL response.
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
    /** Reading message data after DATA. */
    DATA,
    /** Reading a BDAT chunk (RFC 3030). */
    BDAT,
    /** In a SASL exchange: the next line is a response (RFC 4954 §4). */
    AUTH,
    /** QUIT or a fatal error: the transport closes the connection. */
    CLOSED
  }

  private static final DateTimeFormatter RFC_5322_DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

  private final SmtpSessionConfig config;
  private final boolean lmtp;
  private SessionInfo info;
  private State state = State.CONNECTED;
  private SmtpCommand.Mail mail;
  private final List<EnvelopeRecipient> recipients = new ArrayList<>();
  private int badCommands;
  private int authFailures;
  private long transactions;
  private Spool spool;
  private long dataBytes;
  private boolean tooBig;
  private boolean spoolFailed;
  private boolean chunking; // this transaction has taken BDAT chunks
  private boolean chunksFailed; // a chunk failed: discard pipelined BDATs quietly until MAIL/RSET
  private Outcome chunkRefusal; // the reply for the chunk being discarded, or null
  private State afterChunk;
  private SaslMechanism sasl;

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
   * @throws IllegalStateException during DATA, a BDAT chunk or a SASL exchange, or after CLOSE
   */
  public Outcome handle(SmtpCommand command) {
    if (state == State.DATA
        || state == State.BDAT
        || state == State.AUTH
        || state == State.CLOSED) {
      throw new IllegalStateException("command in state " + state);
    }
    return switch (command) {
      case SmtpCommand.Helo h -> lmtp ? error(SmtpReplies.UNRECOGNIZED) : hello(h.domain(), false);
      case SmtpCommand.Ehlo e -> lmtp ? error(SmtpReplies.UNRECOGNIZED) : hello(e.domain(), true);
      case SmtpCommand.Lhlo l -> lmtp ? hello(l.domain(), true) : error(SmtpReplies.UNRECOGNIZED);
      case SmtpCommand.Mail m -> mail(m);
      case SmtpCommand.Rcpt r -> rcpt(r);
      case SmtpCommand.Data d -> data();
      case SmtpCommand.Bdat b -> bdat(b);
      case SmtpCommand.Auth a -> auth(a);
      case SmtpCommand.Rset r -> {
        resetTransaction();
        chunksFailed = false;
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

  /**
   * Handles a line the decoder refused; counts towards {@code maxBadCommands}. During a SASL
   * exchange (a response line too long) it ends the exchange as a failed AUTH.
   */
  public Outcome handleBad(Decoded.Bad bad) {
    if (state == State.AUTH) {
      return authFailed(bad.reply());
    }
    if (state == State.DATA || state == State.BDAT || state == State.CLOSED) {
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
    sasl = null;
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

  private boolean authUsable() {
    return config.authenticator().isPresent()
        && (info.tls() || config.policy().plaintextAuthAllowed());
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
    boolean offerAuth = authUsable() && !info.isAuthenticated();
    return Outcome.reply(
        SmtpReplies.ehlo(
            config.hostname(), config.limits().maxMessageBytes(), offerTls, offerAuth, info.tls()));
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
    chunksFailed = false;
    if (config.policy().authRequired() && !info.isAuthenticated()) {
      return error(SmtpReplies.AUTH_REQUIRED); // RFC 4954 §6, RFC 6409 §4.3
    }
    if (!m.otherParameters().isEmpty()) {
      String keyword = Collections.min(m.otherParameters().keySet());
      return error(SmtpReplies.parameterNotRecognized(keyword));
    }
    if (m.requireTls() && !info.tls()) {
      return Outcome.reply(SmtpReplies.REQUIRETLS_NEEDS_TLS); // RFC 8689 §4.1
    }
    if (!m.smtputf8() && !CommandParser.isAscii(m.reversePath())) {
      return Outcome.reply(SmtpReplies.NON_ASCII_ADDRESS); // RFC 6531 §3.5
    }
    if (m.size().isPresent() && m.size().getAsLong() > config.limits().maxMessageBytes()) {
      return Outcome.reply(SmtpReplies.MESSAGE_TOO_BIG); // RFC 1870 §6.1
    }
    mail = m;
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
    if (chunking) {
      return error(SmtpReplies.RCPT_AFTER_BDAT);
    }
    if (!r.parameters().isEmpty()) {
      return error(SmtpReplies.parameterNotRecognized(Collections.min(r.parameters().keySet())));
    }
    if (!mail.smtputf8() && !CommandParser.isAscii(r.forwardPath())) {
      return Outcome.reply(SmtpReplies.NON_ASCII_ADDRESS); // RFC 6531 §3.5
    }
    if (recipients.size() >= config.limits().maxRecipients()) {
      return Outcome.reply(SmtpReplies.TOO_MANY_RECIPIENTS); // RFC 5321 §4.5.3.1.10
    }
    RecipientDecision decision;
    try {
      decision =
          config
              .recipientPolicy()
              .check(new RecipientCheck(info, mail.reversePath(), r.forwardPath()));
    } catch (RuntimeException e) {
      return Outcome.reply(SmtpReplies.TEMPORARY_FAILURE);
    }
    return switch (decision) {
      case RecipientDecision.Accept a -> {
        recipients.add(new EnvelopeRecipient(r.forwardPath(), r.notifyOn(), r.originalRecipient()));
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
    if (chunking) {
      return error(SmtpReplies.DATA_BDAT_MIXED); // RFC 3030 §2
    }
    if (mail.body() == BodyType.BINARY_MIME) {
      return error(SmtpReplies.BINARYMIME_NEEDS_BDAT); // RFC 3030 §3
    }
    state = State.DATA;
    startSpool();
    return Outcome.then(SmtpReplies.START_DATA, Outcome.Action.START_DATA);
  }

  private void startSpool() {
    spool = new Spool(config.spoolDirectory(), config.limits().spoolThreshold());
    dataBytes = 0;
    tooBig = false;
    spoolFailed = false;
  }

  // RFC 3030 §2: the decoder reads the chunk whatever we answer; the reply follows the chunk
  private Outcome bdat(SmtpCommand.Bdat b) {
    afterChunk = state;
    chunkRefusal =
        switch (state) {
          case CONNECTED -> error(SmtpReplies.SEND_HELO_FIRST);
          case READY ->
              chunksFailed // RFC 3030 §2: discard BDATs pipelined after a failed one
                  ? Outcome.reply(SmtpReplies.NEED_MAIL)
                  : error(SmtpReplies.NEED_MAIL);
          case MAIL -> error(SmtpReplies.NO_VALID_RECIPIENTS);
          default -> null;
        };
    if (chunkRefusal != null && chunkRefusal.action() == Outcome.Action.CLOSE) {
      return chunkRefusal;
    }
    if (chunkRefusal == null && !chunking) {
      chunking = true;
      startSpool();
    }
    state = State.BDAT;
    return new Outcome(List.of(), Outcome.Action.CONTINUE);
  }

  /**
   * Takes message bytes during DATA or a BDAT chunk. Bytes beyond {@code maxMessageBytes} are
   * counted and dropped; a spool failure is remembered and reported by {@link #endData} or {@link
   * #endChunk}. Never throws on I/O.
   *
   * @throws IllegalStateException outside DATA and BDAT
   */
  public void data(ByteBuffer chunk) {
    if (state != State.DATA && state != State.BDAT) {
      throw new IllegalStateException("data in state " + state);
    }
    int n = chunk.remaining();
    if (chunkRefusal != null) {
      chunk.position(chunk.limit());
      return;
    }
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
    boolean refuseBareLineBreak = end.bareLineBreak() && config.compliance() == Compliance.STRICT;
    return finish(refuseBareLineBreak ? SmtpReplies.BARE_LINE_BREAK_DATA : null);
  }

  /**
   * Ends a BDAT chunk (RFC 3030 §2): {@code 250} for a chunk taken, the refusal of a chunk that was
   * discarded, or, after {@code LAST}, the delivery's reply (one per recipient in LMTP mode). A
   * chunk that makes the message exceed {@code maxMessageBytes} is answered {@code 552 5.3.4} and
   * ends the transaction.
   *
   * @throws IllegalStateException outside a BDAT chunk
   */
  public Outcome endChunk(Decoded.ChunkEnd end) {
    if (state != State.BDAT) {
      throw new IllegalStateException("endChunk in state " + state);
    }
    if (chunkRefusal != null) {
      Outcome refusal = chunkRefusal;
      chunkRefusal = null;
      state = afterChunk;
      return refusal;
    }
    if (tooBig || spoolFailed) {
      Outcome o = finish(null);
      chunksFailed = true;
      return o;
    }
    if (end.last()) {
      return finish(null);
    }
    state = State.RCPT;
    return Outcome.reply(SmtpReplies.chunkReceived(end.bytes()));
  }

  /** Ends the transaction: refuses with {@code refusal} (or size/spool errors) or delivers. */
  private Outcome finish(SmtpReply refusal) {
    List<SmtpReply> replies;
    try {
      if (tooBig) {
        replies = Collections.nCopies(recipients.size(), SmtpReplies.MESSAGE_TOO_BIG);
      } else if (spoolFailed) {
        replies = Collections.nCopies(recipients.size(), SmtpReplies.INSUFFICIENT_STORAGE);
      } else if (refusal != null) {
        replies = Collections.nCopies(recipients.size(), refusal);
      } else {
        replies = deliver();
      }
    } finally {
      resetTransaction();
      state = State.READY;
    }
    if (lmtp) {
      return new Outcome(replies, Outcome.Action.CONTINUE);
    }
    return Outcome.reply(replies.getFirst());
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

  // RFC 4954 §4
  private Outcome auth(SmtpCommand.Auth a) {
    if (config.authenticator().isEmpty()) {
      return error(SmtpReplies.NOT_IMPLEMENTED);
    }
    switch (state) {
      case CONNECTED -> {
        return error(SmtpReplies.SEND_HELO_FIRST);
      }
      case MAIL, RCPT -> {
        return error(SmtpReplies.AUTH_IN_TRANSACTION);
      }
      default -> {}
    }
    if (info.isAuthenticated()) {
      return error(SmtpReplies.ALREADY_AUTHENTICATED);
    }
    if (!authUsable()) {
      return error(SmtpReplies.AUTH_NEEDS_ENCRYPTION); // RFC 4954 §4: PLAIN/LOGIN only over TLS
    }
    SaslMechanism mechanism =
        switch (a.mechanism()) {
          case PlainMechanism.NAME -> new PlainMechanism(AuthzidPolicy.ANY);
          case LoginMechanism.NAME -> new LoginMechanism();
          default -> null;
        };
    if (mechanism == null) {
      return error(SmtpReplies.AUTH_MECHANISM_UNKNOWN);
    }
    if (a.initialResponse() == null) {
      return challenge(mechanism, mechanism.initialChallenge());
    }
    byte[] response = base64(a.initialResponse());
    if (response == null) {
      return authFailed(SmtpReplies.AUTH_BAD_BASE64);
    }
    return step(mechanism, response);
  }

  /**
   * Takes one SASL response line after {@link Outcome.Action#AUTH_RESPONSE}: {@code *} cancels
   * ({@code 501}), otherwise the base64 response goes to the mechanism.
   *
   * @throws IllegalStateException outside a SASL exchange
   */
  public Outcome authResponse(Decoded.AuthResponse response) {
    if (state != State.AUTH) {
      throw new IllegalStateException("authResponse in state " + state);
    }
    String line = response.line();
    if (line.equals("*")) {
      return authFailed(SmtpReplies.AUTH_CANCELLED);
    }
    byte[] bytes = base64(line);
    if (bytes == null) {
      return authFailed(SmtpReplies.AUTH_BAD_BASE64);
    }
    return step(sasl, bytes);
  }

  /** RFC 4954 §4: base64 without line breaks; {@code =} alone is an empty initial response. */
  private static byte[] base64(String s) {
    if (s.equals("=")) {
      return new byte[0];
    }
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private Outcome challenge(SaslMechanism mechanism, SaslResult.Challenge c) {
    sasl = mechanism;
    state = State.AUTH;
    String b64 = Base64.getEncoder().encodeToString(c.message().getBytes(StandardCharsets.UTF_8));
    return Outcome.then(SmtpReplies.authChallenge(b64), Outcome.Action.AUTH_RESPONSE);
  }

  private Outcome step(SaslMechanism mechanism, byte[] response) {
    SaslResult result = mechanism.evaluate(response);
    return switch (result) {
      case SaslResult.Challenge c -> challenge(mechanism, c);
      case SaslResult.CheckPassword p -> checkPassword(p);
      case SaslResult.Success s -> authenticated(s.username());
      case SaslResult.Failure f ->
          authFailed(
              f.error() == SaslError.INVALID_ENCODING
                  ? SmtpReplies.AUTH_BAD_BASE64
                  : SmtpReplies.AUTH_INVALID);
    };
  }

  private Outcome checkPassword(SaslResult.CheckPassword p) {
    Authenticator authenticator = config.authenticator().orElseThrow();
    Optional<String> identity;
    try {
      identity = authenticator.authenticate(info, p.authzid(), p.username(), p.password());
    } catch (RejectException e) {
      return authFailed(SmtpReply.of(e.code(), e.enhancedStatus(), e.text()));
    } catch (IOException | RuntimeException e) {
      return authFailed(SmtpReplies.AUTH_TEMPORARY_FAILURE); // RFC 4954 §6
    }
    if (identity == null || identity.isEmpty() || identity.get().isEmpty()) {
      return authFailed(SmtpReplies.AUTH_INVALID);
    }
    return authenticated(identity.get());
  }

  private Outcome authenticated(String identity) {
    sasl = null;
    state = State.READY;
    info = info.withAuthenticated(identity);
    return Outcome.reply(SmtpReplies.AUTH_OK);
  }

  /** Ends a SASL exchange that did not succeed; the last allowed failure closes. */
  private Outcome authFailed(SmtpReply reply) {
    sasl = null;
    state = State.READY;
    authFailures++;
    if (authFailures >= config.limits().maxAuthFailures()) {
      state = State.CLOSED;
      return Outcome.then(SmtpReplies.tooManyAuthFailures(config.hostname()), Outcome.Action.CLOSE);
    }
    return Outcome.reply(reply);
  }

  private List<SmtpReply> deliver() {
    transactions++;
    String id = info.id() + "." + transactions;
    Envelope envelope =
        new Envelope(
            mail.reversePath(),
            recipients,
            mail.ret(),
            mail.envelopeId(),
            mail.body(),
            mail.smtputf8(),
            mail.requireTls());
    byte[] header = receivedHeader(id).getBytes(StandardCharsets.UTF_8);
    List<RecipientOutcome> outcomes;
    try {
      outcomes =
          config
              .deliveryHandler()
              .deliverEach(new Delivery(info, id, envelope, new Content(header, spool)));
    } catch (RejectException e) {
      return Collections.nCopies(
          recipients.size(), SmtpReply.of(e.code(), e.enhancedStatus(), e.text()));
    } catch (IOException | RuntimeException e) {
      return Collections.nCopies(recipients.size(), SmtpReplies.TEMPORARY_FAILURE);
    }
    return replies(id, outcomes == null ? List.of() : outcomes);
  }

  /** One reply per recipient from the handler's outcomes (RFC 2033 §4.2), or SMTP's one reply. */
  private List<SmtpReply> replies(String id, List<RecipientOutcome> outcomes) {
    List<RecipientOutcome> left = new ArrayList<>(outcomes);
    List<SmtpReply> replies = new ArrayList<>(recipients.size());
    SmtpReply firstFailure = null;
    boolean anyDelivered = false;
    for (EnvelopeRecipient r : recipients) {
      RecipientOutcome o = null;
      for (int i = 0; i < left.size(); i++) {
        if (left.get(i) != null && left.get(i).recipient().equals(r.address())) {
          o = left.remove(i);
          break;
        }
      }
      SmtpReply reply;
      if (o == null) {
        reply = SmtpReplies.TEMPORARY_FAILURE;
      } else if (o.status() == RecipientOutcome.Status.DELIVERED) {
        reply = SmtpReplies.queued(id);
        anyDelivered = true;
      } else {
        reply = failure(o);
      }
      if (firstFailure == null && !reply.isPositive()) {
        firstFailure = reply;
      }
      replies.add(reply);
    }
    if (!lmtp && anyDelivered) {
      // SMTP: one reply; the handler has queued or bounced the failed recipients itself
      return List.of(SmtpReplies.queued(id));
    }
    return !lmtp && firstFailure != null ? List.of(firstFailure) : replies;
  }

  private static SmtpReply failure(RecipientOutcome o) {
    try {
      return SmtpReply.of(o.code(), o.enhancedStatus(), o.text());
    } catch (IllegalArgumentException e) {
      return SmtpReply.of(o.code(), null, o.text()); // the handler's enhanced code is malformed
    }
  }

  /** The spooled message with the trace header in front; readable many times. */
  private static final class Content implements MessageContent {
    private final byte[] header;
    private final Spool spool;

    Content(byte[] header, Spool spool) {
      this.header = header;
      this.spool = spool;
    }

    @Override
    public InputStream open() throws IOException {
      return new SequenceInputStream(new ByteArrayInputStream(header), spool.open());
    }

    @Override
    public long size() {
      return header.length + spool.size();
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
        + withType()
        + " id "
        + id
        + ";\r\n\t"
        + date
        + "\r\n";
  }

  /** The {@code with} protocol type: RFC 3848 (S for TLS, A for AUTH) and RFC 6531 §3.7.3. */
  private String withType() {
    String suffix = (info.tls() ? "S" : "") + (info.isAuthenticated() ? "A" : "");
    if (mail != null && mail.smtputf8()) {
      return (lmtp ? "UTF8LMTP" : "UTF8SMTP") + suffix;
    }
    if (lmtp) {
      return "LMTP" + suffix;
    }
    return info.esmtp() ? "ESMTP" + suffix : "SMTP";
  }

  private void resetTransaction() {
    mail = null;
    recipients.clear();
    chunking = false;
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
