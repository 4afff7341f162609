package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.carbonio.directory.sasl.SaslMechanism;
import org.carbonio.imap.protocol.ImapResponse.FetchItem;
import org.carbonio.imap.protocol.ImapResponse.Status;
import org.carbonio.imap.protocol.ImapResponse.Tagged;
import org.carbonio.imap.spi.Acl;
import org.carbonio.imap.spi.AuthRequest;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.FlagOperation;
import org.carbonio.imap.spi.ImapAuthenticator;
import org.carbonio.imap.spi.MailboxBackend;
import org.carbonio.imap.spi.MailboxChanges;
import org.carbonio.imap.spi.MailboxInfo;
import org.carbonio.imap.spi.MailboxStatus;
import org.carbonio.imap.spi.MailboxView;
import org.carbonio.imap.spi.MessageMeta;
import org.carbonio.imap.spi.ScramSupport;
import org.carbonio.imap.spi.UserMailboxes;

/**
 * The IMAP4rev2 (RFC 9051 §3) and IMAP4rev1 (RFC 3501 §3) state machine: turns {@link ImapCommand}s
 * into {@link ImapResponse}s over the SPI. It keeps its own message sequence number ↔ UID map and
 * reports other sessions' changes as untagged EXISTS/EXPUNGE/FETCH responses (RFC 3501 §7), never
 * EXPUNGE during FETCH, STORE or SEARCH (§7.4.1). It does no I/O and no logging; SPI exceptions
 * other than {@link BackendException} propagate to the caller.
 *
 * <p>Not thread-safe: confine to one connection. The one exception is the IDLE change listener,
 * which the SPI may call from any thread; the transport must then lock before {@link
 * #pollUpdates()}.
 */
public final class ImapSession implements AutoCloseable {

  /** RFC 3501 §3 connection states. */
  public enum State {
    NOT_AUTHENTICATED,
    AUTHENTICATED,
    SELECTED,
    LOGOUT
  }

  /** What the transport must do after the last {@link #handle} call. */
  public enum Mode {
    /** Read the next command. */
    COMMAND,
    /** Read one continuation line ({@link ImapDecoder#expectContinuationLine()}) for SASL. */
    AUTH_CONTINUATION,
    /** IDLE: read a continuation line (DONE) and push {@link #pollUpdates()} on changes. */
    IDLE,
    /** Perform the TLS handshake, then call {@link #tlsStarted()}. */
    START_TLS,
    /**
     * Start DEFLATE in both directions right after the tagged OK (RFC 4978 §3), then call {@link
     * #compressionStarted()}.
     */
    COMPRESS,
    /** Close the connection. */
    LOGOUT
  }

  /** Largest literal accepted before authentication, in bytes. */
  public static final int PRE_AUTH_LITERAL_LIMIT = 8 * 1024;

  /**
   * Largest non-synchronizing literal accepted before authentication, where the session advertises
   * LITERAL- instead of LITERAL+ (RFC 7888 §5).
   */
  public static final int LITERAL_MINUS_LIMIT = 4096;

  /** Messages whose metadata one backend call returns at most, for FETCH, SEARCH. */
  static final int META_CHUNK = 1000;

  private static final long MAX_UID = 0xFFFF_FFFFL;

  private static final List<String> SYSTEM_FLAGS =
      List.of("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft");

  private static final Comparator<String> FLAG_ORDER =
      Comparator.<String, Boolean>comparing(f -> !f.startsWith("\\"))
          .thenComparing(Comparator.naturalOrder());

  private final SessionOptions options;
  private final ImapAuthenticator authenticator;
  private final MailboxBackend backend;
  private final InetSocketAddress client;

  private boolean tls;
  private State state = State.NOT_AUTHENTICATED;
  private Mode mode = Mode.COMMAND;
  private String user;
  private UserMailboxes mailboxes;
  private Selected selected;
  private String pendingTag;
  private AutoCloseable watch;
  private Runnable changeListener = () -> {};
  private final Map<Set<String>, List<String>> sortedFlags = new java.util.IdentityHashMap<>();
  private final CondStore condStore = new CondStore();
  private final Preview previews = new Preview();

  /** The saved search result (RFC 5182 §2.1) as ascending UIDs; empty until a SAVE. */
  private long[] savedResult = new long[0];

  private final Extensions extensions = new Extensions();
  private final Optional<ScramSupport> scram;
  // a SASL exchange in progress (LOGIN, SCRAM-SHA-256), see Sasl
  private SaslMechanism sasl;
  private String saslUser;

  // the name a SCRAM client sent, once its proof is to be checked: its outcome is counted
  private String saslChecked;
  // canonical name of a SCRAM exchange that succeeded, until the client acknowledges server-final
  private String saslAck;
  private boolean compressed;
  private NotifyState notify;

  /**
   * @param client the client address, or null
   * @param tls whether the connection already runs TLS (implicit TLS)
   */
  public ImapSession(
      SessionOptions options,
      ImapAuthenticator authenticator,
      MailboxBackend backend,
      InetSocketAddress client,
      boolean tls) {
    this.options = requireNonNull(options, "options");
    this.authenticator = requireNonNull(authenticator, "authenticator");
    this.backend = requireNonNull(backend, "backend");
    this.client = client;
    this.tls = tls;
    this.scram = requireNonNull(authenticator.scram(), "authenticator.scram()");
    // RFC 5161: what ENABLE can turn on; other extensions register here too
    extensions.register(Extensions.IMAP4REV2, () -> {});
    extensions.register(Extensions.UTF8_ACCEPT, () -> {});
    extensions.register("CONDSTORE", () -> condStore.enable("CONDSTORE"), condStore::reset);
    extensions.register( // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE
        "QRESYNC",
        () -> {
          condStore.enable("QRESYNC");
          extensions.enable(List.of("CONDSTORE"));
        },
        condStore::reset);
  }

  /** The ENABLE-able extensions of this session and which are enabled (RFC 5161). */
  public Extensions extensions() {
    return extensions;
  }

  /** Whether the client enabled IMAP4rev2 (RFC 9051 §6.3.1): rev2 semantics apply. */
  public boolean rev2() {
    return extensions.isEnabled(Extensions.IMAP4REV2);
  }

  /**
   * Whether the client enabled UTF8=ACCEPT (RFC 6855 §3); the transport passes it to {@link
   * ImapDecoder#utf8(boolean)} after every command.
   */
  public boolean utf8Accept() {
    return extensions.isEnabled(Extensions.UTF8_ACCEPT);
  }

  public State state() {
    return state;
  }

  public Mode mode() {
    return mode;
  }

  /** The authenticated user, or null. */
  public String user() {
    return user;
  }

  /** The selected mailbox, or null. */
  public String selectedMailbox() {
    return selected == null ? null : selected.name;
  }

  /** The CONDSTORE/QRESYNC state of this session (RFC 7162), for ENABLE. */
  public CondStore condStore() {
    return condStore;
  }

  /** Called (from any thread) when the selected mailbox changes during IDLE. */
  public void setChangeListener(Runnable listener) {
    this.changeListener = requireNonNull(listener, "listener");
  }

  /** The greeting sent on connect (RFC 3501 §7.1.1). */
  public ImapResponse greeting() {
    return new ImapResponse.Untagged(
        Status.OK, "CAPABILITY " + String.join(" ", capabilities()), options.greeting());
  }

  /** The transport finished the STARTTLS handshake (RFC 3501 §6.2.1). */
  public void tlsStarted() {
    tls = true;
    mode = Mode.COMMAND;
  }

  /** The transport started DEFLATE on both directions (RFC 4978). */
  public void compressionStarted() {
    compressed = true;
    mode = Mode.COMMAND;
  }

  /** Whether NOTIFY (RFC 5465) is active: the transport pushes {@link #pollUpdates()} any time. */
  public boolean notifying() {
    return notify != null;
  }

  /** The response for a command that threw an unexpected exception. */
  public static ImapResponse serverBug(String tag) {
    return new Tagged(
        tag.isEmpty() ? "*" : tag, Status.NO, "SERVERBUG", "Internal error, see server log");
  }

  /**
   * Untagged changes for pushes: of the selected mailbox during IDLE, and with NOTIFY (RFC 5465)
   * also between commands, plus STATUS and LIST responses for other mailboxes. Empty otherwise.
   */
  public List<ImapResponse> pollUpdates() {
    List<ImapResponse> out = new ArrayList<>();
    boolean idle = mode == Mode.IDLE;
    if (selected != null && (idle || notify != null && notify.pushesSelected())) {
      updates(out::add, idle || !notify.selectedDelayed());
    }
    if (notify != null && (idle || mode == Mode.COMMAND)) pollNotify(out::add);
    return out;
  }

  private void pollNotify(Consumer<ImapResponse> out) {
    notify.poll(selectedMailbox(), out);
    if (notify.overflowed()) notify = null;
  }

  /** Releases the user's mailboxes and any IDLE watch. Idempotent. */
  @Override
  public void close() {
    stopWatch();
    if (notify != null) {
      notify.close();
      notify = null;
    }
    if (selected != null) selected.unwatch();
    selected = null;
    if (mailboxes != null) {
      mailboxes.close();
      mailboxes = null;
    }
  }

  private boolean loginAllowed() {
    return tls || options.allowPlaintextAuth();
  }

  /** The current capability list (RFC 3501 §7.2.1). */
  public List<String> capabilities() {
    List<String> caps = new ArrayList<>();
    caps.add("IMAP4rev1");
    caps.add("IMAP4rev2"); // RFC 9051 §6.3.1: rev2 semantics after ENABLE IMAP4rev2
    if (state == State.NOT_AUTHENTICATED) {
      if (options.tlsAvailable() && !tls) caps.add("STARTTLS");
      if (loginAllowed()) caps.addAll(Sasl.mechanisms(scram.isPresent()));
      else caps.add("LOGINDISABLED");
    }
    caps.addAll(
        List.of(
            "SASL-IR",
            // RFC 7888: before login non-synchronizing literals are capped (LITERAL-), after it not
            state == State.NOT_AUTHENTICATED ? "LITERAL-" : "LITERAL+",
            "ENABLE",
            "UTF8=ACCEPT",
            "ID",
            "IDLE",
            "NAMESPACE",
            "UIDPLUS",
            "UNSELECT",
            "MOVE",
            "CHILDREN",
            "APPENDLIMIT=" + options.appendLimit()));
    caps.addAll(CondStore.CAPABILITIES);
    caps.addAll(List.of("OBJECTID", "SAVEDATE", "PREVIEW"));
    caps.addAll(SEARCH_CAPABILITIES);
    if (state != State.NOT_AUTHENTICATED) caps.add("UNAUTHENTICATE"); // RFC 8437 §2
    // RFC 3502, RFC 4469, RFC 3516, RFC 8508, RFC 4978, RFC 5465
    caps.addAll(
        caps.size() - 1, // before APPENDLIMIT, which stays last
        List.of("MULTIAPPEND", "CATENATE", "BINARY", "REPLACE", "COMPRESS=DEFLATE", "NOTIFY"));
    caps.addAll(caps.size() - 1, MailboxExtensions.CAPABILITIES);
    return caps;
  }

  // --- dispatch ---------------------------------------------------------------------------------

  /**
   * Executes one command and returns the responses to write, in order. The caller closes {@link
   * ImapCommand.Append#message()} afterwards. Convenient for tests; transports use {@link
   * #handle(ImapCommand, Consumer)} so that large FETCH results are not held in memory.
   */
  public List<ImapResponse> handle(ImapCommand command) {
    List<ImapResponse> out = new ArrayList<>();
    handle(command, out::add);
    return out;
  }

  /**
   * Executes one command, passing each response to {@code out} as soon as it is produced, in order;
   * the tagged completion comes last. FETCH emits one response per message and keeps at most one
   * message's content in memory. Exceptions thrown by {@code out} propagate unchanged. The caller
   * closes {@link ImapCommand.Append#message()} afterwards.
   */
  public void handle(ImapCommand command, Consumer<ImapResponse> out) {
    requireNonNull(command, "command");
    requireNonNull(out, "out");
    if (utf8Accept()) out = utf8Names(out);
    if (command instanceof ImapCommand.ContinuationLine line) {
      continuation(line.line(), out);
      return;
    }
    if (mode != Mode.COMMAND) {
      out.accept(bad(command.tag(), "Command not expected now"));
      return;
    }
    String tag = command.tag();
    if (!allowed(command)) {
      out.accept(bad(tag, "Command not allowed in state " + state));
      return;
    }
    if (msnBeyondMailbox(command)) {
      out.accept(bad(tag, "Invalid message sequence number"));
      return;
    }
    try {
      Tagged done = dispatch(command, out);
      if (selected != null && state == State.SELECTED && mode == Mode.COMMAND) {
        // A backend that watches every change notifies before the write returns, so a change
        // acknowledged to any session has set the flag by now; pushes (IDLE, NOTIFY) always look.
        boolean expungeAllowed = expungeAllowed(command);
        if (selected.mayHaveChanged()) updates(out, expungeAllowed);
        else if (expungeAllowed) flushExpunges(selected, out);
      }
      if (notify != null && mode == Mode.COMMAND) {
        notify.syncSelected(selectedMailbox());
        pollNotify(out);
      }
      if (done != null) out.accept(done);
    } catch (BackendException e) {
      out.accept(fail(tag, e, false));
    }
  }

  /**
   * The {@link LiteralGate} of this session: before authentication only literals up to {@value
   * #PRE_AUTH_LITERAL_LIMIT} bytes (LOGIN, AUTHENTICATE, ID arguments) are accepted, so that an
   * unauthenticated client cannot make the server buffer or spool a message (RFC 3501 §7.5: the
   * server rejects the command with a tagged BAD instead of a continuation request). Afterwards
   * every literal is left to the decoder's limits.
   */
  public Optional<Decoded.Rejected> acceptLiteral(LiteralGate.Request request) {
    requireNonNull(request, "request");
    if (state == State.NOT_AUTHENTICATED && request.size() > PRE_AUTH_LITERAL_LIMIT) {
      return Optional.of(
          new Decoded.Bad(
              request.tag(),
              "literal of "
                  + request.size()
                  + " bytes not accepted before authentication (limit "
                  + PRE_AUTH_LITERAL_LIMIT
                  + ")"));
    }
    if (state == State.NOT_AUTHENTICATED
        && !request.synchronizing()
        && request.size() > LITERAL_MINUS_LIMIT) {
      // RFC 7888 §5: LITERAL- caps non-synchronizing literals; the bytes are skipped
      return Optional.of(
          new Decoded.Bad(
              request.tag(),
              "[TOOBIG] non-synchronizing literal of "
                  + request.size()
                  + " bytes exceeds LITERAL- (limit "
                  + LITERAL_MINUS_LIMIT
                  + ")"));
    }
    return Optional.empty();
  }

  /**
   * RFC 9051 §9 / RFC 3501 §9 (seq-number): "The server should respond with a tagged BAD response
   * to a command that uses a message sequence number greater than the number of messages in the
   * selected mailbox." Only ranges of explicit numbers count: a range with {@code *} stays accepted
   * (lenient: clients send {@code 1:*} routinely, also to an empty mailbox).
   */
  private boolean msnBeyondMailbox(ImapCommand c) {
    SequenceSet set =
        switch (c) {
          case ImapCommand.Fetch f when !f.uid() -> f.set();
          case ImapCommand.Store f when !f.uid() -> f.set();
          case ImapCommand.Copy f when !f.uid() -> f.set();
          case ImapCommand.Move f when !f.uid() -> f.set();
          default -> null;
        };
    if (set == null || set.isSaved() || selected == null) return false;
    for (SequenceSet.Range r : set.ranges()) {
      if (r.first() != SequenceSet.STAR
          && r.last() != SequenceSet.STAR
          && Math.max(r.first(), r.last()) > selected.size) {
        return true;
      }
    }
    return false;
  }

  private static boolean expungeAllowed(ImapCommand c) {
    // RFC 3501 §7.4.1: no EXPUNGE while responding to FETCH, STORE or SEARCH (UID forms may).
    return switch (c) {
      case ImapCommand.Fetch f -> f.uid();
      case ImapCommand.Store s -> s.uid();
      case ImapCommand.Search s -> s.uid();
      case ImapCommand.Sort s -> s.uid();
      case ImapCommand.Thread s -> s.uid();
      case ImapCommand.Copy s -> s.uid();
      default -> true;
    };
  }

  private boolean allowed(ImapCommand c) {
    return switch (c) {
      case ImapCommand.Capability x -> true;
      case ImapCommand.Noop x -> true;
      case ImapCommand.Logout x -> true;
      case ImapCommand.Id x -> true;
      case ImapCommand.StartTls x -> state == State.NOT_AUTHENTICATED;
      case ImapCommand.Login x -> state == State.NOT_AUTHENTICATED;
      case ImapCommand.Authenticate x -> state == State.NOT_AUTHENTICATED;
      case ImapCommand.Enable x -> state == State.AUTHENTICATED; // RFC 5161 §3.1
      case ImapCommand.Check x -> state == State.SELECTED;
      case ImapCommand.Close x -> state == State.SELECTED;
      case ImapCommand.Unselect x -> state == State.SELECTED;
      case ImapCommand.Expunge x -> state == State.SELECTED;
      case ImapCommand.Search x -> state == State.SELECTED;
      case ImapCommand.Sort x -> state == State.SELECTED;
      case ImapCommand.Thread x -> state == State.SELECTED;
      case ImapCommand.Fetch x -> state == State.SELECTED;
      case ImapCommand.Store x -> state == State.SELECTED;
      case ImapCommand.Copy x -> state == State.SELECTED;
      case ImapCommand.Move x -> state == State.SELECTED;
      case ImapCommand.Replace x -> state == State.SELECTED;
      default -> state == State.AUTHENTICATED || state == State.SELECTED;
    };
  }

  private Tagged dispatch(ImapCommand command, Consumer<ImapResponse> out) throws BackendException {
    return switch (command) {
      case ImapCommand.Capability c -> {
        out.accept(new ImapResponse.Capability(capabilities()));
        yield ok(c.tag(), "CAPABILITY completed");
      }
      case ImapCommand.Noop c -> ok(c.tag(), "NOOP completed");
      case ImapCommand.Check c -> ok(c.tag(), "CHECK completed");
      case ImapCommand.Logout c -> {
        out.accept(new ImapResponse.Untagged(Status.BYE, null, "Logging out"));
        close();
        state = State.LOGOUT;
        mode = Mode.LOGOUT;
        yield ok(c.tag(), "LOGOUT completed");
      }
      case ImapCommand.Id c -> {
        out.accept(new ImapResponse.Id(Map.of("name", "Carbonio")));
        yield ok(c.tag(), "ID completed");
      }
      case ImapCommand.Enable c -> {
        out.accept(new ImapResponse.Enabled(extensions.enable(c.capabilities())));
        yield ok(c.tag(), "ENABLE completed");
      }
      case ImapCommand.Unauthenticate c -> unauthenticate(c.tag());
      case ImapCommand.Namespace c -> {
        out.accept(new ImapResponse.NamespaceData(mailboxes.namespaces()));
        yield ok(c.tag(), "NAMESPACE completed");
      }
      case ImapCommand.StartTls c -> {
        if (!options.tlsAvailable() || tls) yield bad(c.tag(), "STARTTLS not available");
        mode = Mode.START_TLS;
        yield ok(c.tag(), "Begin TLS negotiation now");
      }
      case ImapCommand.Login c -> {
        if (!loginAllowed()) {
          yield new Tagged(c.tag(), Status.NO, "PRIVACYREQUIRED", "LOGIN disabled without TLS");
        }
        yield login(c.tag(), c.user(), c.password());
      }
      case ImapCommand.Authenticate c -> authenticate(c, out);
      case ImapCommand.ContinuationLine c -> throw new IllegalStateException("handled earlier");
      case ImapCommand.ListMailboxes c -> list(c.tag(), c.reference(), c.pattern(), false, out);
      case ImapCommand.Lsub c -> list(c.tag(), c.reference(), c.pattern(), true, out);
      case ImapCommand.Subscribe c -> {
        mailboxes.subscribe(normalize(c.mailbox()), true);
        yield ok(c.tag(), "SUBSCRIBE completed");
      }
      case ImapCommand.Unsubscribe c -> {
        mailboxes.subscribe(normalize(c.mailbox()), false);
        yield ok(c.tag(), "UNSUBSCRIBE completed");
      }
      case ImapCommand.Status c -> status(c, out);
      case ImapCommand.Create c -> {
        String name = normalize(c.mailbox());
        while (name.endsWith("/")) name = name.substring(0, name.length() - 1);
        // RFC 9051 §6.3.4: a well-formed name the server cannot create is NO, not BAD (syntax)
        if (name.isEmpty() || name.contains("//")) {
          yield new Tagged(c.tag(), Status.NO, "CANNOT", "Invalid mailbox name");
        }
        if (name.equals("INBOX")) {
          yield new Tagged(c.tag(), Status.NO, "ALREADYEXISTS", "INBOX already exists");
        }
        mailboxes.create(name);
        Optional<String> id = mailboxes.mailboxId(name);
        if (id.isPresent()) {
          // RFC 8474 §4.1
          yield new Tagged(c.tag(), Status.OK, "MAILBOXID (" + id.get() + ")", "CREATE completed");
        }
        yield ok(c.tag(), "CREATE completed");
      }
      case ImapCommand.Delete c -> {
        String name = normalize(c.mailbox());
        if (name.equals("INBOX"))
          yield new Tagged(c.tag(), Status.NO, "CANNOT", "INBOX cannot be deleted");
        if (selected != null && selected.name.equals(name)) deselect();
        mailboxes.delete(name);
        yield ok(c.tag(), "DELETE completed");
      }
      case ImapCommand.Rename c -> {
        String to = normalize(c.to());
        if (to.equals("INBOX")) {
          yield new Tagged(c.tag(), Status.NO, "ALREADYEXISTS", "INBOX already exists");
        }
        mailboxes.rename(normalize(c.from()), to);
        yield ok(c.tag(), "RENAME completed");
      }
      case ImapCommand.Select c -> select(c.tag(), c.mailbox(), false, c.params(), out);
      case ImapCommand.Examine c -> select(c.tag(), c.mailbox(), true, c.params(), out);
      case ImapCommand.Idle c -> {
        pendingTag = c.tag();
        mode = Mode.IDLE;
        out.accept(new ImapResponse.Continuation("idling"));
        if (selected != null) {
          // Watch first, then poll: a change committed in between still wakes the pusher (a
          // spurious wakeup only finds nothing new), while the other order could miss it.
          String name = selected.name;
          watch = mailboxes.watch(name, () -> changeListener.run());
          updates(out, true);
        }
        yield null;
      }
      case ImapCommand.Append c -> append(c);
      case ImapCommand.AppendMessages c ->
          AppendCommands.append(c, mailboxes, user, selectedMailbox(), options);
      case ImapCommand.Replace c -> replace(c, out);
      case ImapCommand.Compress c -> {
        if (!c.mechanism().equals("DEFLATE")) yield bad(c.tag(), "Unknown compression mechanism");
        if (compressed) {
          yield new Tagged(c.tag(), Status.NO, "COMPRESSIONACTIVE", "DEFLATE already active");
        }
        mode = Mode.COMPRESS;
        yield ok(c.tag(), "DEFLATE active");
      }
      case ImapCommand.Notify c -> notifyCommand(c, out);
      case ImapCommand.Close c -> {
        if (!selected.readOnly && Acl.has(selected.rights, 'e')) {
          mailboxes.expunge(selected.name, Optional.empty());
        }
        deselect();
        yield ok(c.tag(), "CLOSE completed");
      }
      case ImapCommand.Unselect c -> {
        deselect();
        yield ok(c.tag(), "UNSELECT completed");
      }
      case ImapCommand.Expunge c -> expunge(c, out);
      case ImapCommand.Search c -> search(c, out);
      case ImapCommand.Sort c -> sort(c, out);
      case ImapCommand.Thread c -> thread(c, out);
      case ImapCommand.Fetch c -> fetch(c, out);
      case ImapCommand.Store c ->
          c.unchangedSince() >= 0 ? conditionalStore(c, out) : store(c, out);
      case ImapCommand.Copy c -> copy(c.tag(), c.uid(), c.set(), c.mailbox(), false, out);
      case ImapCommand.Move c -> copy(c.tag(), c.uid(), c.set(), c.mailbox(), true, out);
      case ImapCommand.MailboxExt c -> MailboxExtensions.handle(c, mailboxes, user, out);
    };
  }

  // --- authentication ---------------------------------------------------------------------------

  private Tagged login(String tag, String username, String password) {
    Optional<String> canonical =
        authenticator.authenticate(new AuthRequest(username, password, client, tls));
    if (canonical.isEmpty()) {
      return new Tagged(tag, Status.NO, "AUTHENTICATIONFAILED", "Authentication failed");
    }
    return loggedIn(tag, canonical.get());
  }

  private Tagged loggedIn(String tag, String canonical) {
    try {
      mailboxes = backend.open(canonical);
    } catch (BackendException e) {
      return new Tagged(tag, Status.NO, "UNAVAILABLE", "Mailbox unavailable");
    }
    user = canonical;
    state = State.AUTHENTICATED;
    return new Tagged(
        tag, Status.OK, "CAPABILITY " + String.join(" ", capabilities()), "Logged in");
  }

  private Tagged authenticate(ImapCommand.Authenticate c, Consumer<ImapResponse> out) {
    if (!loginAllowed()) {
      return new Tagged(
          c.tag(), Status.NO, "PRIVACYREQUIRED", "Authentication disabled without TLS");
    }
    if (!c.mechanism().equals(Sasl.PLAIN)) {
      saslUser = null;
      saslChecked = null;
      SaslMechanism m =
          Sasl.mechanism(
              c.mechanism(),
              scram,
              clientAddress(),
              name -> saslChecked = name,
              name -> saslUser = name);
      if (m == null) {
        return new Tagged(c.tag(), Status.NO, "CANNOT", "Unsupported authentication mechanism");
      }
      if (c.initialResponse().isPresent()) {
        return saslStep(c.tag(), m, c.initialResponse().get(), out); // RFC 4959
      }
      return challenge(c.tag(), m, m.initialChallenge().message(), out);
    }
    if (c.initialResponse().isPresent()) {
      String ir = c.initialResponse().get();
      return plain(c.tag(), ir.equals("=") ? "" : ir); // RFC 4959 §3: "=" is an empty response
    }
    pendingTag = c.tag();
    mode = Mode.AUTH_CONTINUATION;
    out.accept(new ImapResponse.Continuation(""));
    return null;
  }

  /** Sends a SASL challenge; the next continuation line goes to {@code m}. */
  private Tagged challenge(
      String tag, SaslMechanism m, String message, Consumer<ImapResponse> out) {
    sasl = m;
    pendingTag = tag;
    mode = Mode.AUTH_CONTINUATION;
    out.accept(new ImapResponse.Continuation(Sasl.encode(message)));
    return null;
  }

  /** One client response of a LOGIN or SCRAM exchange; null when a challenge was sent. */
  private Tagged saslStep(String tag, SaslMechanism m, String base64, Consumer<ImapResponse> out) {
    byte[] response = Sasl.decode(base64);
    if (response == null) return bad(tag, "Invalid base64");
    return switch (m.evaluate(response)) {
      case org.carbonio.directory.sasl.SaslResult.Challenge ch ->
          challenge(tag, m, ch.message(), out);
      case org.carbonio.directory.sasl.SaslResult.CheckPassword p ->
          login(tag, p.username(), p.password()); // LOGIN's authzid is always empty
      case org.carbonio.directory.sasl.SaslResult.Success ok -> {
        String canonical = saslUser;
        saslUser = null;
        scramVerified(canonical != null);
        if (canonical == null) {
          yield new Tagged(tag, Status.NO, "AUTHENTICATIONFAILED", "Authentication failed");
        }
        if (ok.additionalData().isEmpty()) yield loggedIn(tag, canonical);
        // RFC 9051 §6.2.2: server-final as one more challenge, answered by an empty response
        challenge(tag, null, ok.additionalData().get(), out);
        saslAck = canonical;
        yield null;
      }
      case org.carbonio.directory.sasl.SaslResult.Failure f -> {
        scramVerified(false);
        yield Sasl.failure(tag, f.error());
      }
    };
  }

  /** Counts a checked SCRAM login against the brute-force limits (RFC 5802 §5 is silent). */
  private void scramVerified(boolean succeeded) {
    String name = saslChecked;
    saslChecked = null;
    if (name != null && scram.isPresent()) {
      scram.get().attempts().verified(name, clientAddress(), succeeded);
    }
  }

  private InetAddress clientAddress() {
    return client == null ? InetAddress.getLoopbackAddress() : client.getAddress();
  }

  private Tagged plain(String tag, String base64) {
    byte[] raw;
    try {
      raw = Base64.getMimeDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      return bad(tag, "Invalid base64");
    }
    String s = new String(raw, StandardCharsets.UTF_8);
    String[] parts = s.split("\0", -1); // RFC 4616: [authzid] NUL authcid NUL passwd
    if (parts.length != 3 || parts[1].isEmpty()) return bad(tag, "Malformed PLAIN response");
    if (!parts[0].isEmpty() && !parts[0].equals(parts[1])) {
      return new Tagged(tag, Status.NO, "AUTHORIZATIONFAILED", "Cannot act as another user");
    }
    return login(tag, parts[1], parts[2]);
  }

  private void continuation(String line, Consumer<ImapResponse> out) {
    String tag = pendingTag;
    switch (mode) {
      case AUTH_CONTINUATION -> {
        mode = Mode.COMMAND;
        pendingTag = null;
        SaslMechanism m = sasl;
        sasl = null;
        String canonical = saslAck;
        saslAck = null;
        if (line.trim().equals("*")) {
          out.accept(bad(tag, "Authentication cancelled"));
        } else if (canonical != null) {
          out.accept(
              line.isEmpty() || line.equals("=")
                  ? loggedIn(tag, canonical)
                  : bad(tag, "Expected an empty response"));
        } else if (m != null) {
          Tagged done = saslStep(tag, m, line, out);
          if (done != null) out.accept(done);
        } else {
          out.accept(plain(tag, line));
        }
      }
      case IDLE -> {
        stopWatch();
        mode = Mode.COMMAND;
        pendingTag = null;
        if (selected != null) updates(out, true);
        if (line.trim().equalsIgnoreCase("DONE")) out.accept(ok(tag, "IDLE terminated"));
        else out.accept(bad(tag, "Expected DONE"));
      }
      default -> out.accept(bad("*", "Unexpected continuation"));
    }
  }

  private void stopWatch() {
    closeQuietly(watch);
    watch = null;
  }

  private static void closeQuietly(AutoCloseable watch) {
    if (watch == null) return;
    try {
      watch.close();
    } catch (Exception e) {
      // a watch handle that fails to close leaves nothing for us to do
    }
  }

  // --- mailboxes --------------------------------------------------------------------------------

  /** INBOX is case-insensitive (RFC 3501 §5.1). */
  static String normalize(String name) {
    if (name.equalsIgnoreCase("INBOX")) return "INBOX";
    if (name.length() > 6 && name.substring(0, 6).equalsIgnoreCase("INBOX/")) {
      return "INBOX" + name.substring(5);
    }
    return name;
  }

  private Tagged list(
      String tag, String reference, String pattern, boolean lsub, Consumer<ImapResponse> out)
      throws BackendException {
    if (pattern.isEmpty() && !lsub) {
      // RFC 3501 §6.3.8: the hierarchy delimiter and root
      out.accept(new ImapResponse.ListItem(false, Set.of("\\Noselect"), ""));
      return ok(tag, "LIST completed");
    }
    String full = normalize(reference + pattern);
    Pattern regex = wildcard(full);
    Map<String, MailboxInfo> byName = new HashMap<>();
    for (MailboxInfo m : mailboxes.list()) byName.put(normalize(m.name()), m);
    Set<String> names = new TreeSet<>(byName.keySet());
    Set<String> parents = new HashSet<>();
    for (String n : byName.keySet()) {
      int i = n.indexOf('/');
      while (i > 0) {
        parents.add(n.substring(0, i));
        i = n.indexOf('/', i + 1);
      }
    }
    names.addAll(parents);
    for (String name : names) {
      if (!regex.matcher(name).matches()) continue;
      MailboxInfo info = byName.get(name);
      if (lsub && (info == null || !info.subscribed())) continue;
      Set<String> attrs = new LinkedHashSet<>();
      // RFC 9051 §7.3.1: in rev2 a mere parent of mailboxes is \NonExistent (implies \Noselect)
      if (info == null) attrs.add(rev2() ? "\\NonExistent" : "\\Noselect");
      else attrs.addAll(info.attributes());
      if (!lsub) attrs.add(parents.contains(name) ? "\\HasChildren" : "\\HasNoChildren");
      out.accept(new ImapResponse.ListItem(lsub, attrs, name));
    }
    return ok(tag, (lsub ? "LSUB" : "LIST") + " completed");
  }

  private static Pattern wildcard(String p) {
    StringBuilder re = new StringBuilder();
    StringBuilder lit = new StringBuilder();
    for (char c : p.toCharArray()) {
      if (c == '*' || c == '%') {
        if (!lit.isEmpty()) re.append(Pattern.quote(lit.toString()));
        lit.setLength(0);
        re.append(c == '*' ? ".*" : "[^/]*");
      } else {
        lit.append(c);
      }
    }
    if (!lit.isEmpty()) re.append(Pattern.quote(lit.toString()));
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  private Tagged status(ImapCommand.Status c, Consumer<ImapResponse> out) throws BackendException {
    String name = normalize(c.mailbox());
    MailboxStatus st = mailboxes.status(name);
    List<Map.Entry<String, Long>> items = new ArrayList<>();
    String mailboxId = null;
    if (c.items().contains("HIGHESTMODSEQ")) condStoreUsed(out); // RFC 7162 §3.1
    for (String item : c.items()) {
      if (item.equals("MAILBOXID")) {
        mailboxId = mailboxes.mailboxId(name).orElse(null); // RFC 8474 §4.2
        continue;
      }
      long v =
          switch (item) {
            case "MESSAGES" -> st.messages();
            case "RECENT" -> 0;
            case "UIDNEXT" -> st.uidNext();
            case "UIDVALIDITY" -> st.uidValidity();
            case "UNSEEN" -> st.unseen();
            case "HIGHESTMODSEQ" -> st.highestModSeq();
            case "SIZE" -> mailboxes.size(name); // RFC 8438
            case "DELETED" -> mailboxes.deleted(name); // RFC 9051 §6.3.11
            default -> throw new IllegalStateException(item);
          };
      items.add(Map.entry(item, v));
    }
    out.accept(new ImapResponse.StatusData(name, items, mailboxId));
    return ok(c.tag(), "STATUS completed");
  }

  private Tagged select(
      String tag, String mailbox, boolean readOnly, SelectParams params, Consumer<ImapResponse> out)
      throws BackendException {
    if (params.qresync().isPresent() && !condStore.qresync()) {
      return bad(tag, "QRESYNC must be enabled first"); // RFC 7162 §3.2.5
    }
    if (selected != null) {
      // RFC 9051 §6.3.2, RFC 7162 §3.2.11: the previous mailbox is closed, before any other
      // response of this SELECT and whether or not it succeeds
      out.accept(new ImapResponse.Untagged(Status.OK, "CLOSED", "Previous mailbox closed"));
    }
    if (params.condStore() || params.qresync().isPresent()) enableCondStoreImplicitly();
    deselect(); // RFC 3501 §6.3.1: a failed SELECT leaves no mailbox selected
    String name = normalize(mailbox);
    String rights = MailboxExtensions.rights(mailboxes, name); // RFC 4314 §4
    if (!Acl.has(rights, 'r')) return new Tagged(tag, Status.NO, "NOPERM", "No read right");
    String verb = readOnly ? "EXAMINE" : "SELECT";
    readOnly = readOnly || !MailboxExtensions.canWrite(rights);
    MailboxView view = mailboxes.select(name);
    Selected s = new Selected(name, readOnly, view);
    s.rights = rights;
    if (s.flagCache != null) {
      // A backend without modseq: changes are found by comparing flags (see diff()).
      mailboxes.messages(name, 1, MAX_UID, m -> s.flagCache.put(m.uid(), m.flags()));
    }
    Set<String> flags = new TreeSet<>(FLAG_ORDER);
    flags.addAll(SYSTEM_FLAGS);
    flags.addAll(view.keywords());
    flags.remove("\\Recent");
    out.accept(new ImapResponse.Flags(new ArrayList<>(flags)));
    out.accept(new ImapResponse.Exists(s.size));
    boolean rev2 = rev2();
    if (rev2) {
      // RFC 9051 §6.3.2: a LIST response for the mailbox; no RECENT and no UNSEEN code (§E)
      out.accept(new ImapResponse.ListItem(false, listAttributes(name), name));
    } else {
      out.accept(new ImapResponse.Recent(0));
    }
    int firstUnseen = view.firstUnseenUid() == 0 ? -1 : s.indexOf(view.firstUnseenUid());
    if (firstUnseen >= 0 && !rev2) {
      out.accept(
          new ImapResponse.Untagged(Status.OK, "UNSEEN " + (firstUnseen + 1), "First unseen"));
    }
    out.accept(
        new ImapResponse.Untagged(Status.OK, "UIDVALIDITY " + view.uidValidity(), "UIDs valid"));
    out.accept(
        new ImapResponse.Untagged(Status.OK, "UIDNEXT " + view.uidNext(), "Predicted next UID"));
    List<String> perm =
        new ArrayList<>(
            readOnly ? List.of() : MailboxExtensions.permanentFlags(rights, SYSTEM_FLAGS));
    out.accept(
        new ImapResponse.Untagged(
            Status.OK, "PERMANENTFLAGS (" + String.join(" ", perm) + ")", "Flags permitted"));
    if (condStore.condStore()) out.accept(highestModSeq(s)); // RFC 7162 §3.1.2.1
    Optional<String> mailboxId = mailboxes.mailboxId(name);
    if (mailboxId.isPresent()) {
      // RFC 8474 §4.1
      out.accept(new ImapResponse.Untagged(Status.OK, "MAILBOXID (" + mailboxId.get() + ")", "Ok"));
    }
    s.watch(mailboxes);
    selected = s;
    state = State.SELECTED;
    if (params.qresync().isPresent()) qresync(s, params.qresync().get(), out);
    return new Tagged(tag, Status.OK, readOnly ? "READ-ONLY" : "READ-WRITE", verb + " completed");
  }

  private void deselect() {
    if (selected != null) selected.unwatch();
    selected = null;
    savedResult = new long[0]; // RFC 5182 §2.1: SELECT, EXAMINE, CLOSE, UNSELECT reset it
    if (state == State.SELECTED) state = State.AUTHENTICATED;
  }

  /** The LIST attributes of one existing mailbox, for rev2's SELECT (RFC 9051 §6.3.2). */
  private Set<String> listAttributes(String name) throws BackendException {
    Set<String> attrs = new LinkedHashSet<>();
    boolean children = false;
    String prefix = name + "/";
    for (MailboxInfo m : mailboxes.list()) {
      String n = normalize(m.name());
      if (n.equals(name)) attrs.addAll(m.attributes());
      else if (n.startsWith(prefix)) children = true;
    }
    attrs.add(children ? "\\HasChildren" : "\\HasNoChildren");
    return attrs;
  }

  /**
   * UNAUTHENTICATE (RFC 8437 §3): closes the mailbox without expunging, releases the user's
   * mailboxes, forgets enabled extensions; TLS stays.
   */
  private Tagged unauthenticate(String tag) {
    close();
    user = null;
    state = State.NOT_AUTHENTICATED;
    extensions.reset();
    return ok(tag, "UNAUTHENTICATE completed");
  }

  /** For UTF8=ACCEPT sessions: responses carrying mailbox names get them in UTF-8. */
  private static Consumer<ImapResponse> utf8Names(Consumer<ImapResponse> out) {
    return r ->
        out.accept(
            r instanceof ImapResponse.ListItem || r instanceof ImapResponse.StatusData
                ? new ImapResponse.Utf8(r)
                : r);
  }

  private Tagged append(ImapCommand.Append c) throws BackendException {
    String name = normalize(c.mailbox());
    Set<String> flags = new LinkedHashSet<>(c.flags());
    flags.remove("\\Recent");
    Instant date = c.internalDate().orElseGet(() -> options.clock().instant());
    org.carbonio.imap.spi.AppendResult result;
    try {
      if (!Acl.has(MailboxExtensions.rights(mailboxes, name), 'i')) {
        return new Tagged(c.tag(), Status.NO, "NOPERM", "No insert right"); // RFC 4314 §4
      }
    } catch (BackendException.NotFound e) {
      return fail(c.tag(), e, true);
    }
    try (InputStream in = c.message().openStream()) {
      result = mailboxes.append(name, flags, date, in, c.message().size());
    } catch (BackendException.NotFound e) {
      return fail(c.tag(), e, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Tagged(
        c.tag(),
        Status.OK,
        "APPENDUID " + result.uidValidity() + " " + result.uid(),
        "APPEND completed");
  }

  /** REPLACE and UID REPLACE (RFC 8508 §3.3): append the new message, expunge the old one. */
  private Tagged replace(ImapCommand.Replace c, Consumer<ImapResponse> out)
      throws BackendException {
    Selected s = selected;
    String verb = (c.uid() ? "UID " : "") + "REPLACE";
    if (s.readOnly) return new Tagged(c.tag(), Status.NO, "READ-ONLY", "Mailbox is read-only");
    long uid;
    if (c.uid()) {
      if (!s.contains(c.number())) {
        return new Tagged(c.tag(), Status.NO, "NONEXISTENT", "No such message");
      }
      uid = c.number();
    } else {
      if (c.number() > s.size) return bad(c.tag(), "Invalid message sequence number");
      uid = s.uid((int) c.number() - 1);
    }
    org.carbonio.imap.spi.NewMessage message;
    try {
      message = AppendCommands.prepare(c.message(), mailboxes, user, s.name, options);
    } catch (AppendCommands.Refusal r) {
      return r.reply(c.tag());
    }
    org.carbonio.imap.spi.AppendResult r;
    try {
      r = mailboxes.replace(s.name, uid, normalize(c.mailbox()), message);
    } catch (BackendException.NotFound e) {
      return fail(c.tag(), e, true);
    }
    out.accept(
        new ImapResponse.Untagged(
            Status.OK,
            "APPENDUID " + r.uidValidity() + " " + r.uid(),
            "Replacement Message ready"));
    s.pendingExpunge.add(uid);
    flushExpunges(s, out);
    return ok(c.tag(), verb + " completed");
  }

  /** NOTIFY SET / NONE (RFC 5465 §3). */
  private Tagged notifyCommand(ImapCommand.Notify c, Consumer<ImapResponse> out)
      throws BackendException {
    if (c.spec().isPresent()) {
      NotifySpec spec = c.spec().get();
      for (NotifySpec.Group g : spec.groups()) {
        boolean unsupported =
            !g.unknownEvents().isEmpty()
                || g.events().contains(NotifySpec.Event.ANNOTATION_CHANGE)
                || g.events().contains(NotifySpec.Event.MAILBOX_METADATA_CHANGE)
                || g.events().contains(NotifySpec.Event.SERVER_METADATA_CHANGE);
        if (unsupported) {
          return new Tagged(
              c.tag(),
              Status.NO,
              "BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)",
              "Unsupported event");
        }
      }
      if (notify != null) notify.close();
      notify = new NotifyState(spec, mailboxes, () -> changeListener.run());
      try {
        notify.start(selectedMailbox(), out);
      } catch (BackendException e) {
        notify.close();
        notify = null;
        throw e;
      }
    } else if (notify != null) {
      notify.close();
      notify = null;
    }
    return ok(c.tag(), "NOTIFY completed");
  }

  // --- selected state ---------------------------------------------------------------------------

  /**
   * Not thread-safe: the session's view of the selected mailbox. Per message it keeps only the UID,
   * as an unsigned int (4 bytes, like a Dovecot index view's UID map); flags, sizes and dates are
   * read from the backend per command, {@value #META_CHUNK} messages at a time.
   */
  private static final class Selected {
    final String name;
    final boolean readOnly;
    final long uidValidity;

    /** The user's RFC 4314 rights on this mailbox. */
    String rights = Acl.ALL;

    /** UIDs ascending, unsigned; entries {@code [0, size)} are in use. */
    int[] uids;

    int size;
    final Set<Long> pendingExpunge = new TreeSet<>();

    /**
     * Metadata this session already reported from its own STORE or FETCH (which set \Seen), until
     * the next look at the changes: one entry per backend call, holding its modseqs and its UIDs as
     * ranges, so that a STORE of many messages costs a few longs, not one entry per message.
     */
    final List<Reported> reported = new ArrayList<>();

    /** Known flags per UID, only for backends without modseq; null otherwise. */
    final Map<Long, Set<String>> flagCache;

    long modSeq;

    /**
     * Set by the backend's change notification (from any thread) and cleared by each look at the
     * changes: after a command, an unchanged mailbox then costs no backend read. Starts set, so the
     * first look covers whatever happened before the watch began.
     */
    final java.util.concurrent.atomic.AtomicBoolean changed =
        new java.util.concurrent.atomic.AtomicBoolean(true);

    /** The watch behind {@link #changed}; null when the backend cannot watch (look every time). */
    AutoCloseable watch;

    void watch(UserMailboxes mailboxes) {
      if (!mailboxes.watchSeesEveryChange()) return;
      try {
        watch = mailboxes.watch(name, () -> changed.set(true));
      } catch (BackendException | RuntimeException e) {
        watch = null;
      }
    }

    void unwatch() {
      closeQuietly(watch);
      watch = null;
    }

    /** Whether the changes need a look: always without a watch, else when notified since. */
    boolean mayHaveChanged() {
      return watch == null || changed.getAndSet(false);
    }

    Selected(String name, boolean readOnly, MailboxView view) {
      this.name = name;
      this.readOnly = readOnly;
      this.uidValidity = view.uidValidity();
      this.modSeq = view.highestModSeq();
      this.uids = view.uids().toIntArray();
      this.size = uids.length;
      this.flagCache = modSeq > 0 ? null : new HashMap<>();
    }

    long uid(int index) {
      return Integer.toUnsignedLong(uids[index]);
    }

    long maxUid() {
      return size == 0 ? 0 : uid(size - 1);
    }

    /** The first index whose UID is at least {@code uid} ({@code size} if none). */
    int lowerBound(long uid) {
      int lo = 0;
      int hi = size;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (uid(mid) < uid) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }

    int indexOf(long uid) {
      int i = lowerBound(uid);
      return i < size && uid(i) == uid ? i : -1;
    }

    boolean contains(long uid) {
      return indexOf(uid) >= 0;
    }

    int msn(long uid) {
      int i = indexOf(uid);
      return i < 0 ? -1 : i + 1;
    }

    void add(long uid) {
      if (size == uids.length) uids = java.util.Arrays.copyOf(uids, size + (size >> 1) + 16);
      uids[size++] = (int) uid;
    }

    boolean reported(MessageMeta m) {
      if (m.modSeq() <= 0) return false;
      for (Reported r : reported) if (r.covers(m.uid(), m.modSeq())) return true;
      return false;
    }

    /** Removes the given UIDs in one pass. */
    void removeAll(Set<Long> gone) {
      int w = 0;
      for (int r = 0; r < size; r++) {
        if (!gone.contains(uid(r))) uids[w++] = uids[r];
      }
      size = w;
      if (flagCache != null) flagCache.keySet().removeAll(gone);
    }
  }

  /** Appends untagged EXPUNGE/EXISTS/FETCH responses for changes since the last look. */
  private void updates(Consumer<ImapResponse> out, boolean expungeAllowed) {
    Selected s = selected;
    MailboxChanges changes;
    try {
      changes = s.flagCache == null ? mailboxes.changesSince(s.name, s.modSeq) : diff(s);
    } catch (BackendException e) {
      return; // the mailbox may be gone; the next command reports it
    }
    Set<Long> gone = new HashSet<>(changes.expunged());
    for (long uid : changes.expunged()) if (s.contains(uid)) s.pendingExpunge.add(uid);
    if (expungeAllowed) flushExpunges(s, out);
    List<MessageMeta> added = new ArrayList<>();
    long max = s.maxUid();
    for (MessageMeta m : changes.changed()) {
      if (gone.contains(m.uid())) continue;
      int msn = s.msn(m.uid());
      if (msn < 0) {
        if (m.uid() > max) added.add(m);
        continue;
      }
      if (s.reported(m)) continue; // this session reported this state itself
      if (s.flagCache != null) {
        Set<String> old = s.flagCache.put(m.uid(), m.flags());
        if (m.flags().equals(old)) continue;
      }
      if (!s.pendingExpunge.contains(m.uid())) {
        List<FetchItem> items = new ArrayList<>(3);
        items.add(new FetchItem.Flags(sorted(m.flags())));
        items.add(new FetchItem.Uid(m.uid()));
        if (condStore.condStore() && m.modSeq() > 0) items.add(new FetchItem.ModSeq(m.modSeq()));
        out.accept(new ImapResponse.Fetch(msn, items));
      }
    }
    if (!added.isEmpty()) {
      added.sort(Comparator.comparingLong(MessageMeta::uid));
      for (MessageMeta m : added) {
        s.add(m.uid());
        if (s.flagCache != null) s.flagCache.put(m.uid(), m.flags());
      }
      out.accept(new ImapResponse.Exists(s.size));
      if (!rev2()) out.accept(new ImapResponse.Recent(0)); // RFC 9051 §E: no RECENT in rev2
    }
    if (changes.highestModSeq() >= s.modSeq) {
      // Own changes were committed before this look, so none is above what it covered.
      s.reported.clear();
    }
    s.modSeq = Math.max(s.modSeq, changes.highestModSeq());
  }

  private void flushExpunges(Selected s, Consumer<ImapResponse> out) {
    if (s.pendingExpunge.isEmpty()) return;
    if (condStore.qresync()) {
      // RFC 7162 §3.2.10: with QRESYNC enabled, VANISHED replaces EXPUNGE
      List<Long> gone = new ArrayList<>();
      for (long uid : s.pendingExpunge) if (s.contains(uid)) gone.add(uid);
      s.removeAll(new HashSet<>(gone));
      s.pendingExpunge.clear();
      if (!gone.isEmpty()) out.accept(new ImapResponse.Vanished(false, gone));
      return;
    }
    List<Long> desc = new ArrayList<>(s.pendingExpunge);
    desc.sort(Comparator.reverseOrder());
    Set<Long> removed = new HashSet<>();
    for (long uid : desc) {
      int msn = s.msn(uid);
      if (msn < 0) continue;
      // Descending order: removing a higher message does not renumber the lower ones.
      removed.add(uid);
      out.accept(new ImapResponse.Expunge(msn));
    }
    s.removeAll(removed);
    s.pendingExpunge.clear();
  }

  /** For backends without modseq: compare the backend's flags with what the session knows. */
  private MailboxChanges diff(Selected s) throws BackendException {
    Set<Long> present = new HashSet<>();
    List<MessageMeta> changed = new ArrayList<>();
    mailboxes.messages(
        s.name,
        1,
        MAX_UID,
        m -> {
          present.add(m.uid());
          Set<String> old = s.flagCache.get(m.uid());
          if (old == null || !old.equals(m.flags())) changed.add(m);
        });
    List<Long> expunged = new ArrayList<>();
    for (int i = 0; i < s.size; i++) if (!present.contains(s.uid(i))) expunged.add(s.uid(i));
    return new MailboxChanges(0, changed, expunged);
  }

  /**
   * The messages addressed by a set, as ascending, disjoint, inclusive index intervals ({@code msn
   * - 1}); found by binary search, without visiting every message.
   */
  private List<int[]> resolve(SequenceSet set, boolean uid) {
    if (set.isSaved()) return savedSpans();
    Selected s = selected;
    List<int[]> spans = new ArrayList<>();
    long max = uid ? s.maxUid() : s.size;
    if (s.size == 0) return spans;
    for (SequenceSet.Range r : set.ranges()) {
      long a = r.first() == SequenceSet.STAR ? max : r.first();
      long b = r.last() == SequenceSet.STAR ? max : r.last();
      long lo = Math.min(a, b);
      long hi = Math.max(a, b);
      int from;
      int to;
      if (uid) {
        from = s.lowerBound(lo);
        to = s.lowerBound(hi == Long.MAX_VALUE ? hi : hi + 1) - 1;
      } else {
        from = (int) Math.min(lo - 1, s.size);
        to = (int) Math.min(hi, s.size) - 1;
      }
      if (from <= to) spans.add(new int[] {from, to});
    }
    spans.sort(Comparator.comparingInt(x -> x[0]));
    List<int[]> merged = new ArrayList<>();
    for (int[] sp : spans) {
      int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && sp[0] <= last[1] + 1) last[1] = Math.max(last[1], sp[1]);
      else merged.add(sp);
    }
    return merged;
  }

  /** The UIDs of resolved intervals, in order. */
  private List<Long> uidsOf(List<int[]> spans) {
    List<Long> uids = new ArrayList<>();
    for (int[] sp : spans) for (int i = sp[0]; i <= sp[1]; i++) uids.add(selected.uid(i));
    return uids;
  }

  /**
   * Calls {@code each} with (index, metadata) for every message of the intervals, reading metadata
   * from the backend {@value #META_CHUNK} messages at a time. Messages the backend no longer has
   * (expunged by another session, not yet reported) are skipped.
   */
  private void forEachMeta(List<int[]> spans, MetaVisitor each) throws BackendException {
    Selected s = selected;
    List<MessageMeta> chunk = new ArrayList<>(META_CHUNK);
    for (int[] sp : spans) {
      for (int from = sp[0]; from <= sp[1]; from += META_CHUNK) {
        int to = Math.min(sp[1], from + META_CHUNK - 1);
        chunk.clear();
        mailboxes.messages(s.name, s.uid(from), s.uid(to), chunk::add);
        int j = 0;
        for (int i = from; i <= to; i++) {
          long uid = s.uid(i);
          while (j < chunk.size() && chunk.get(j).uid() < uid) j++;
          if (j < chunk.size() && chunk.get(j).uid() == uid) each.visit(i, chunk.get(j));
        }
      }
    }
  }

  @FunctionalInterface
  private interface MetaVisitor {
    void visit(int index, MessageMeta meta) throws BackendException;
  }

  private Tagged fetch(ImapCommand.Fetch c, Consumer<ImapResponse> out) throws BackendException {
    Selected s = selected;
    List<FetchAttribute> atts = new ArrayList<>(c.attributes());
    if (c.uid() && atts.stream().noneMatch(a -> a instanceof FetchAttribute.Uid)) {
      atts.add(0, new FetchAttribute.Uid());
    }
    if (c.vanished() && !condStore.qresync()) {
      return bad(c.tag(), "VANISHED requires ENABLE QRESYNC"); // RFC 7162 §3.2.6
    }
    boolean modSeqWanted =
        c.changedSince() > 0 || atts.stream().anyMatch(a -> a instanceof FetchAttribute.ModSeq);
    if (modSeqWanted) {
      if (s.flagCache != null) return noModSeq(c.tag());
      condStoreUsed(out);
      if (atts.stream().noneMatch(a -> a instanceof FetchAttribute.ModSeq)) {
        atts.add(new FetchAttribute.ModSeq()); // RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ
      }
    }
    if (c.vanished()) vanishedEarlier(s, c.set(), c.changedSince(), out);
    boolean needContent =
        atts.stream()
            .anyMatch(
                a ->
                    a instanceof FetchAttribute.Body
                        || a instanceof FetchAttribute.Binary
                        || a instanceof FetchAttribute.BinarySize
                        || a instanceof FetchAttribute.Envelope
                        || a instanceof FetchAttribute.BodyStructure);
    ObjectIds ids =
        atts.stream()
                .anyMatch(
                    a ->
                        a instanceof FetchAttribute.EmailId
                            || a instanceof FetchAttribute.ThreadId
                            || a instanceof FetchAttribute.SaveDate)
            ? objectIds(s)
            : null;
    List<int[]> spans = resolve(c.set(), c.uid());
    if (c.partial().isPresent()) spans = partialSpans(spans, c.partial().get());
    if (atts.stream().allMatch(a -> a instanceof FetchAttribute.Uid)) {
      for (int[] sp : spans) {
        for (int i = sp[0]; i <= sp[1]; i++) {
          out.accept(new ImapResponse.Fetch(i + 1, List.of(new FetchItem.Uid(s.uid(i)))));
        }
      }
      return ok(c.tag(), (c.uid() ? "UID " : "") + "FETCH completed");
    }
    long changedSince = c.changedSince();
    try {
      forEachMeta(
          spans,
          (index, meta) -> {
            if (changedSince > 0 && meta.modSeq() <= changedSince) return; // RFC 7162 §3.1.4.1
            fetchOne(s, index, meta, atts, needContent, ids, out);
          });
    } catch (BinaryFetch.UnknownCte e) {
      return new Tagged(c.tag(), Status.NO, "UNKNOWN-CTE", e.getMessage()); // RFC 3516 §4.3
    }
    return ok(c.tag(), (c.uid() ? "UID " : "") + "FETCH completed");
  }

  private void fetchOne(
      Selected s,
      int index,
      MessageMeta meta,
      List<FetchAttribute> atts,
      boolean needContent,
      ObjectIds ids,
      Consumer<ImapResponse> out)
      throws BackendException {
    long uid = meta.uid();
    MessageData data = null;
    if (needContent) {
      try {
        data = new MessageData(mailboxes.content(s.name, uid));
      } catch (BackendException.NotFound e) {
        return; // expunged by another session; EXPUNGE follows later (RFC 3501 §7.4.1)
      }
    }
    boolean markSeen = false;
    List<FetchItem> items = new ArrayList<>();
    boolean flagsRequested = false;
    for (FetchAttribute a : atts) {
      switch (a) {
        case FetchAttribute.Flags f -> {
          flagsRequested = true;
          items.add(new FetchItem.Flags(sortedCached(meta.flags())));
        }
        case FetchAttribute.Uid u -> items.add(new FetchItem.Uid(uid));
        case FetchAttribute.InternalDate d ->
            items.add(new FetchItem.InternalDate(meta.internalDate()));
        case FetchAttribute.Rfc822Size z -> items.add(new FetchItem.Size(meta.size()));
        case FetchAttribute.Envelope e -> items.add(new FetchItem.Envelope(data.envelope()));
        case FetchAttribute.BodyStructure b ->
            items.add(new FetchItem.Structure(b.extensible(), data.structure(b.extensible())));
        case FetchAttribute.ModSeq m -> items.add(new FetchItem.ModSeq(meta.modSeq()));
        case FetchAttribute.EmailId e -> {
          org.carbonio.imap.spi.MessageExtras x = ids.get(index);
          String id = x == null ? null : x.emailId().orElse(null);
          if (id == null) {
            if (data == null) data = contentOrNull(s, uid);
            if (data == null) return; // expunged by another session meanwhile
            id = data.emailId();
          }
          items.add(new FetchItem.EmailId(id));
        }
        case FetchAttribute.ThreadId t -> {
          org.carbonio.imap.spi.MessageExtras x = ids.get(index);
          items.add(new FetchItem.ThreadId(x == null ? null : x.threadId().orElse(null)));
        }
        case FetchAttribute.SaveDate d -> {
          org.carbonio.imap.spi.MessageExtras x = ids.get(index);
          items.add(new FetchItem.SaveDate(x == null ? null : x.saveDate().orElse(null)));
        }
        case FetchAttribute.Preview p -> {
          // RFC 8970 §3.1: LAZY returns NIL rather than compute an expensive preview
          String text = previews.cached(s.name, s.uidValidity, uid);
          if (text == null
              && data == null
              && (!p.lazy() || meta.size() <= Preview.LAZY_MAX_BYTES)) {
            data = contentOrNull(s, uid);
            if (data == null) return; // expunged by another session meanwhile
          }
          if (text == null && data != null) {
            text = previews.compute(s.name, s.uidValidity, uid, data.parsed());
          }
          items.add(new FetchItem.Preview(text));
        }
        case FetchAttribute.Body b -> {
          ByteSource content = data.section(b.section());
          if (content != null && b.partialLength() >= 0) {
            content = partial(content, b.partialOffset(), b.partialLength());
          }
          items.add(new FetchItem.Body(b.responseName(), content));
          if (b.setsSeen()) markSeen = true;
        }
        case FetchAttribute.Binary b -> {
          items.add(BinaryFetch.binary(data, b));
          if (!b.peek()) markSeen = true;
        }
        case FetchAttribute.BinarySize b -> items.add(BinaryFetch.size(data, b));
      }
    }
    if (markSeen && !s.readOnly && !meta.flags().contains("\\Seen")) {
      // RFC 3501 §6.4.5: BODY[...] (not PEEK) sets \Seen
      Set<String> now = new HashSet<>(meta.flags());
      now.add("\\Seen");
      List<MessageMeta> updated =
          mailboxes.setFlags(s.name, List.of(uid), FlagOperation.ADD, Set.of("\\Seen"));
      ownChanges(s, updated);
      for (MessageMeta m : updated) if (m.uid() == uid) now = m.flags();
      List<String> flags = sorted(now);
      if (flagsRequested) {
        items.replaceAll(i -> i instanceof FetchItem.Flags ? new FetchItem.Flags(flags) : i);
      } else {
        items.add(new FetchItem.Flags(flags));
      }
      if (condStore.condStore()) {
        // RFC 7162 §3.1: a FETCH that sets \Seen reports UID and the new MODSEQ
        long modSeq = meta.modSeq();
        for (MessageMeta m : updated) if (m.uid() == uid) modSeq = m.modSeq();
        long newModSeq = modSeq;
        items.removeIf(i -> i instanceof FetchItem.ModSeq);
        if (items.stream().noneMatch(i -> i instanceof FetchItem.Uid)) {
          items.add(new FetchItem.Uid(uid));
        }
        items.add(new FetchItem.ModSeq(newModSeq));
      }
    }
    out.accept(new ImapResponse.Fetch(index + 1, items));
  }

  /** Records metadata this session reports itself, so that updates() does not repeat it. */
  private static void ownChanges(Selected s, List<MessageMeta> metas) {
    if (metas.isEmpty()) return;
    s.reported.add(Reported.of(metas));
    if (s.flagCache != null) {
      for (MessageMeta m : metas) {
        if (s.flagCache.containsKey(m.uid())) s.flagCache.put(m.uid(), m.flags());
      }
    }
  }

  /** Immutable: modseqs and UID ranges (ascending, inclusive pairs) of one reported batch. */
  private record Reported(Set<Long> modSeqs, List<Long> ranges) {
    static Reported of(List<MessageMeta> metas) {
      Set<Long> modSeqs = new HashSet<>();
      List<Long> ranges = new ArrayList<>();
      long[] uids = metas.stream().mapToLong(MessageMeta::uid).sorted().toArray();
      for (int i = 0; i < uids.length; i++) {
        int j = i;
        while (j + 1 < uids.length && uids[j + 1] <= uids[j] + 1) j++;
        ranges.add(uids[i]);
        ranges.add(uids[j]);
        i = j;
      }
      for (MessageMeta m : metas) modSeqs.add(m.modSeq());
      return new Reported(modSeqs, ranges);
    }

    boolean covers(long uid, long modSeq) {
      if (!modSeqs.contains(modSeq)) return false;
      for (int i = 0; i < ranges.size(); i += 2) {
        if (uid >= ranges.get(i) && uid <= ranges.get(i + 1)) return true;
      }
      return false;
    }
  }

  private static ByteSource partial(ByteSource content, long offset, long length) {
    byte[] all;
    try {
      all = content.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int from = (int) Math.min(offset, all.length);
    int len = (int) Math.min(length, all.length - from);
    return ByteSource.of(all, from, len);
  }

  private Tagged store(ImapCommand.Store c, Consumer<ImapResponse> out) throws BackendException {
    Selected s = selected;
    if (s.readOnly) return new Tagged(c.tag(), Status.NO, "READ-ONLY", "Mailbox is read-only");
    List<int[]> spans = resolve(c.set(), c.uid());
    Set<String> flags = new LinkedHashSet<>(c.flags());
    flags.remove("\\Recent");
    if (!Acl.ALL.equals(s.rights)) {
      // RFC 4314 §4: \Seen needs s, \Deleted t, other flags w
      boolean all = s.rights.contains("s") && s.rights.contains("t") && s.rights.contains("w");
      Set<String> denied = new LinkedHashSet<>();
      for (String f : flags) if (!MailboxExtensions.mayStore(s.rights, f)) denied.add(f);
      if ((c.operation() == FlagOperation.REPLACE && !all)
          || (!denied.isEmpty() && denied.size() == flags.size())) {
        return new Tagged(c.tag(), Status.NO, "NOPERM", "Not permitted to change these flags");
      }
      flags.removeAll(denied);
    }
    if (!spans.isEmpty()) {
      List<Long> uids = uidsOf(spans);
      List<MessageMeta> updated = mailboxes.setFlags(s.name, uids, c.operation(), flags);
      Map<Long, MessageMeta> byUid = new HashMap<>();
      ownChanges(s, updated);
      for (MessageMeta m : updated) byUid.put(m.uid(), m);
      if (!c.silent()) {
        for (long uid : uids) {
          MessageMeta m = byUid.get(uid);
          if (m == null) continue; // expunged by another session meanwhile
          List<FetchItem> items = new ArrayList<>();
          items.add(new FetchItem.Flags(sorted(m.flags())));
          if (c.uid() || condStore.condStore()) items.add(new FetchItem.Uid(uid));
          if (condStore.condStore()) items.add(new FetchItem.ModSeq(m.modSeq())); // RFC 7162 §3.1
          out.accept(new ImapResponse.Fetch(s.msn(uid), items));
        }
      }
    }
    return ok(c.tag(), (c.uid() ? "UID " : "") + "STORE completed");
  }

  private Tagged copy(
      String tag,
      boolean uid,
      SequenceSet set,
      String target,
      boolean move,
      Consumer<ImapResponse> out)
      throws BackendException {
    Selected s = selected;
    String verb = (uid ? "UID " : "") + (move ? "MOVE" : "COPY");
    if (move && s.readOnly) return new Tagged(tag, Status.NO, "READ-ONLY", "Mailbox is read-only");
    List<Long> uids = uidsOf(resolve(set, uid));
    String to = normalize(target);
    try {
      // RFC 4314 §4: COPY needs i on the target; MOVE also t and e on the source (RFC 6851 §3.3)
      if (!Acl.has(MailboxExtensions.rights(mailboxes, to), 'i')
          || (move && !(Acl.has(s.rights, 't') && Acl.has(s.rights, 'e')))) {
        return new Tagged(tag, Status.NO, "NOPERM", "Not permitted");
      }
    } catch (BackendException.NotFound e) {
      return fail(tag, e, true);
    }
    if (uids.isEmpty()) return ok(tag, verb + " completed");
    org.carbonio.imap.spi.CopyResult result;
    try {
      result = move ? mailboxes.move(s.name, uids, to) : mailboxes.copy(s.name, uids, to);
    } catch (BackendException.NotFound e) {
      return fail(tag, e, true);
    }
    String code =
        "COPYUID "
            + result.uidValidity()
            + " "
            + SequenceSet.format(result.sourceUids())
            + " "
            + SequenceSet.format(result.destinationUids());
    if (!move) return new Tagged(tag, Status.OK, code, verb + " completed");
    out.accept(new ImapResponse.Untagged(Status.OK, code, "Moved")); // RFC 6851 §4.3
    s.pendingExpunge.addAll(result.sourceUids());
    flushExpunges(s, out);
    return ok(tag, verb + " completed");
  }

  private Tagged expunge(ImapCommand.Expunge c, Consumer<ImapResponse> out)
      throws BackendException {
    Selected s = selected;
    if (s.readOnly) return new Tagged(c.tag(), Status.NO, "READ-ONLY", "Mailbox is read-only");
    if (!Acl.has(s.rights, 'e')) {
      return new Tagged(c.tag(), Status.NO, "NOPERM", "No expunge right"); // RFC 4314 §4
    }
    Optional<Collection<Long>> restrict = Optional.empty();
    if (c.uids().isPresent()) {
      restrict = Optional.of(uidsOf(resolve(c.uids().get(), true)));
    }
    List<Long> gone = mailboxes.expunge(s.name, restrict);
    s.pendingExpunge.addAll(gone);
    flushExpunges(s, out);
    String text = (c.uids().isPresent() ? "UID " : "") + "EXPUNGE completed";
    if (condStore.qresync() && s.flagCache == null) {
      // RFC 7162 §3.2.10 (as Dovecot): the tagged OK tells the mailbox's new HIGHESTMODSEQ
      long highest = mailboxes.status(s.name).highestModSeq();
      return new Tagged(c.tag(), Status.OK, "HIGHESTMODSEQ " + highest, text);
    }
    return ok(c.tag(), text);
  }

  // --- search -----------------------------------------------------------------------------------

  private Tagged search(ImapCommand.Search c, Consumer<ImapResponse> out) throws BackendException {
    boolean save =
        c.ret().isPresent() && c.ret().get().options().contains(SearchReturn.Option.SAVE);
    if (c.charset().isPresent() && !knownCharset(c.charset().get())) {
      if (save) savedResult = new long[0]; // RFC 5182 §2.1: a failed SAVE empties the result
      return badCharset(c.tag());
    }
    boolean modSeqKey = uses(c.key(), k -> k instanceof SearchKey.ModSeq);
    if (modSeqKey) {
      if (selected.flagCache != null) return noModSeq(c.tag());
      condStoreUsed(out); // RFC 7162 §3.1
    }
    List<Hit> hits;
    try {
      hits = hits(c.key(), modSeqKey);
    } catch (BackendException e) {
      if (save) savedResult = new long[0];
      throw e;
    }
    // RFC 7162 §3.1.5: with a MODSEQ key, the highest modseq of the matches follows the numbers
    long highest = 0;
    if (modSeqKey) for (Hit h : hits) highest = Math.max(highest, h.meta().modSeq());
    String done = (c.uid() ? "UID " : "") + "SEARCH completed";
    if (c.ret().isEmpty() && !rev2()) {
      List<Long> numbers = new ArrayList<>(hits.size());
      for (Hit h : hits) numbers.add(c.uid() ? h.uid() : h.index() + 1L);
      out.accept(new ImapResponse.Search(numbers, highest));
      return ok(c.tag(), done);
    }
    // RFC 4731 §3.1; RFC 9051 §6.4.4: without RETURN, a rev2 SEARCH is RETURN (ALL)
    extendedResult(c.tag(), c.uid(), c.ret().orElse(SearchResults.ALL), hits, highest, out);
    return ok(c.tag(), done);
  }

  // --- search family: ESEARCH, SEARCHRES, WITHIN, SORT, ESORT, THREAD, PARTIAL -----------------

  /** Capabilities of the search family (RFC 4731, 5182, 5032, 5256, 5957, 5267, 5255, 9394). */
  private static final List<String> SEARCH_CAPABILITIES =
      List.of(
          "ESEARCH",
          "SEARCHRES",
          "WITHIN",
          "SORT",
          "SORT=DISPLAY",
          "ESORT",
          "THREAD=ORDEREDSUBJECT",
          "THREAD=REFERENCES",
          "I18NLEVEL=1",
          "PARTIAL");

  private static boolean knownCharset(String charset) {
    return charset.equals("UTF-8") || charset.equals("US-ASCII");
  }

  private static Tagged badCharset(String tag) {
    return new Tagged(tag, Status.NO, "BADCHARSET (US-ASCII UTF-8)", "Unsupported charset");
  }

  /**
   * A matching message: its index ({@code msn - 1}), UID, and metadata only when asked for (SORT,
   * THREAD), so that a SEARCH over a large mailbox holds little per hit.
   */
  private record Hit(int index, long uid, MessageMeta meta) {}

  /** The messages matching {@code key}, in mailbox order. */
  private List<Hit> hits(SearchKey key, boolean withMeta) throws BackendException {
    Selected s = selected;
    Map<SearchKey, Set<Long>> indexed = indexedText(s, key);
    Instant now = options.clock().instant();
    List<Hit> hits = new ArrayList<>();
    List<int[]> all = s.size == 0 ? List.of() : List.<int[]>of(new int[] {0, s.size - 1});
    ObjectIds ids =
        uses(
                key,
                k ->
                    k instanceof SearchKey.EmailId
                        || k instanceof SearchKey.ThreadId
                        || k instanceof SearchKey.SaveDate)
            ? objectIds(s)
            : null;
    boolean saveDates =
        uses(key, k -> k instanceof SearchKey.SaveDate || k instanceof SearchKey.SaveDateSupported)
            && mailboxes.saveDateSupported(s.name);
    forEachMeta(
        all,
        (index, meta) -> {
          Candidate cand = new Candidate(index + 1, meta, s, now, indexed);
          cand.ids = ids;
          cand.saveDates = saveDates;
          try {
            if (matches(key, cand)) hits.add(new Hit(index, meta.uid(), withMeta ? meta : null));
          } catch (MissingContent e) {
            // expunged meanwhile: not a hit
          }
        });
    return hits;
  }

  /** Asks the backend's index for each BODY/TEXT key (UserMailboxes#searchText). */
  private Map<SearchKey, Set<Long>> indexedText(Selected s, SearchKey key) throws BackendException {
    Map<SearchKey, Set<Long>> out = new HashMap<>();
    List<SearchKey> todo = new ArrayList<>(List.of(key));
    while (!todo.isEmpty()) {
      SearchKey k = todo.remove(todo.size() - 1);
      org.carbonio.imap.spi.TextQuery q =
          switch (k) {
            case SearchKey.And a -> {
              todo.addAll(a.keys());
              yield null;
            }
            case SearchKey.Or o -> {
              todo.add(o.left());
              todo.add(o.right());
              yield null;
            }
            case SearchKey.Not n -> {
              todo.add(n.key());
              yield null;
            }
            case SearchKey.Body b ->
                new org.carbonio.imap.spi.TextQuery(
                    s.name, org.carbonio.imap.spi.TextQuery.Scope.BODY, b.value());
            case SearchKey.Text t ->
                new org.carbonio.imap.spi.TextQuery(
                    s.name, org.carbonio.imap.spi.TextQuery.Scope.TEXT, t.value());
            default -> null;
          };
      if (q == null || out.containsKey(k)) continue;
      Optional<org.carbonio.imap.spi.UidList> uids = mailboxes.searchText(q);
      if (uids.isPresent()) {
        Set<Long> set = new HashSet<>();
        for (int i = 0; i < uids.get().size(); i++) set.add(uids.get().get(i));
        out.put(k, set);
      }
    }
    return out;
  }

  /** ESEARCH data and SAVE for hits in result order (RFC 4731, RFC 5182, RFC 5267, RFC 9394). */
  private void extendedResult(
      String tag,
      boolean uid,
      SearchReturn r,
      List<Hit> hits,
      long highestModSeq,
      Consumer<ImapResponse> out) {
    List<Long> numbers = new ArrayList<>(hits.size());
    List<Long> uids = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      uids.add(h.uid());
      numbers.add(uid ? h.uid() : h.index() + 1L);
    }
    if (r.options().contains(SearchReturn.Option.SAVE)) savedResult = SearchResults.saved(r, uids);
    // RFC 5182 §2.4: SAVE alone returns no ESEARCH response
    if (!r.onlySave()) {
      List<Map.Entry<String, String>> data = new ArrayList<>(SearchResults.data(r, numbers));
      // RFC 7162 §3.1.5: MODSEQ follows the results of a search with a MODSEQ key
      if (highestModSeq > 0) data.add(Map.entry("MODSEQ", Long.toString(highestModSeq)));
      out.accept(new ImapResponse.ESearch(tag, uid, data));
    }
  }

  /** The saved result (RFC 5182) as index intervals; UIDs no longer present are skipped. */
  private List<int[]> savedSpans() {
    Selected s = selected;
    List<int[]> spans = new ArrayList<>();
    for (long uid : savedResult) {
      int i = s.indexOf(uid);
      if (i < 0) continue;
      int[] last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
      if (last != null && last[1] + 1 == i) last[1] = i;
      else spans.add(new int[] {i, i});
    }
    return spans;
  }

  private boolean inSavedResult(long uid) {
    return java.util.Arrays.binarySearch(savedResult, uid) >= 0;
  }

  /** The messages of {@code spans} at the positions of a PARTIAL range (RFC 9394 §3.2). */
  private static List<int[]> partialSpans(List<int[]> spans, SearchReturn.PartialRange range) {
    int total = 0;
    for (int[] sp : spans) total += sp[1] - sp[0] + 1;
    int[] slice = range.slice(total);
    List<int[]> out = new ArrayList<>();
    int pos = 0;
    for (int[] sp : spans) {
      int len = sp[1] - sp[0] + 1;
      int from = Math.max(slice[0], pos);
      int to = Math.min(slice[1], pos + len);
      if (from < to) out.add(new int[] {sp[0] + from - pos, sp[0] + to - pos - 1});
      pos += len;
    }
    return out;
  }

  private Tagged sort(ImapCommand.Sort c, Consumer<ImapResponse> out) throws BackendException {
    boolean save =
        c.ret().isPresent() && c.ret().get().options().contains(SearchReturn.Option.SAVE);
    if (!knownCharset(c.charset())) {
      if (save) savedResult = new long[0];
      return badCharset(c.tag());
    }
    List<Hit> hits = hits(c.key(), true);
    List<SortKeys.Keyed> keyed = new ArrayList<>(hits.size());
    boolean needContent =
        c.keys().stream()
            .anyMatch(
                k ->
                    k.criterion() != SortKey.Criterion.ARRIVAL
                        && k.criterion() != SortKey.Criterion.SIZE);
    Map<Long, Hit> byUid = new HashMap<>();
    for (Hit h : hits) {
      byUid.put(h.uid(), h);
      MessageData data = needContent ? contentOrNull(h.uid()) : null;
      keyed.add(
          SortKeys.keyed(
              new SortKeys.Msg(
                  h.index() + 1L, h.uid(), h.meta().internalDate(), h.meta().size(), data),
              c.keys()));
    }
    keyed.sort(SortKeys.comparator(c.keys()));
    List<Hit> sorted = new ArrayList<>(keyed.size());
    for (SortKeys.Keyed k : keyed) sorted.add(byUid.get(k.uid()));
    String done = (c.uid() ? "UID " : "") + "SORT completed";
    if (c.ret().isEmpty()) {
      List<Long> numbers = new ArrayList<>(sorted.size());
      for (Hit h : sorted) numbers.add(c.uid() ? h.uid() : h.index() + 1L);
      out.accept(new ImapResponse.Sort(numbers));
      return ok(c.tag(), done);
    }
    extendedResult(c.tag(), c.uid(), c.ret().get(), sorted, 0, out); // RFC 5267 §3
    return ok(c.tag(), done);
  }

  private Tagged thread(ImapCommand.Thread c, Consumer<ImapResponse> out) throws BackendException {
    if (!knownCharset(c.charset())) return badCharset(c.tag());
    List<Threader.Msg> msgs = new ArrayList<>();
    for (Hit h : hits(c.key(), true)) {
      MessageData data = contentOrNull(h.uid());
      long sent = SortKeys.sentMillis(data).orElse(h.meta().internalDate().toEpochMilli());
      BaseSubject subject = BaseSubject.of(data == null ? "" : data.header("Subject").orElse(""));
      org.carbonio.mime.ThreadKeys keys =
          data == null
              ? org.carbonio.mime.ThreadKeys.of(null, null, null, null)
              : org.carbonio.mime.ThreadKeys.of(
                  data.rawHeader("Message-ID").orElse(null),
                  data.rawHeader("References").orElse(null),
                  data.rawHeader("In-Reply-To").orElse(null),
                  null);
      msgs.add(
          new Threader.Msg(
              c.uid() ? h.uid() : h.index() + 1L,
              h.index() + 1L,
              sent,
              UnicodeCasemap.key(subject.base()),
              subject.replyOrForward(),
              keys.messageId(),
              keys.references()));
    }
    String threads =
        c.algorithm().equals("REFERENCES")
            ? Threader.references(msgs)
            : Threader.orderedSubject(msgs);
    out.accept(new ImapResponse.Thread(threads));
    return ok(c.tag(), (c.uid() ? "UID " : "") + "THREAD completed");
  }

  /** A message's content, or null when it is gone (expunged by another session). */
  private MessageData contentOrNull(long uid) throws BackendException {
    try {
      return new MessageData(mailboxes.content(selected.name, uid));
    } catch (BackendException.NotFound e) {
      return null;
    }
  }

  /** One message under test; content loaded on first need. */
  private final class Candidate {
    final long msn;
    final MessageMeta meta;
    final Selected sel;
    final Instant now;
    final Map<SearchKey, Set<Long>> indexed;
    MessageData data;
    ObjectIds ids;
    boolean saveDates;

    Candidate(
        long msn, MessageMeta meta, Selected sel, Instant now, Map<SearchKey, Set<Long>> indexed) {
      this.msn = msn;
      this.meta = meta;
      this.sel = sel;
      this.now = now;
      this.indexed = indexed;
    }

    /** Seconds from the internal date to now (RFC 5032 §3). */
    long age() {
      return java.time.Duration.between(meta.internalDate(), now).getSeconds();
    }

    MessageData data() {
      if (data == null) {
        try {
          data = new MessageData(mailboxes.content(sel.name, meta.uid()));
        } catch (BackendException e) {
          throw new MissingContent();
        }
      }
      return data;
    }

    org.carbonio.imap.spi.MessageExtras extras() {
      try {
        return ids.get((int) msn - 1);
      } catch (BackendException e) {
        throw new MissingContent();
      }
    }

    String emailId() {
      org.carbonio.imap.spi.MessageExtras x = extras();
      return x != null && x.emailId().isPresent() ? x.emailId().get() : data().emailId();
    }

    String threadId() {
      org.carbonio.imap.spi.MessageExtras x = extras();
      return x == null ? null : x.threadId().orElse(null);
    }

    /** The save date, or the internal date where the mailbox keeps none (RFC 8514 §5). */
    Instant saveDate() {
      org.carbonio.imap.spi.MessageExtras x = saveDates ? extras() : null;
      return x != null && x.saveDate().isPresent() ? x.saveDate().get() : meta.internalDate();
    }
  }

  /** Control flow for a message that vanished during SEARCH. */
  private static final class MissingContent extends RuntimeException {
    MissingContent() {
      super(null, null, false, false);
    }
  }

  private boolean matches(SearchKey key, Candidate c) {
    return switch (key) {
      case SearchKey.All a -> true;
      case SearchKey.And a -> {
        for (SearchKey k : a.keys()) if (!matches(k, c)) yield false;
        yield true;
      }
      case SearchKey.Or o -> matches(o.left(), c) || matches(o.right(), c);
      case SearchKey.Not n -> !matches(n.key(), c);
      case SearchKey.Sequence q ->
          q.set().isSaved() ? inSavedResult(c.meta.uid()) : q.set().contains(c.msn, c.sel.size);
      case SearchKey.Uid u ->
          u.set().isSaved()
              ? inSavedResult(c.meta.uid())
              : u.set().contains(c.meta.uid(), c.sel.maxUid());
      case SearchKey.Older o -> c.age() > o.seconds(); // RFC 5032 §3: NOT YOUNGER
      case SearchKey.Younger y -> c.age() <= y.seconds();
      case SearchKey.Flag f -> c.meta.flags().contains(f.flag()) == f.set();
      case SearchKey.Recent r -> false;
      case SearchKey.New n -> false;
      case SearchKey.Old o -> true;
      case SearchKey.Size z -> z.larger() ? c.meta.size() > z.size() : c.meta.size() < z.size();
      case SearchKey.Date d -> {
        LocalDate date;
        if (d.sent()) {
          Optional<LocalDate> sent = c.data().sentDate();
          if (sent.isEmpty()) yield false;
          date = sent.get();
        } else {
          date = c.meta.internalDate().atZone(ZoneOffset.UTC).toLocalDate();
        }
        yield switch (d.comparison()) {
          case BEFORE -> date.isBefore(d.date());
          case ON -> date.equals(d.date());
          case SINCE -> !date.isBefore(d.date());
        };
      }
      case SearchKey.Header h -> {
        Optional<String> v = c.data().header(h.field());
        yield v.isPresent() && UnicodeCasemap.contains(v.get(), h.value()); // RFC 5255 §4
      }
      case SearchKey.Body b ->
          c.indexed.containsKey(b)
              ? c.indexed.get(b).contains(c.meta.uid())
              : SearchText.body(c.data(), b.value());
      case SearchKey.Text t ->
          c.indexed.containsKey(t)
              ? c.indexed.get(t).contains(c.meta.uid())
              : SearchText.text(c.data(), t.value());
      case SearchKey.ModSeq m -> c.meta.modSeq() >= m.modSeq();
      case SearchKey.EmailId e -> e.id().equals(c.emailId());
      case SearchKey.ThreadId t -> t.id().equals(c.threadId());
      case SearchKey.SaveDateSupported x -> c.saveDates;
      case SearchKey.SaveDate d -> {
        LocalDate date = c.saveDate().atZone(ZoneOffset.UTC).toLocalDate();
        yield switch (d.comparison()) {
          case BEFORE -> date.isBefore(d.date());
          case ON -> date.equals(d.date());
          case SINCE -> !date.isBefore(d.date());
        };
      }
    };
  }

  /** Whether any key of the tree satisfies {@code test}. */
  private static boolean uses(SearchKey key, java.util.function.Predicate<SearchKey> test) {
    if (test.test(key)) return true;
    return switch (key) {
      case SearchKey.And a -> a.keys().stream().anyMatch(k -> uses(k, test));
      case SearchKey.Or o -> uses(o.left(), test) || uses(o.right(), test);
      case SearchKey.Not n -> uses(n.key(), test);
      default -> false;
    };
  }

  // --- CONDSTORE/QRESYNC (RFC 7162), OBJECTID (RFC 8474) ----------------------------------------

  /** Enables CONDSTORE as a CONDSTORE-enabling command does (RFC 7162 §3.1); true if it was off. */
  private boolean enableCondStoreImplicitly() {
    return !extensions.enable(List.of("CONDSTORE")).isEmpty();
  }

  /**
   * A CONDSTORE-enabling command ran (RFC 7162 §3.1). The first one, when a mailbox is selected,
   * tells its HIGHESTMODSEQ, which the client did not get from SELECT.
   */
  private void condStoreUsed(Consumer<ImapResponse> out) {
    if (enableCondStoreImplicitly() && selected != null) out.accept(highestModSeq(selected));
  }

  /** {@code * OK [HIGHESTMODSEQ n]}, or {@code [NOMODSEQ]} without modseqs (RFC 7162 §3.1.2). */
  private static ImapResponse highestModSeq(Selected s) {
    if (s.flagCache != null) {
      return new ImapResponse.Untagged(Status.OK, "NOMODSEQ", "No mod-sequences in this mailbox");
    }
    return new ImapResponse.Untagged(Status.OK, "HIGHESTMODSEQ " + s.modSeq, "Highest");
  }

  /** RFC 7162 §3.1.2.2: a NOMODSEQ mailbox rejects CHANGEDSINCE, UNCHANGEDSINCE and MODSEQ. */
  private static Tagged noModSeq(String tag) {
    return bad(tag, "Mailbox does not support mod-sequences");
  }

  private ObjectIds objectIds(Selected s) {
    return new ObjectIds(
        (from, to, into) -> mailboxes.messageExtras(s.name, from, to, x -> into.put(x.uid(), x)),
        s::uid,
        s.size);
  }

  /** A message's content, or null when another session expunged it meanwhile. */
  private MessageData contentOrNull(Selected s, long uid) throws BackendException {
    try {
      return new MessageData(mailboxes.content(s.name, uid));
    } catch (BackendException.NotFound e) {
      return null;
    }
  }

  /** {@code * VANISHED (EARLIER)} for UID FETCH (CHANGEDSINCE n VANISHED), RFC 7162 §3.2.6. */
  private void vanishedEarlier(
      Selected s, SequenceSet uids, long changedSince, Consumer<ImapResponse> out)
      throws BackendException {
    List<Long> gone = new ArrayList<>();
    for (long uid : mailboxes.changesSince(s.name, changedSince).expunged()) {
      if (uids.contains(uid, MAX_UID)) gone.add(uid);
    }
    gone.sort(Comparator.naturalOrder());
    if (!gone.isEmpty()) out.accept(new ImapResponse.Vanished(true, gone));
  }

  /**
   * SELECT/EXAMINE (QRESYNC ...), RFC 7162 §3.2.5.2: when the UIDVALIDITY matches, the UIDs
   * expunged since the client's modseq as VANISHED (EARLIER), then FETCH (UID FLAGS MODSEQ) for the
   * messages changed since, both limited to the known UIDs when given. The seq-match-data only
   * helps servers that forget expunges; this one keeps them, so it is checked and not used.
   */
  private void qresync(Selected s, SelectParams.Qresync q, Consumer<ImapResponse> out)
      throws BackendException {
    if (q.uidValidity() != s.uidValidity || s.flagCache != null) return;
    MailboxChanges changes = mailboxes.changesSince(s.name, q.modSeq());
    List<Long> gone = new ArrayList<>();
    for (long uid : changes.expunged()) {
      if (q.knownUids().isEmpty() || q.knownUids().get().contains(uid, MAX_UID)) gone.add(uid);
    }
    gone.sort(Comparator.naturalOrder());
    if (!gone.isEmpty()) out.accept(new ImapResponse.Vanished(true, gone));
    List<MessageMeta> changed = new ArrayList<>(changes.changed());
    changed.sort(Comparator.comparingLong(MessageMeta::uid));
    for (MessageMeta m : changed) {
      int msn = s.msn(m.uid());
      if (msn < 0) continue; // arrived after the SELECT's view: reported as EXISTS later
      if (q.knownUids().isPresent() && !q.knownUids().get().contains(m.uid(), MAX_UID)) continue;
      out.accept(
          new ImapResponse.Fetch(
              msn,
              List.of(
                  new FetchItem.Uid(m.uid()),
                  new FetchItem.Flags(sorted(m.flags())),
                  new FetchItem.ModSeq(m.modSeq()))));
    }
  }

  /** STORE (UNCHANGEDSINCE n), RFC 7162 §3.1.3. */
  private Tagged conditionalStore(ImapCommand.Store c, Consumer<ImapResponse> out)
      throws BackendException {
    Selected s = selected;
    if (s.readOnly) return new Tagged(c.tag(), Status.NO, "READ-ONLY", "Mailbox is read-only");
    if (s.flagCache != null) return noModSeq(c.tag());
    condStoreUsed(out);
    Set<String> flags = new LinkedHashSet<>(c.flags());
    flags.remove("\\Recent");
    List<Long> uids = uidsOf(resolve(c.set(), c.uid()));
    org.carbonio.imap.spi.ConditionalStore result =
        uids.isEmpty()
            ? new org.carbonio.imap.spi.ConditionalStore(List.of(), List.of())
            : mailboxes.setFlagsIfUnchanged(s.name, uids, c.operation(), flags, c.unchangedSince());
    ownChanges(s, result.updated());
    List<MessageMeta> updated = new ArrayList<>(result.updated());
    updated.sort(Comparator.comparingLong(MessageMeta::uid));
    for (MessageMeta m : updated) {
      int msn = s.msn(m.uid());
      if (msn < 0) continue;
      List<FetchItem> items = new ArrayList<>(3);
      // RFC 7162 §3.1.3: a FETCH with MODSEQ even for .SILENT
      if (!c.silent()) items.add(new FetchItem.Flags(sorted(m.flags())));
      items.add(new FetchItem.Uid(m.uid()));
      items.add(new FetchItem.ModSeq(m.modSeq()));
      out.accept(new ImapResponse.Fetch(msn, items));
    }
    String verb = (c.uid() ? "UID " : "") + "STORE";
    if (result.modified().isEmpty()) return ok(c.tag(), verb + " completed");
    List<Long> failed = new ArrayList<>();
    for (long uid : result.modified()) {
      if (c.uid()) failed.add(uid);
      else if (s.msn(uid) > 0) failed.add((long) s.msn(uid));
    }
    failed.sort(Comparator.naturalOrder());
    return new Tagged(
        c.tag(),
        Status.OK,
        "MODIFIED " + SequenceSet.format(failed),
        "Conditional " + verb + " failed for some messages");
  }

  // --- replies ----------------------------------------------------------------------------------

  private static List<String> sorted(Set<String> flags) {
    List<String> l = new ArrayList<>(flags);
    l.sort(FLAG_ORDER);
    return l;
  }

  /**
   * Like {@link #sorted} for FETCH of many messages, whose backends tend to share one set instance
   * among messages with equal flags; a small identity cache, emptied when it reaches 64 entries.
   */
  private List<String> sortedCached(Set<String> flags) {
    List<String> l = sortedFlags.get(flags);
    if (l == null) {
      if (sortedFlags.size() >= 64) sortedFlags.clear();
      l = List.copyOf(sorted(flags));
      sortedFlags.put(flags, l);
    }
    return l;
  }

  private static Tagged ok(String tag, String text) {
    return new Tagged(tag, Status.OK, null, text);
  }

  private static Tagged bad(String tag, String text) {
    return new Tagged(tag == null || tag.isEmpty() ? "*" : tag, Status.BAD, null, text);
  }

  /** The one place where backend refusals become replies (RFC 5530 response codes). */
  private static Tagged fail(String tag, BackendException e, boolean tryCreate) {
    return switch (e) {
      case BackendException.NotFound n ->
          new Tagged(tag, Status.NO, tryCreate ? "TRYCREATE" : "NONEXISTENT", "No such mailbox");
      case BackendException.AlreadyExists a ->
          new Tagged(tag, Status.NO, "ALREADYEXISTS", "Mailbox already exists");
      case BackendException.Invalid i ->
          new Tagged(tag, Status.NO, "CANNOT", "Operation not possible");
      case BackendException.Unavailable u ->
          new Tagged(tag, Status.NO, "UNAVAILABLE", "Temporarily unavailable");
      case BackendException.OverQuota q -> new Tagged(tag, Status.NO, "OVERQUOTA", "Over quota");
      case BackendException.NoPermission p ->
          new Tagged(tag, Status.NO, "NOPERM", "Permission denied");
    };
  }
}
