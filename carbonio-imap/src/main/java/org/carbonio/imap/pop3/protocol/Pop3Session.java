package org.carbonio.imap.pop3.protocol;

import static java.util.Objects.requireNonNull;
import static org.carbonio.imap.pop3.protocol.Pop3Replies.err;
import static org.carbonio.imap.pop3.protocol.Pop3Replies.ok;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.carbonio.directory.sasl.SaslError;
import org.carbonio.directory.sasl.SaslMechanism;
import org.carbonio.directory.sasl.SaslResult;
import org.carbonio.imap.protocol.ByteSource;
import org.carbonio.imap.spi.AuthRequest;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.FlagOperation;
import org.carbonio.imap.spi.ImapAuthenticator;
import org.carbonio.imap.spi.MailboxBackend;
import org.carbonio.imap.spi.MailboxView;
import org.carbonio.imap.spi.UidList;
import org.carbonio.imap.spi.UserMailboxes;

/**
 * The POP3 state machine (RFC 1939 §§3-6): AUTHORIZATION (USER/PASS, AUTH, STLS, CAPA, QUIT),
 * TRANSACTION (STAT, LIST, RETR, DELE, NOOP, RSET, TOP, UIDL, CAPA, QUIT), then UPDATE at QUIT. The
 * maildrop is the user's {@code INBOX}; DELE only marks a message in the session, and QUIT flags
 * the marked messages {@code \Deleted} and expunges exactly them. A session that ends any other way
 * ({@link #close()} without QUIT: dropped connection, timeout, shutdown) deletes nothing.
 *
 * <p>Sizes in STAT, LIST and the RETR reply are the backend's {@code MessageMeta.size}, the size
 * with CRLF line ends (what IMAP's RFC822.SIZE means): the octets sent before byte-stuffing, as RFC
 * 1939 §5 asks.
 *
 * <p>Per message the session keeps its UID (4 bytes), its size (8 bytes) and a deletion bit.
 *
 * <p>Not thread-safe: confine to one connection.
 */
public final class Pop3Session implements AutoCloseable {

  /** What the transport must do after a command. */
  public enum Mode {
    /** Waiting for USER/PASS, AUTH, STLS, CAPA or QUIT. */
    AUTHORIZATION,
    /** In a SASL exchange: the next line is a {@link Pop3Command.SaslResponse}. */
    SASL,
    /** Logged in, the maildrop is locked. */
    TRANSACTION,
    /** STLS accepted: start TLS, discard bytes read so far, then call {@link #tlsStarted()}. */
    START_TLS,
    /** Write the replies, then close the connection. */
    CLOSED
  }

  private static final String INBOX = "INBOX";
  private static final int CHUNK = 1000;

  private final Pop3SessionOptions options;
  private final ImapAuthenticator authenticator;
  private final MailboxBackend backend;
  private final MaildropLocks locks;
  private final InetSocketAddress client;
  private boolean tls;
  private Mode mode = Mode.AUTHORIZATION;
  private int badCommands;
  private int authFailures;
  private String pendingUser;

  // SASL exchange
  private SaslOffer saslOffer;
  private SaslMechanism sasl;
  private Optional<String> successPendingUser; // non-null once additional data was sent

  // maildrop (TRANSACTION)
  private String user;
  private MaildropLocks.Lock lock;
  private UserMailboxes mailboxes;
  private long uidValidity;
  private int[] uids = new int[0];
  private long[] sizes = new long[0];
  private int count;
  private final BitSet deleted = new BitSet();

  /**
   * @param locks shared by every session over the same backend
   * @param client the client address, or null when not on a socket
   * @param tls whether the connection is already protected (implicit TLS)
   */
  public Pop3Session(
      Pop3SessionOptions options,
      ImapAuthenticator authenticator,
      MailboxBackend backend,
      MaildropLocks locks,
      InetSocketAddress client,
      boolean tls) {
    this.options = requireNonNull(options, "options");
    this.authenticator = requireNonNull(authenticator, "authenticator");
    this.backend = requireNonNull(backend, "backend");
    this.locks = requireNonNull(locks, "locks");
    this.client = client;
    this.tls = tls;
  }

  /** The greeting (RFC 1939 §4); no APOP timestamp, APOP is not offered. */
  public Pop3Reply greeting() {
    return ok(options.greeting());
  }

  public Mode mode() {
    return mode;
  }

  /** The canonical user once logged in, else null. */
  public String user() {
    return user;
  }

  /** The transport finished the TLS handshake after STLS (RFC 2595 §4): state is reset. */
  public void tlsStarted() {
    if (mode != Mode.START_TLS) throw new IllegalStateException("tlsStarted in mode " + mode);
    tls = true;
    pendingUser = null;
    mode = Mode.AUTHORIZATION;
  }

  /** The reply to a line over the length limit; it counts as a bad command. */
  public List<Pop3Reply> lineTooLong() {
    List<Pop3Reply> out = new ArrayList<>(1);
    if (mode == Mode.SASL) {
      endSasl();
    }
    bad(Pop3Replies.LINE_TOO_LONG, out::add);
    return out;
  }

  /** Runs a command and collects its replies (for tests and small replies). */
  public List<Pop3Reply> handle(Pop3Command command) {
    List<Pop3Reply> out = new ArrayList<>();
    handle(command, out::add);
    return out;
  }

  /**
   * Runs a command, passing the replies to {@code out} as they are produced: a long listing or a
   * message is handed over in pieces (a message is held in memory only while it is written).
   *
   * @throws IllegalStateException in mode {@link Mode#START_TLS} or {@link Mode#CLOSED}
   */
  public void handle(Pop3Command command, Consumer<Pop3Reply> out) {
    requireNonNull(command, "command");
    if (mode == Mode.START_TLS || mode == Mode.CLOSED) {
      throw new IllegalStateException("command in mode " + mode);
    }
    if (mode == Mode.SASL) {
      if (command instanceof Pop3Command.SaslResponse r) {
        saslResponse(r.line(), out);
      } else {
        throw new IllegalStateException("expected a SASL response, got " + command);
      }
      return;
    }
    switch (command) {
      case Pop3Command.Unknown u -> bad(Pop3Replies.unknown(u.verb()), out);
      case Pop3Command.Invalid i -> bad(err(i.reason()), out);
      case Pop3Command.SaslResponse r -> bad(Pop3Replies.unknown(""), out);
      case Pop3Command.Capa c -> capa(out);
      case Pop3Command.Quit q -> quit(out);
      case Pop3Command.User u -> inAuthorization(out, () -> user(u.name(), out));
      case Pop3Command.Pass p -> inAuthorization(out, () -> pass(p.password(), out));
      case Pop3Command.Auth a -> inAuthorization(out, () -> auth(a, out));
      case Pop3Command.Stls s -> inAuthorization(out, () -> stls(out));
      case Pop3Command.Noop n -> inTransaction(out, () -> out.accept(Pop3Replies.NOOP));
      case Pop3Command.Stat s ->
          inTransaction(out, () -> out.accept(ok(liveCount() + " " + liveOctets())));
      case Pop3Command.List l -> inTransaction(out, () -> list(l, out));
      case Pop3Command.Uidl u -> inTransaction(out, () -> uidl(u, out));
      case Pop3Command.Retr r -> inTransaction(out, () -> retrieve(r.message(), -1, out));
      case Pop3Command.Top t -> inTransaction(out, () -> retrieve(t.message(), t.lines(), out));
      case Pop3Command.Dele d -> inTransaction(out, () -> dele(d.message(), out));
      case Pop3Command.Rset r ->
          inTransaction(
              out,
              () -> {
                deleted.clear(); // RFC 1939 §5 RSET
                out.accept(Pop3Replies.maildrop(count, liveOctets()));
              });
    }
  }

  private void inAuthorization(Consumer<Pop3Reply> out, Runnable action) {
    if (mode != Mode.AUTHORIZATION) {
      out.accept(Pop3Replies.WRONG_STATE);
    } else {
      action.run();
    }
  }

  private void inTransaction(Consumer<Pop3Reply> out, Runnable action) {
    if (mode != Mode.TRANSACTION) {
      out.accept(Pop3Replies.WRONG_STATE);
    } else {
      action.run();
    }
  }

  private void bad(Pop3Reply reply, Consumer<Pop3Reply> out) {
    badCommands++;
    if (badCommands > options.maxBadCommands()) {
      close(); // no UPDATE
      out.accept(Pop3Replies.TOO_MANY_BAD);
      return;
    }
    out.accept(reply);
  }

  // ---- AUTHORIZATION ----

  private boolean plaintextAllowed() {
    return tls || options.allowPlaintextAuth();
  }

  private Pop3Reply plaintextRefusal() {
    // RFC 2595 §2.2, RFC 2449 §8 / RFC 3206: [AUTH] when STLS would help, else [SYS/PERM]
    return options.tlsAvailable() ? Pop3Replies.PLAINTEXT_USE_STLS : Pop3Replies.PLAINTEXT_NO_TLS;
  }

  private void capa(Consumer<Pop3Reply> out) {
    List<String> caps = new ArrayList<>();
    // RFC 2449 §6
    caps.add("TOP");
    caps.add("UIDL");
    caps.add("RESP-CODES");
    caps.add("AUTH-RESP-CODE"); // RFC 3206
    caps.add("PIPELINING");
    caps.add("EXPIRE NEVER");
    if (!options.loginDelay().isZero()) {
      caps.add("LOGIN-DELAY " + options.loginDelay().toSeconds());
    }
    if (mode == Mode.AUTHORIZATION) {
      if (plaintextAllowed()) caps.add("USER");
      List<String> mechs = offeredMechanisms();
      if (!mechs.isEmpty()) caps.add("SASL " + String.join(" ", mechs));
      if (options.tlsAvailable() && !tls) caps.add("STLS"); // RFC 2595 §4
    }
    caps.add("IMPLEMENTATION " + options.implementation());
    out.accept(Pop3Replies.CAPA);
    out.accept(new Pop3Reply.Lines(caps));
    out.accept(new Pop3Reply.End());
  }

  private List<String> offeredMechanisms() {
    return options.mechanisms().stream()
        .filter(m -> !m.plaintext() || plaintextAllowed())
        .map(SaslOffer::name)
        .toList();
  }

  private void stls(Consumer<Pop3Reply> out) {
    if (tls) {
      out.accept(Pop3Replies.ALREADY_TLS);
    } else if (!options.tlsAvailable()) {
      out.accept(Pop3Replies.STLS_UNAVAILABLE);
    } else {
      mode = Mode.START_TLS;
      out.accept(Pop3Replies.STLS_BEGIN);
    }
  }

  private void user(String name, Consumer<Pop3Reply> out) {
    if (!plaintextAllowed()) {
      pendingUser = null;
      out.accept(plaintextRefusal());
      return;
    }
    pendingUser = name;
    out.accept(Pop3Replies.USER_OK);
  }

  private void pass(String password, Consumer<Pop3Reply> out) {
    if (!plaintextAllowed()) {
      out.accept(plaintextRefusal());
      return;
    }
    if (pendingUser == null) {
      out.accept(Pop3Replies.NEED_USER);
      return;
    }
    String name = pendingUser;
    pendingUser = null;
    checkPassword(name, password, out);
  }

  private void checkPassword(String name, String password, Consumer<Pop3Reply> out) {
    Optional<String> canonical;
    try {
      canonical = authenticator.authenticate(new AuthRequest(name, password, client, tls));
    } catch (RuntimeException e) {
      out.accept(Pop3Replies.AUTH_UNAVAILABLE);
      return;
    }
    if (canonical == null || canonical.isEmpty()) {
      authFailed(Pop3Replies.AUTH_FAILED, out);
    } else {
      login(canonical.get(), out);
    }
  }

  private void authFailed(Pop3Reply reply, Consumer<Pop3Reply> out) {
    authFailures++;
    if (authFailures >= options.maxAuthFailures()) {
      close();
      out.accept(Pop3Replies.TOO_MANY_AUTH_FAILURES);
    } else {
      out.accept(reply);
    }
  }

  private void auth(Pop3Command.Auth a, Consumer<Pop3Reply> out) {
    if (a.mechanism().isEmpty()) {
      // the RFC 1734 era probe: list the mechanisms
      out.accept(Pop3Replies.MECHANISMS);
      out.accept(new Pop3Reply.Lines(offeredMechanisms()));
      out.accept(new Pop3Reply.End());
      return;
    }
    String name = a.mechanism().get();
    SaslOffer offer =
        options.mechanisms().stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
    if (offer == null) {
      out.accept(Pop3Replies.UNKNOWN_MECHANISM);
      return;
    }
    if (offer.plaintext() && !plaintextAllowed()) {
      out.accept(plaintextRefusal());
      return;
    }
    SaslMechanism mechanism = offer.factory().get();
    saslOffer = offer;
    sasl = mechanism;
    successPendingUser = null;
    if (a.initialResponse().isEmpty()) {
      challenge(mechanism.initialChallenge().message(), out);
      return;
    }
    byte[] response = base64(a.initialResponse().get(), true);
    if (response == null) {
      endSasl();
      authFailed(Pop3Replies.BAD_BASE64, out);
      return;
    }
    step(response, out);
  }

  /** RFC 5034 §4: base64; "=" alone is an empty initial response. */
  private static byte[] base64(String s, boolean initial) {
    if (initial && s.equals("=")) return new byte[0];
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private void challenge(String message, Consumer<Pop3Reply> out) {
    mode = Mode.SASL;
    out.accept(
        new Pop3Reply.Challenge(
            Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8))));
  }

  private void endSasl() {
    sasl = null;
    saslOffer = null;
    successPendingUser = null;
    if (mode == Mode.SASL) mode = Mode.AUTHORIZATION;
  }

  private void saslResponse(String line, Consumer<Pop3Reply> out) {
    if (line.equals("*")) {
      endSasl(); // RFC 5034 §4: the client cancels
      authFailed(Pop3Replies.AUTH_CANCELLED, out);
      return;
    }
    if (successPendingUser != null) {
      // RFC 5034 §4: additional data with success went out as a challenge; the answer is empty
      Optional<String> canonical = successPendingUser;
      endSasl();
      if (!line.isEmpty() || canonical.isEmpty()) {
        authFailed(Pop3Replies.AUTH_FAILED, out);
      } else {
        login(canonical.get(), out);
      }
      return;
    }
    byte[] response = base64(line, false);
    if (response == null) {
      endSasl();
      authFailed(Pop3Replies.BAD_BASE64, out);
      return;
    }
    step(response, out);
  }

  private void step(byte[] response, Consumer<Pop3Reply> out) {
    SaslResult result = sasl.evaluate(response);
    switch (result) {
      case SaslResult.Challenge c -> challenge(c.message(), out);
      case SaslResult.CheckPassword p -> {
        endSasl();
        checkPassword(p.username(), p.password(), out);
      }
      case SaslResult.Success s -> {
        Optional<String> canonical;
        try {
          canonical = saslOffer.canonicalUser().apply(s.username());
        } catch (RuntimeException e) {
          endSasl();
          out.accept(Pop3Replies.AUTH_UNAVAILABLE);
          return;
        }
        if (s.additionalData().isPresent()) {
          successPendingUser = canonical == null ? Optional.empty() : canonical;
          challenge(s.additionalData().get(), out);
          return;
        }
        endSasl();
        if (canonical == null || canonical.isEmpty()) {
          authFailed(Pop3Replies.AUTH_FAILED, out);
        } else {
          login(canonical.get(), out);
        }
      }
      case SaslResult.Failure f -> {
        endSasl();
        authFailed(
            f.error() == SaslError.INVALID_ENCODING
                ? Pop3Replies.BAD_BASE64
                : Pop3Replies.AUTH_FAILED,
            out);
      }
    }
  }

  /** Locks and loads the maildrop (RFC 1939 §4: the server acquires an exclusive-access lock). */
  private void login(String canonical, Consumer<Pop3Reply> out) {
    MaildropLocks.Outcome outcome =
        locks.tryLock(canonical, options.clock().instant(), options.loginDelay());
    switch (outcome) {
      case MaildropLocks.Outcome.InUse u -> out.accept(Pop3Replies.IN_USE_REPLY);
      case MaildropLocks.Outcome.TooSoon t -> out.accept(Pop3Replies.loginDelay(t.remaining()));
      case MaildropLocks.Outcome.Locked l -> {
        try {
          load(canonical);
        } catch (BackendException | RuntimeException e) {
          unload();
          l.lock().close();
          out.accept(Pop3Replies.MAILDROP_UNAVAILABLE);
          return;
        }
        lock = l.lock();
        user = canonical;
        mode = Mode.TRANSACTION;
        out.accept(Pop3Replies.maildrop(count, liveOctets()));
      }
    }
  }

  private void load(String canonical) throws BackendException {
    mailboxes = backend.open(canonical);
    MailboxView view = mailboxes.select(INBOX);
    uidValidity = view.uidValidity();
    UidList all = view.uids();
    int[] u = new int[all.size()];
    long[] s = new long[all.size()];
    int[] n = {0};
    for (int from = 0; from < all.size(); from += CHUNK) {
      int to = Math.min(all.size(), from + CHUNK) - 1;
      mailboxes.messages(
          INBOX,
          all.get(from),
          all.get(to),
          m -> {
            // only messages of the view, ascending: one expunged meanwhile is left out
            if (n[0] < u.length
                && (n[0] == 0 || m.uid() > Integer.toUnsignedLong(u[n[0] - 1]))
                && all.indexOf(m.uid()) >= 0) {
              u[n[0]] = (int) m.uid();
              s[n[0]] = m.size();
              n[0]++;
            }
          });
    }
    count = n[0];
    uids = count == u.length ? u : Arrays.copyOf(u, count);
    sizes = count == s.length ? s : Arrays.copyOf(s, count);
  }

  private void unload() {
    if (mailboxes != null) {
      try {
        mailboxes.close();
      } catch (RuntimeException e) {
        // nothing more to do
      }
    }
    mailboxes = null;
  }

  // ---- TRANSACTION ----

  private int liveCount() {
    return count - deleted.cardinality();
  }

  private long liveOctets() {
    long total = 0;
    for (int i = 0; i < count; i++) if (!deleted.get(i)) total += sizes[i];
    return total;
  }

  private long uid(int index) {
    return Integer.toUnsignedLong(uids[index]);
  }

  /** The 0-based index of message {@code n}, or -1 after sending the error. */
  private int index(int n, Consumer<Pop3Reply> out) {
    if (n < 1 || n > count) {
      out.accept(Pop3Replies.noSuchMessage(count));
      return -1;
    }
    if (deleted.get(n - 1)) {
      out.accept(Pop3Replies.alreadyDeleted(n));
      return -1;
    }
    return n - 1;
  }

  private void list(Pop3Command.List l, Consumer<Pop3Reply> out) {
    if (l.message().isPresent()) {
      int i = index(l.message().getAsInt(), out);
      if (i >= 0) out.accept(ok((i + 1) + " " + sizes[i]));
      return;
    }
    out.accept(ok(liveCount() + " messages (" + liveOctets() + " octets)"));
    lines(i -> (i + 1) + " " + sizes[i], out);
  }

  /** RFC 1939 §7: unique-id of 1 to 70 characters 0x21-0x7E, stable across sessions. */
  private String uniqueId(int i) {
    return uidValidity + "." + uid(i);
  }

  private void uidl(Pop3Command.Uidl u, Consumer<Pop3Reply> out) {
    if (u.message().isPresent()) {
      int i = index(u.message().getAsInt(), out);
      if (i >= 0) out.accept(ok((i + 1) + " " + uniqueId(i)));
      return;
    }
    out.accept(ok(""));
    lines(i -> (i + 1) + " " + uniqueId(i), out);
  }

  /** The lines of the non-deleted messages, in chunks, then the end. */
  private void lines(java.util.function.IntFunction<String> line, Consumer<Pop3Reply> out) {
    List<String> chunk = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (deleted.get(i)) continue;
      chunk.add(line.apply(i));
      if (chunk.size() == CHUNK) {
        out.accept(new Pop3Reply.Lines(chunk));
        chunk.clear();
      }
    }
    if (!chunk.isEmpty()) out.accept(new Pop3Reply.Lines(chunk));
    out.accept(new Pop3Reply.End());
  }

  private void retrieve(int n, int bodyLines, Consumer<Pop3Reply> out) {
    int i = index(n, out);
    if (i < 0) return;
    byte[] content;
    try {
      content = mailboxes.content(INBOX, uid(i));
    } catch (BackendException.NotFound e) {
      out.accept(Pop3Replies.removedMeanwhile(n));
      return;
    } catch (BackendException | RuntimeException e) {
      out.accept(Pop3Replies.MAILDROP_UNAVAILABLE);
      return;
    }
    out.accept(ok(bodyLines < 0 ? sizes[i] + " octets" : ""));
    out.accept(new Pop3Reply.Content(ByteSource.of(content), bodyLines));
    out.accept(new Pop3Reply.End());
  }

  private void dele(int n, Consumer<Pop3Reply> out) {
    int i = index(n, out);
    if (i < 0) return;
    deleted.set(i);
    out.accept(ok("Message " + n + " deleted"));
  }

  private void quit(Consumer<Pop3Reply> out) {
    if (mode != Mode.TRANSACTION) {
      mode = Mode.CLOSED;
      out.accept(Pop3Replies.BYE);
      return;
    }
    // RFC 1939 §6: the UPDATE state
    mode = Mode.CLOSED;
    List<Long> gone = new ArrayList<>(deleted.cardinality());
    for (int i = deleted.nextSetBit(0); i >= 0; i = deleted.nextSetBit(i + 1)) gone.add(uid(i));
    boolean ok = true;
    if (!gone.isEmpty()) {
      try {
        mailboxes.setFlags(INBOX, gone, FlagOperation.ADD, Set.of("\\Deleted"));
        mailboxes.expunge(INBOX, Optional.of(gone));
      } catch (BackendException.NotFound e) {
        ok = true; // already gone: the aim is reached
      } catch (BackendException | RuntimeException e) {
        ok = false;
      }
    }
    int left = liveCount();
    deleted.clear();
    release();
    out.accept(ok ? Pop3Replies.signingOff(left) : Pop3Replies.UPDATE_FAILED);
  }

  private void release() {
    unload();
    if (lock != null) lock.close();
    lock = null;
  }

  /**
   * Ends the session without UPDATE: marked deletions are forgotten (RFC 1939 §6: only QUIT
   * deletes), the maildrop is unlocked. Idempotent.
   */
  @Override
  public void close() {
    deleted.clear();
    release();
    mode = Mode.CLOSED;
  }
}
