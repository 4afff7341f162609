package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
import org.carbonio.imap.spi.UserMailboxes;

/**
 * The IMAP4rev1 state machine (RFC 3501 §3): turns {@link ImapCommand}s into {@link ImapResponse}s
 * over the SPI. It keeps its own message sequence number ↔ UID map and reports other sessions'
 * changes as untagged EXISTS/EXPUNGE/FETCH responses (RFC 3501 §7), never EXPUNGE during FETCH,
 * STORE or SEARCH (§7.4.1). It does no I/O and no logging; SPI exceptions other than {@link
 * BackendException} propagate to the caller.
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
    /** Close the connection. */
    LOGOUT
  }

  /** Largest literal accepted before authentication, in bytes. */
  public static final int PRE_AUTH_LITERAL_LIMIT = 8 * 1024;

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

  /** The response for a command that threw an unexpected exception. */
  public static ImapResponse serverBug(String tag) {
    return new Tagged(
        tag.isEmpty() ? "*" : tag, Status.NO, "SERVERBUG", "Internal error, see server log");
  }

  /** Untagged changes of the selected mailbox, for IDLE pushes. */
  public List<ImapResponse> pollUpdates() {
    List<ImapResponse> out = new ArrayList<>();
    if (selected != null) updates(out::add, true);
    return out;
  }

  /** Releases the user's mailboxes and any IDLE watch. Idempotent. */
  @Override
  public void close() {
    stopWatch();
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
    if (state == State.NOT_AUTHENTICATED) {
      if (options.tlsAvailable() && !tls) caps.add("STARTTLS");
      if (loginAllowed()) caps.add("AUTH=PLAIN");
      else caps.add("LOGINDISABLED");
    }
    caps.addAll(
        List.of(
            "SASL-IR",
            "LITERAL+",
            "ID",
            "IDLE",
            "NAMESPACE",
            "UIDPLUS",
            "UNSELECT",
            "MOVE",
            "CHILDREN",
            "APPENDLIMIT=" + options.appendLimit()));
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
    try {
      Tagged done = dispatch(command, out);
      if (selected != null && state == State.SELECTED && mode == Mode.COMMAND) {
        updates(out, expungeAllowed(command));
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
    return Optional.empty();
  }

  private static boolean expungeAllowed(ImapCommand c) {
    // RFC 3501 §7.4.1: no EXPUNGE while responding to FETCH, STORE or SEARCH (UID forms may).
    return switch (c) {
      case ImapCommand.Fetch f -> f.uid();
      case ImapCommand.Store s -> s.uid();
      case ImapCommand.Search s -> s.uid();
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
      case ImapCommand.Check x -> state == State.SELECTED;
      case ImapCommand.Close x -> state == State.SELECTED;
      case ImapCommand.Unselect x -> state == State.SELECTED;
      case ImapCommand.Expunge x -> state == State.SELECTED;
      case ImapCommand.Search x -> state == State.SELECTED;
      case ImapCommand.Fetch x -> state == State.SELECTED;
      case ImapCommand.Store x -> state == State.SELECTED;
      case ImapCommand.Copy x -> state == State.SELECTED;
      case ImapCommand.Move x -> state == State.SELECTED;
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
        if (name.isEmpty() || name.contains("//")) yield bad(c.tag(), "Invalid mailbox name");
        if (name.equals("INBOX")) {
          yield new Tagged(c.tag(), Status.NO, "ALREADYEXISTS", "INBOX already exists");
        }
        mailboxes.create(name);
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
      case ImapCommand.Select c -> select(c.tag(), c.mailbox(), false, out);
      case ImapCommand.Examine c -> select(c.tag(), c.mailbox(), true, out);
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
      case ImapCommand.Fetch c -> fetch(c, out);
      case ImapCommand.Store c -> store(c, out);
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
    try {
      mailboxes = backend.open(canonical.get());
    } catch (BackendException e) {
      return new Tagged(tag, Status.NO, "UNAVAILABLE", "Mailbox unavailable");
    }
    user = canonical.get();
    state = State.AUTHENTICATED;
    return new Tagged(
        tag, Status.OK, "CAPABILITY " + String.join(" ", capabilities()), "Logged in");
  }

  private Tagged authenticate(ImapCommand.Authenticate c, Consumer<ImapResponse> out) {
    if (!loginAllowed()) {
      return new Tagged(
          c.tag(), Status.NO, "PRIVACYREQUIRED", "Authentication disabled without TLS");
    }
    if (!c.mechanism().equals("PLAIN")) {
      return new Tagged(c.tag(), Status.NO, "CANNOT", "Unsupported authentication mechanism");
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
        if (line.trim().equals("*")) out.accept(bad(tag, "Authentication cancelled"));
        else out.accept(plain(tag, line));
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
    AutoCloseable w = watch;
    watch = null;
    if (w != null) {
      try {
        w.close();
      } catch (Exception e) {
        // a watch handle that fails to close leaves nothing for us to do
      }
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
      if (info == null) attrs.add("\\Noselect");
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
    for (String item : c.items()) {
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
    out.accept(new ImapResponse.StatusData(name, items));
    return ok(c.tag(), "STATUS completed");
  }

  private Tagged select(String tag, String mailbox, boolean readOnly, Consumer<ImapResponse> out)
      throws BackendException {
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
    out.accept(new ImapResponse.Recent(0));
    int firstUnseen = view.firstUnseenUid() == 0 ? -1 : s.indexOf(view.firstUnseenUid());
    if (firstUnseen >= 0) {
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
    selected = s;
    state = State.SELECTED;
    return new Tagged(tag, Status.OK, readOnly ? "READ-ONLY" : "READ-WRITE", verb + " completed");
  }

  private void deselect() {
    selected = null;
    if (state == State.SELECTED) state = State.AUTHENTICATED;
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
        out.accept(
            new ImapResponse.Fetch(
                msn, List.of(new FetchItem.Flags(sorted(m.flags())), new FetchItem.Uid(m.uid()))));
      }
    }
    if (!added.isEmpty()) {
      added.sort(Comparator.comparingLong(MessageMeta::uid));
      for (MessageMeta m : added) {
        s.add(m.uid());
        if (s.flagCache != null) s.flagCache.put(m.uid(), m.flags());
      }
      out.accept(new ImapResponse.Exists(s.size));
      out.accept(new ImapResponse.Recent(0));
    }
    if (changes.highestModSeq() >= s.modSeq) {
      // Own changes were committed before this look, so none is above what it covered.
      s.reported.clear();
    }
    s.modSeq = Math.max(s.modSeq, changes.highestModSeq());
  }

  private static void flushExpunges(Selected s, Consumer<ImapResponse> out) {
    if (s.pendingExpunge.isEmpty()) return;
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
    boolean needContent =
        atts.stream()
            .anyMatch(
                a ->
                    a instanceof FetchAttribute.Body
                        || a instanceof FetchAttribute.Envelope
                        || a instanceof FetchAttribute.BodyStructure);
    List<int[]> spans = resolve(c.set(), c.uid());
    if (atts.stream().allMatch(a -> a instanceof FetchAttribute.Uid)) {
      for (int[] sp : spans) {
        for (int i = sp[0]; i <= sp[1]; i++) {
          out.accept(new ImapResponse.Fetch(i + 1, List.of(new FetchItem.Uid(s.uid(i)))));
        }
      }
      return ok(c.tag(), (c.uid() ? "UID " : "") + "FETCH completed");
    }
    forEachMeta(spans, (index, meta) -> fetchOne(s, index, meta, atts, needContent, out));
    return ok(c.tag(), (c.uid() ? "UID " : "") + "FETCH completed");
  }

  private void fetchOne(
      Selected s,
      int index,
      MessageMeta meta,
      List<FetchAttribute> atts,
      boolean needContent,
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
        case FetchAttribute.Body b -> {
          ByteSource content = data.section(b.section());
          if (content != null && b.partialLength() >= 0) {
            content = partial(content, b.partialOffset(), b.partialLength());
          }
          items.add(new FetchItem.Body(b.responseName(), content));
          if (b.setsSeen()) markSeen = true;
        }
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
          if (c.uid()) items.add(new FetchItem.Uid(uid));
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
    return ok(c.tag(), (c.uids().isPresent() ? "UID " : "") + "EXPUNGE completed");
  }

  // --- search -----------------------------------------------------------------------------------

  private Tagged search(ImapCommand.Search c, Consumer<ImapResponse> out) throws BackendException {
    if (c.charset().isPresent()) {
      String cs = c.charset().get();
      if (!cs.equals("UTF-8") && !cs.equals("US-ASCII")) {
        return new Tagged(c.tag(), Status.NO, "BADCHARSET (US-ASCII UTF-8)", "Unsupported charset");
      }
    }
    Selected s = selected;
    List<Long> hits = new ArrayList<>();
    List<int[]> all = s.size == 0 ? List.of() : List.<int[]>of(new int[] {0, s.size - 1});
    forEachMeta(
        all,
        (index, meta) -> {
          Candidate cand = new Candidate(index + 1, meta, s);
          try {
            if (matches(c.key(), cand)) hits.add(c.uid() ? meta.uid() : (long) (index + 1));
          } catch (MissingContent e) {
            // expunged meanwhile: not a hit
          }
        });
    out.accept(new ImapResponse.Search(hits));
    return ok(c.tag(), (c.uid() ? "UID " : "") + "SEARCH completed");
  }

  /** One message under test; content loaded on first need. */
  private final class Candidate {
    final long msn;
    final MessageMeta meta;
    final Selected sel;
    MessageData data;

    Candidate(long msn, MessageMeta meta, Selected sel) {
      this.msn = msn;
      this.meta = meta;
      this.sel = sel;
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
      case SearchKey.Sequence q -> q.set().contains(c.msn, c.sel.size);
      case SearchKey.Uid u -> u.set().contains(c.meta.uid(), c.sel.maxUid());
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
        yield v.isPresent() && MessageData.containsIgnoreCase(v.get(), h.value());
      }
      case SearchKey.Body b -> MessageData.containsIgnoreCase(c.data().bodyText(), b.value());
      case SearchKey.Text t -> MessageData.containsIgnoreCase(c.data().wholeText(), t.value());
    };
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
