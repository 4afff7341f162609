package org.carbonio.imap.protocol;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.carbonio.imap.spi.FlagOperation;

/** Typed parser from a token list to an {@link ImapCommand} (RFC 3501 §9). Package-private. */
final class CommandParser {

  /** A parse failure; its message becomes the BAD text. No stack trace: it is a value. */
  static final class ParseError extends Exception {
    ParseError(String message) {
      super(message, null, false, false);
    }
  }

  private final List<Token> tokens;
  private final boolean utf8;
  // an APPEND message given with the UTF8 data item (RFC 6855 §4)
  private boolean utf8Data;
  private int pos;

  private CommandParser(List<Token> tokens, boolean utf8) {
    this.tokens = tokens;
    this.utf8 = utf8;
  }

  static ImapCommand parse(List<Token> tokens) throws ParseError {
    return parse(tokens, false);
  }

  /**
   * @param utf8 UTF8=ACCEPT is enabled (RFC 6855 §3): mailbox names are UTF-8, not modified UTF-7,
   *     and APPEND takes the UTF8 data item
   */
  static ImapCommand parse(List<Token> tokens, boolean utf8) throws ParseError {
    return new CommandParser(tokens, utf8).command();
  }

  private ImapCommand command() throws ParseError {
    String tag = atomOrFail("tag");
    if (!ImapDecoder.validTag(tag)) throw new ParseError("invalid tag");
    if (pos >= tokens.size()) throw new ParseError("missing command");
    String name = atomOrFail("command").toUpperCase(Locale.ROOT);
    ImapCommand c =
        switch (name) {
          case "CAPABILITY" -> new ImapCommand.Capability(tag);
          case "NOOP" -> new ImapCommand.Noop(tag);
          case "LOGOUT" -> new ImapCommand.Logout(tag);
          case "STARTTLS" -> new ImapCommand.StartTls(tag);
          case "LOGIN" -> new ImapCommand.Login(tag, astring(), astring());
          case "AUTHENTICATE" -> {
            String mech = atomOrFail("mechanism").toUpperCase(Locale.ROOT);
            Optional<String> ir = pos < tokens.size() ? Optional.of(astring()) : Optional.empty();
            yield new ImapCommand.Authenticate(tag, mech, ir);
          }
          case "LIST" ->
              MailboxExtParser.isExtendedList(tokens.subList(pos, tokens.size()))
                  ? ext(name, tag)
                  : new ImapCommand.ListMailboxes(tag, mailbox(), mailbox());
          case "LSUB" -> new ImapCommand.Lsub(tag, mailbox(), mailbox());
          case "SUBSCRIBE" -> new ImapCommand.Subscribe(tag, mailbox());
          case "UNSUBSCRIBE" -> new ImapCommand.Unsubscribe(tag, mailbox());
          case "STATUS" -> status(tag);
          case "CREATE" ->
              tokens.size() - pos > 1 ? ext(name, tag) : new ImapCommand.Create(tag, mailbox());
          case "GETQUOTA",
              "GETQUOTAROOT",
              "SETQUOTA",
              "SETACL",
              "DELETEACL",
              "GETACL",
              "LISTRIGHTS",
              "MYRIGHTS",
              "GETMETADATA",
              "SETMETADATA" ->
              ext(name, tag);
          case "DELETE" -> new ImapCommand.Delete(tag, mailbox());
          case "RENAME" -> new ImapCommand.Rename(tag, mailbox(), mailbox());
          case "SELECT" -> new ImapCommand.Select(tag, mailbox(), selectParams());
          case "EXAMINE" -> new ImapCommand.Examine(tag, mailbox(), selectParams());
          case "ENABLE" -> enable(tag);
          case "NAMESPACE" -> new ImapCommand.Namespace(tag);
          case "ID" -> id(tag);
          case "IDLE" -> new ImapCommand.Idle(tag);
          case "UNAUTHENTICATE" -> new ImapCommand.Unauthenticate(tag);
          case "APPEND" -> append(tag);
          case "CHECK" -> new ImapCommand.Check(tag);
          case "CLOSE" -> new ImapCommand.Close(tag);
          case "UNSELECT" -> new ImapCommand.Unselect(tag);
          case "EXPUNGE" -> new ImapCommand.Expunge(tag, Optional.empty());
          case "SEARCH" -> search(tag, false);
          case "SORT" -> SearchSyntax.sort(this, tag, false);
          case "THREAD" -> SearchSyntax.thread(this, tag, false);
          case "FETCH" -> fetch(tag, false);
          case "STORE" -> store(tag, false);
          case "COPY" -> new ImapCommand.Copy(tag, false, sequenceSet(), mailbox());
          case "MOVE" -> new ImapCommand.Move(tag, false, sequenceSet(), mailbox());
          case "UID" -> uid(tag);
          case "REPLACE" -> replace(tag, false);
          case "COMPRESS" ->
              new ImapCommand.Compress(tag, atomOrFail("mechanism").toUpperCase(Locale.ROOT));
          case "NOTIFY" -> notify(tag);
          default -> throw new ParseError("unknown command " + Texts.sanitize(name));
        };
    if (pos < tokens.size()) throw new ParseError("unexpected arguments");
    return c;
  }

  /** The mailbox-level extensions parse the rest of the line themselves. */
  private ImapCommand ext(String name, String tag) throws ParseError {
    ImapCommand c = MailboxExtParser.parse(name, tag, tokens.subList(pos, tokens.size()));
    pos = tokens.size();
    return c;
  }

  private ImapCommand uid(String tag) throws ParseError {
    String sub = atomOrFail("UID command").toUpperCase(Locale.ROOT);
    return switch (sub) {
      case "FETCH" -> fetch(tag, true);
      case "STORE" -> store(tag, true);
      case "SEARCH" -> search(tag, true);
      case "SORT" -> SearchSyntax.sort(this, tag, true);
      case "THREAD" -> SearchSyntax.thread(this, tag, true);
      case "COPY" -> new ImapCommand.Copy(tag, true, sequenceSet(), mailbox());
      case "MOVE" -> new ImapCommand.Move(tag, true, sequenceSet(), mailbox());
      case "EXPUNGE" -> new ImapCommand.Expunge(tag, Optional.of(sequenceSet()));
      case "REPLACE" -> replace(tag, true);
      default -> throw new ParseError("unknown UID command " + Texts.sanitize(sub));
    };
  }

  // --- commands ---------------------------------------------------------------------------------

  private ImapCommand status(String tag) throws ParseError {
    String mailbox = mailbox();
    expectOpen();
    List<String> items = new ArrayList<>();
    while (!peekClose()) {
      String item = atomOrFail("status item").toUpperCase(Locale.ROOT);
      switch (item) {
        case "MESSAGES",
            "RECENT",
            "UIDNEXT",
            "UIDVALIDITY",
            "UNSEEN",
            "HIGHESTMODSEQ",
            "MAILBOXID" ->
            items.add(item);
        case "SIZE", "DELETED" -> items.add(item); // RFC 8438, RFC 9051 §6.3.11
        default -> throw new ParseError("unknown status item " + Texts.sanitize(item));
      }
    }
    pos++;
    if (items.isEmpty()) throw new ParseError("empty status item list");
    return new ImapCommand.Status(tag, mailbox, items);
  }

  /** RFC 5161 §4: "ENABLE" 1*(SP capability). */
  private ImapCommand enable(String tag) throws ParseError {
    List<String> caps = new ArrayList<>();
    while (pos < tokens.size()) caps.add(atomOrFail("capability"));
    if (caps.isEmpty()) throw new ParseError("missing capability");
    return new ImapCommand.Enable(tag, caps);
  }

  private ImapCommand id(String tag) throws ParseError {
    Token t = next("ID parameters");
    Map<String, String> params = new LinkedHashMap<>();
    if (t instanceof Token.Atom a && a.text().equalsIgnoreCase("NIL")) {
      return new ImapCommand.Id(tag, params);
    }
    if (!(t instanceof Token.Open)) throw new ParseError("expected ( or NIL");
    while (!peekClose()) {
      String key = string();
      String value = nstring();
      if (params.size() < 30 && value != null) params.put(key, value);
    }
    pos++;
    return new ImapCommand.Id(tag, params);
  }

  private ImapCommand append(String tag) throws ParseError {
    String mailbox = mailbox();
    // RFC 3502 §6.3.11: append-message *(SP append-message); RFC 4469 §5 CATENATE; RFC 3516 §4.4
    int start = pos;
    List<AppendMessage> messages = new ArrayList<>();
    utf8Data = false;
    do {
      messages.add(appendMessage());
    } while (pos < tokens.size());
    if (messages.size() == 1 && utf8Data) {
      pos = start; // one message with RFC 6855's UTF8 data item: the strict single-message path
      return plainAppend(tag, mailbox);
    }
    if (messages.size() > 1
        || messages.get(0).catenate()
        || !(tokens.get(pos - 1) instanceof Token.Literal)
        || tokens.get(pos - 2) instanceof Token.Atom a && a.text().equals("~")) {
      return new ImapCommand.AppendMessages(tag, mailbox, messages);
    }
    pos = start;
    return plainAppend(tag, mailbox);
  }

  /** RFC 8508 §6: REPLACE SP seq-number SP mailbox SP append-message (one message). */
  private ImapCommand replace(String tag, boolean uid) throws ParseError {
    String n = atomOrFail("message number");
    long number = number(n);
    if (number <= 0 || number > 0xFFFF_FFFFL) {
      throw new ParseError("bad message number " + Texts.sanitize(n));
    }
    String mailbox = mailbox();
    AppendMessage m = appendMessage();
    return new ImapCommand.Replace(tag, uid, number, mailbox, m);
  }

  /** [flag-list] [date-time] (literal / literal8 / CATENATE (parts)). */
  private AppendMessage appendMessage() throws ParseError {
    Set<String> flags = Set.of();
    Optional<Instant> date = Optional.empty();
    if (pos < tokens.size() && tokens.get(pos) instanceof Token.Open) {
      flags = flagList();
    }
    if (pos < tokens.size() && tokens.get(pos) instanceof Token.Quoted q) {
      pos++;
      date = Optional.of(dateTime(q.text()));
    }
    Token t = next("message literal");
    if (t instanceof Token.Atom u && u.text().equalsIgnoreCase("UTF8")) {
      // RFC 6855 §4: append-data =/ "UTF8" SP "(" literal8 ")", only after ENABLE UTF8=ACCEPT
      if (!utf8) throw new ParseError("UTF8 data item requires ENABLE UTF8=ACCEPT");
      utf8Data = true;
      expectOpen();
      ByteSource content = literal8();
      if (!(next(")") instanceof Token.Close)) throw new ParseError("expected )");
      return new AppendMessage(
          flags, date, List.of(new AppendMessage.AppendPart.Text(content)), false);
    }
    if (t instanceof Token.Atom a && a.text().equalsIgnoreCase("CATENATE")) {
      expectOpen();
      List<AppendMessage.AppendPart> parts = new ArrayList<>();
      while (!peekClose()) {
        String kind = atomOrFail("TEXT or URL").toUpperCase(Locale.ROOT);
        switch (kind) {
          case "TEXT" -> parts.add(new AppendMessage.AppendPart.Text(literal8()));
          case "URL" -> parts.add(new AppendMessage.AppendPart.Url(astring()));
          default -> throw new ParseError("unknown CATENATE part " + Texts.sanitize(kind));
        }
      }
      pos++;
      if (parts.isEmpty()) throw new ParseError("empty CATENATE list");
      return new AppendMessage(flags, date, parts, true);
    }
    pos--;
    return new AppendMessage(
        flags, date, List.of(new AppendMessage.AppendPart.Text(literal8())), false);
  }

  /** literal or literal8 ({@code ~{n}}, RFC 3516 §4.4). */
  private ByteSource literal8() throws ParseError {
    Token t = next("message literal");
    if (t instanceof Token.Atom a && a.text().equals("~")) t = next("literal8");
    if (!(t instanceof Token.Literal lit)) throw new ParseError("expected message literal");
    return lit.bytes();
  }

  private ImapCommand plainAppend(String tag, String mailbox) throws ParseError {
    Set<String> flags = Set.of();
    Optional<Instant> date = Optional.empty();
    if (pos < tokens.size() && tokens.get(pos) instanceof Token.Open) {
      flags = flagList();
    }
    if (pos < tokens.size() && tokens.get(pos) instanceof Token.Quoted q) {
      pos++;
      date = Optional.of(dateTime(q.text()));
    }
    Token msg = next("message literal");
    if (msg instanceof Token.Atom a && a.text().equalsIgnoreCase("UTF8")) {
      // RFC 6855 §4: append-data =/ "UTF8" SP "(" literal8 ")", only after ENABLE UTF8=ACCEPT
      if (!utf8) throw new ParseError("UTF8 data item requires ENABLE UTF8=ACCEPT");
      expectOpen();
      if (!(next("literal8") instanceof Token.Atom tilde) || !tilde.text().equals("~")) {
        throw new ParseError("expected literal8 (~{n})");
      }
      msg = next("literal8");
      if (!(msg instanceof Token.Literal)) throw new ParseError("expected literal8 (~{n})");
      if (!(next(")") instanceof Token.Close)) throw new ParseError("expected )");
    }
    if (!(msg instanceof Token.Literal lit)) throw new ParseError("expected message literal");
    if (pos < tokens.size()) throw new ParseError("MULTIAPPEND is not supported");
    return new ImapCommand.Append(tag, mailbox, flags, date, lit.bytes());
  }

  private ImapCommand store(String tag, boolean uid) throws ParseError {
    SequenceSet set = sequenceSet();
    long unchangedSince = storeModifiers();
    String item = atomOrFail("store item").toUpperCase(Locale.ROOT);
    boolean silent = item.endsWith(".SILENT");
    if (silent) item = item.substring(0, item.length() - 7);
    FlagOperation op =
        switch (item) {
          case "FLAGS" -> FlagOperation.REPLACE;
          case "+FLAGS" -> FlagOperation.ADD;
          case "-FLAGS" -> FlagOperation.REMOVE;
          default -> throw new ParseError("unknown store item " + Texts.sanitize(item));
        };
    Set<String> flags;
    if (pos < tokens.size() && tokens.get(pos) instanceof Token.Open) {
      flags = flagList();
    } else {
      // RFC 9051 §9: store-att-flags ... SP (flag-list / (flag *(SP flag))): at least one flag
      if (pos >= tokens.size()) throw new ParseError("missing flags");
      flags = new LinkedHashSet<>();
      while (pos < tokens.size()) flags.add(flag(atomOrFail("flag")));
    }
    return new ImapCommand.Store(tag, uid, set, op, silent, flags, unchangedSince);
  }

  private ImapCommand fetch(String tag, boolean uid) throws ParseError {
    SequenceSet set = sequenceSet();
    List<FetchAttribute> atts = new ArrayList<>();
    Token t = next("fetch attributes");
    if (t instanceof Token.Open) {
      while (!peekClose()) {
        fetchAtt(atomOrFail("fetch attribute"), atts, false);
        previewModifiers(atts);
      }
      pos++;
      if (atts.isEmpty()) throw new ParseError("empty fetch attribute list");
    } else if (t instanceof Token.Atom a) {
      fetchAtt(a.text(), atts, true);
      previewModifiers(atts);
    } else {
      throw new ParseError("expected fetch attributes");
    }
    long changedSince = 0;
    boolean vanished = false;
    Optional<SearchReturn.PartialRange> partial = Optional.empty();
    if (pos < tokens.size() && tokens.get(pos) instanceof Token.Open) {
      // RFC 7162 §3.1.4, §3.2.6, RFC 9394 §3.2: fetch-modifiers
      pos++;
      while (!peekClose()) {
        String m = atomOrFail("fetch modifier").toUpperCase(Locale.ROOT);
        switch (m) {
          case "CHANGEDSINCE" -> changedSince = modSeq(false);
          case "VANISHED" -> vanished = true;
          case "PARTIAL" -> {
            if (partial.isPresent()) throw new ParseError("PARTIAL given twice");
            partial = Optional.of(SearchSyntax.partialRange(this));
          }
          default -> throw new ParseError("unknown fetch modifier " + Texts.sanitize(m));
        }
      }
      pos++;
      if (vanished && !uid) throw new ParseError("VANISHED is only valid with UID FETCH");
      if (vanished && changedSince == 0) throw new ParseError("VANISHED requires CHANGEDSINCE");
    }
    return new ImapCommand.Fetch(tag, uid, set, atts, changedSince, vanished, partial);
  }

  private static void fetchAtt(String raw, List<FetchAttribute> out, boolean macros)
      throws ParseError {
    String a = raw.toUpperCase(Locale.ROOT);
    switch (a) {
      case "FLAGS" -> out.add(new FetchAttribute.Flags());
      case "UID" -> out.add(new FetchAttribute.Uid());
      case "INTERNALDATE" -> out.add(new FetchAttribute.InternalDate());
      case "RFC822.SIZE" -> out.add(new FetchAttribute.Rfc822Size());
      case "ENVELOPE" -> out.add(new FetchAttribute.Envelope());
      case "BODYSTRUCTURE" -> out.add(new FetchAttribute.BodyStructure(true));
      case "MODSEQ" -> out.add(new FetchAttribute.ModSeq());
      case "EMAILID" -> out.add(new FetchAttribute.EmailId());
      case "THREADID" -> out.add(new FetchAttribute.ThreadId());
      case "SAVEDATE" -> out.add(new FetchAttribute.SaveDate());
      case "PREVIEW" -> out.add(new FetchAttribute.Preview(false));
      case "BODY" -> out.add(new FetchAttribute.BodyStructure(false));
      case "RFC822" ->
          out.add(
              new FetchAttribute.Body(
                  new Section(List.of(), Section.Text.ALL, List.of()), false, 0, -1, "RFC822"));
      case "RFC822.HEADER" ->
          out.add(
              new FetchAttribute.Body(
                  new Section(List.of(), Section.Text.HEADER, List.of()),
                  true,
                  0,
                  -1,
                  "RFC822.HEADER"));
      case "RFC822.TEXT" ->
          out.add(
              new FetchAttribute.Body(
                  new Section(List.of(), Section.Text.TEXT, List.of()),
                  false,
                  0,
                  -1,
                  "RFC822.TEXT"));
      case "ALL", "FAST", "FULL" -> {
        if (!macros) throw new ParseError("macro " + a + " inside a list");
        out.add(new FetchAttribute.Flags());
        out.add(new FetchAttribute.InternalDate());
        out.add(new FetchAttribute.Rfc822Size());
        if (!a.equals("FAST")) out.add(new FetchAttribute.Envelope());
        if (a.equals("FULL")) out.add(new FetchAttribute.BodyStructure(false));
      }
      default -> out.add(a.startsWith("BINARY") ? BinaryFetch.parse(raw, a) : bodySection(raw, a));
    }
  }

  private static FetchAttribute bodySection(String raw, String upper) throws ParseError {
    boolean peek;
    int open;
    if (upper.startsWith("BODY.PEEK[")) {
      peek = true;
      open = 9;
    } else if (upper.startsWith("BODY[")) {
      peek = false;
      open = 4;
    } else {
      throw new ParseError("unknown fetch attribute " + Texts.sanitize(raw));
    }
    int close = raw.lastIndexOf(']');
    if (close < open) throw new ParseError("missing ] in " + Texts.sanitize(raw));
    Section section = Section.parse(raw.substring(open + 1, close));
    if (section == null) throw new ParseError("bad section " + Texts.sanitize(raw));
    String rest = raw.substring(close + 1);
    long offset = 0;
    long length = -1;
    if (!rest.isEmpty()) {
      int dot = rest.indexOf('.');
      if (!rest.startsWith("<") || !rest.endsWith(">") || dot < 0) {
        throw new ParseError("bad partial " + Texts.sanitize(rest));
      }
      offset = number(rest.substring(1, dot));
      length = number(rest.substring(dot + 1, rest.length() - 1));
      if (offset < 0 || length <= 0) throw new ParseError("bad partial " + Texts.sanitize(rest));
    }
    return new FetchAttribute.Body(section, peek, offset, length, null);
  }

  /** RFC 5465 §8: NOTIFY SET [(STATUS)] event-group *(SP event-group) / NOTIFY NONE. */
  private ImapCommand notify(String tag) throws ParseError {
    String verb = atomOrFail("SET or NONE").toUpperCase(Locale.ROOT);
    if (verb.equals("NONE")) return new ImapCommand.Notify(tag, Optional.empty());
    if (!verb.equals("SET")) throw new ParseError("expected SET or NONE");
    boolean status = false;
    if (pos + 2 < tokens.size()
        && tokens.get(pos) instanceof Token.Open
        && tokens.get(pos + 1) instanceof Token.Atom a
        && a.text().equalsIgnoreCase("STATUS")
        && tokens.get(pos + 2) instanceof Token.Close) {
      status = true;
      pos += 3;
    }
    List<NotifySpec.Group> groups = new ArrayList<>();
    Set<NotifySpec.Filter> seen = new java.util.HashSet<>();
    do {
      expectOpen();
      String f = atomOrFail("filter");
      NotifySpec.Filter filter = NotifySpec.Filter.parse(f);
      if (filter == null) throw new ParseError("unknown NOTIFY filter " + Texts.sanitize(f));
      List<String> names = new ArrayList<>();
      if (filter == NotifySpec.Filter.SUBTREE || filter == NotifySpec.Filter.MAILBOXES) {
        if (pos < tokens.size() && tokens.get(pos) instanceof Token.Open) {
          pos++;
          while (!peekClose()) names.add(mailbox());
          pos++;
          if (names.isEmpty()) throw new ParseError("empty mailbox list");
        } else {
          names.add(mailbox());
        }
      } else if (!seen.add(filter)
          || seen.contains(NotifySpec.Filter.SELECTED)
              && seen.contains(NotifySpec.Filter.SELECTED_DELAYED)) {
        throw new ParseError("filter " + filter.keyword() + " given twice");
      }
      Set<NotifySpec.Event> events = new java.util.LinkedHashSet<>();
      List<String> unknown = new ArrayList<>();
      Token t = next("events");
      if (t instanceof Token.Atom a && a.text().equalsIgnoreCase("NONE")) {
        // no events for these mailboxes
      } else if (t instanceof Token.Open) {
        while (!peekClose()) {
          String e = atomOrFail("event");
          NotifySpec.Event ev = NotifySpec.Event.parse(e);
          if (ev == null) {
            if (!e.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '.')) {
              throw new ParseError("bad event name " + Texts.sanitize(e));
            }
            unknown.add(e);
            continue;
          }
          events.add(ev);
          if (ev == NotifySpec.Event.MESSAGE_NEW
              && pos < tokens.size()
              && tokens.get(pos) instanceof Token.Open) {
            pos++; // RFC 5465 §5.1: fetch attributes for new messages; parsed, not used
            List<FetchAttribute> ignored = new ArrayList<>();
            while (!peekClose()) fetchAtt(atomOrFail("fetch attribute"), ignored, false);
            pos++;
          }
        }
        pos++;
        if (events.isEmpty() && unknown.isEmpty()) throw new ParseError("empty event list");
      } else {
        throw new ParseError("expected event list or NONE");
      }
      // RFC 5465 §5: MessageNew and MessageExpunge come together; FlagChange needs both
      boolean n = events.contains(NotifySpec.Event.MESSAGE_NEW);
      boolean x = events.contains(NotifySpec.Event.MESSAGE_EXPUNGE);
      if (n != x) throw new ParseError("MessageNew and MessageExpunge must be given together");
      if ((events.contains(NotifySpec.Event.FLAG_CHANGE)
              || events.contains(NotifySpec.Event.ANNOTATION_CHANGE))
          && !n) {
        throw new ParseError("FlagChange requires MessageNew and MessageExpunge");
      }
      if (!(next(")") instanceof Token.Close)) throw new ParseError("expected )");
      groups.add(new NotifySpec.Group(filter, names, events, unknown));
    } while (pos < tokens.size());
    return new ImapCommand.Notify(tag, Optional.of(new NotifySpec(status, groups)));
  }

  private ImapCommand search(String tag, boolean uid) throws ParseError {
    Optional<SearchReturn> ret = SearchSyntax.searchReturn(this);
    Optional<String> charset = Optional.empty();
    if (pos < tokens.size()
        && tokens.get(pos) instanceof Token.Atom a
        && a.text().equalsIgnoreCase("CHARSET")) {
      pos++;
      charset = Optional.of(astring().toUpperCase(Locale.ROOT));
    }
    return new ImapCommand.Search(tag, uid, charset, searchKeys(), ret);
  }

  /** The rest of the command as search-criteria (one key, or their conjunction). */
  SearchKey searchKeys() throws ParseError {
    List<SearchKey> keys = new ArrayList<>();
    while (pos < tokens.size()) keys.add(searchKey(0));
    if (keys.isEmpty()) throw new ParseError("missing search key");
    return keys.size() == 1 ? keys.get(0) : new SearchKey.And(keys);
  }

  private SearchKey searchKey(int depth) throws ParseError {
    if (depth > 64) throw new ParseError("search too deep");
    Token t = next("search key");
    if (t instanceof Token.Open) {
      List<SearchKey> keys = new ArrayList<>();
      while (!peekClose()) keys.add(searchKey(depth + 1));
      pos++;
      if (keys.isEmpty()) throw new ParseError("empty search list");
      return keys.size() == 1 ? keys.get(0) : new SearchKey.And(keys);
    }
    if (!(t instanceof Token.Atom a)) throw new ParseError("expected search key");
    String k = a.text().toUpperCase(Locale.ROOT);
    return switch (k) {
      case "ALL" -> new SearchKey.All();
      case "ANSWERED" -> new SearchKey.Flag("\\Answered", true);
      case "DELETED" -> new SearchKey.Flag("\\Deleted", true);
      case "DRAFT" -> new SearchKey.Flag("\\Draft", true);
      case "FLAGGED" -> new SearchKey.Flag("\\Flagged", true);
      case "SEEN" -> new SearchKey.Flag("\\Seen", true);
      case "UNANSWERED" -> new SearchKey.Flag("\\Answered", false);
      case "UNDELETED" -> new SearchKey.Flag("\\Deleted", false);
      case "UNDRAFT" -> new SearchKey.Flag("\\Draft", false);
      case "UNFLAGGED" -> new SearchKey.Flag("\\Flagged", false);
      case "UNSEEN" -> new SearchKey.Flag("\\Seen", false);
      case "KEYWORD" -> new SearchKey.Flag(flag(atomOrFail("keyword")), true);
      case "UNKEYWORD" -> new SearchKey.Flag(flag(atomOrFail("keyword")), false);
      case "RECENT" -> new SearchKey.Recent();
      case "NEW" -> new SearchKey.New();
      case "OLD" -> new SearchKey.Old();
      case "BCC", "CC", "FROM", "SUBJECT", "TO" -> new SearchKey.Header(k, astring());
      case "HEADER" -> new SearchKey.Header(astring().toUpperCase(Locale.ROOT), astring());
      case "BODY" -> new SearchKey.Body(astring());
      case "TEXT" -> new SearchKey.Text(astring());
      case "BEFORE" -> new SearchKey.Date(false, SearchKey.Comparison.BEFORE, date());
      case "ON" -> new SearchKey.Date(false, SearchKey.Comparison.ON, date());
      case "SINCE" -> new SearchKey.Date(false, SearchKey.Comparison.SINCE, date());
      case "SENTBEFORE" -> new SearchKey.Date(true, SearchKey.Comparison.BEFORE, date());
      case "SENTON" -> new SearchKey.Date(true, SearchKey.Comparison.ON, date());
      case "SENTSINCE" -> new SearchKey.Date(true, SearchKey.Comparison.SINCE, date());
      case "LARGER" -> new SearchKey.Size(true, numberOrFail());
      case "SMALLER" -> new SearchKey.Size(false, numberOrFail());
      case "NOT" -> new SearchKey.Not(searchKey(depth + 1));
      case "OR" -> new SearchKey.Or(searchKey(depth + 1), searchKey(depth + 1));
      case "UID" -> new SearchKey.Uid(sequenceSet());
      case "MODSEQ" -> searchModSeq();
      case "EMAILID" -> new SearchKey.EmailId(objectId());
      case "THREADID" -> new SearchKey.ThreadId(objectId());
      case "SAVEDBEFORE" -> new SearchKey.SaveDate(SearchKey.Comparison.BEFORE, date());
      case "SAVEDON" -> new SearchKey.SaveDate(SearchKey.Comparison.ON, date());
      case "SAVEDSINCE" -> new SearchKey.SaveDate(SearchKey.Comparison.SINCE, date());
      case "SAVEDATESUPPORTED" -> new SearchKey.SaveDateSupported();
      case "OLDER" -> new SearchKey.Older(nzNumber()); // RFC 5032 §4
      case "YOUNGER" -> new SearchKey.Younger(nzNumber());
      case "$" -> new SearchKey.Sequence(SequenceSet.SAVED); // RFC 5182 §3
      default -> {
        SequenceSet set = SequenceSet.parse(a.text());
        if (set == null) throw new ParseError("unknown search key " + Texts.sanitize(k));
        yield new SearchKey.Sequence(set);
      }
    };
  }

  // --- CONDSTORE/QRESYNC (RFC 7162), OBJECTID (RFC 8474), PREVIEW (RFC 8970) ------------------

  /** Optional select-params of SELECT/EXAMINE (RFC 4466 §2.1, RFC 7162 §3.1.8, §3.2.5). */
  private SelectParams selectParams() throws ParseError {
    if (pos >= tokens.size()) return SelectParams.NONE;
    expectOpen();
    boolean condStore = false;
    Optional<SelectParams.Qresync> qresync = Optional.empty();
    while (!peekClose()) {
      String p = atomOrFail("select parameter").toUpperCase(Locale.ROOT);
      switch (p) {
        case "CONDSTORE" -> condStore = true;
        case "QRESYNC" -> {
          if (qresync.isPresent()) throw new ParseError("QRESYNC given twice");
          qresync = Optional.of(qresyncParams());
        }
        default -> throw new ParseError("unknown select parameter " + Texts.sanitize(p));
      }
    }
    pos++;
    return new SelectParams(condStore, qresync);
  }

  /** {@code (uidvalidity mod-sequence-value [known-uids [seq-match-data]])}, RFC 7162 §7. */
  private SelectParams.Qresync qresyncParams() throws ParseError {
    expectOpen();
    String v = atomOrFail("uidvalidity");
    long uidValidity = number(v);
    if (uidValidity < 1 || uidValidity > 0xFFFF_FFFFL) {
      throw new ParseError("bad uidvalidity " + Texts.sanitize(v));
    }
    long modSeq = modSeq(false);
    Optional<SequenceSet> known = Optional.empty();
    Optional<SequenceSet> seqs = Optional.empty();
    Optional<SequenceSet> seqUids = Optional.empty();
    if (!peekClose() && tokens.get(pos) instanceof Token.Atom) known = Optional.of(sequenceSet());
    if (!peekClose()) {
      expectOpen();
      seqs = Optional.of(sequenceSet());
      seqUids = Optional.of(sequenceSet());
      if (!peekClose()) throw new ParseError("expected ) after seq-match-data");
      pos++;
      if (count(seqs.get()) != count(seqUids.get())) {
        throw new ParseError("seq-match-data sets differ in size");
      }
    }
    if (!peekClose()) throw new ParseError("expected ) after QRESYNC parameters");
    pos++;
    return new SelectParams.Qresync(uidValidity, modSeq, known, seqs, seqUids);
  }

  /** Number of elements of a set without {@code *}, or -1 when it holds {@code *}. */
  private static long count(SequenceSet set) {
    long n = 0;
    for (SequenceSet.Range r : set.ranges()) {
      if (r.first() == SequenceSet.STAR || r.last() == SequenceSet.STAR) return -1;
      n += Math.abs(r.last() - r.first()) + 1;
    }
    return n;
  }

  /** STORE's optional {@code (UNCHANGEDSINCE n)} (RFC 7162 §3.1.3); -1 when absent. */
  private long storeModifiers() throws ParseError {
    if (pos >= tokens.size() || !(tokens.get(pos) instanceof Token.Open)) return -1;
    pos++;
    long unchangedSince = -1;
    while (!peekClose()) {
      String m = atomOrFail("store modifier").toUpperCase(Locale.ROOT);
      if (!m.equals("UNCHANGEDSINCE") || unchangedSince >= 0) {
        throw new ParseError("unknown store modifier " + Texts.sanitize(m));
      }
      unchangedSince = modSeq(true);
    }
    pos++;
    if (unchangedSince < 0) throw new ParseError("empty store modifier list");
    return unchangedSince;
  }

  /** PREVIEW's optional {@code (LAZY)} (RFC 8970 §3.1), right after the PREVIEW item. */
  private void previewModifiers(List<FetchAttribute> atts) throws ParseError {
    if (atts.isEmpty() || !(atts.get(atts.size() - 1) instanceof FetchAttribute.Preview)) return;
    if (pos + 1 >= tokens.size()
        || !(tokens.get(pos) instanceof Token.Open)
        || !(tokens.get(pos + 1) instanceof Token.Atom a)
        || !a.text().equalsIgnoreCase("LAZY")) {
      return;
    }
    pos += 2;
    while (!peekClose()) {
      String m = atomOrFail("preview modifier");
      if (!m.equalsIgnoreCase("LAZY")) {
        throw new ParseError("unknown preview modifier " + Texts.sanitize(m));
      }
    }
    pos++;
    atts.set(atts.size() - 1, new FetchAttribute.Preview(true));
  }

  /** SEARCH MODSEQ [entry-name entry-type-req] mod-sequence-valzer (RFC 7162 §3.1.5). */
  private SearchKey searchModSeq() throws ParseError {
    Optional<String> entry = Optional.empty();
    if (pos < tokens.size() && !(tokens.get(pos) instanceof Token.Atom)) {
      String name = string();
      if (!name.toLowerCase(Locale.ROOT).startsWith("/flags/") || name.length() == 7) {
        throw new ParseError("bad entry name " + Texts.sanitize(name));
      }
      flag(name.substring(7));
      String type = atomOrFail("entry type").toLowerCase(Locale.ROOT);
      if (!type.equals("priv") && !type.equals("shared") && !type.equals("all")) {
        throw new ParseError("bad entry type " + Texts.sanitize(type));
      }
      entry = Optional.of(name);
    }
    return new SearchKey.ModSeq(entry, modSeq(true));
  }

  /** An objectid (RFC 8474 §7). */
  private String objectId() throws ParseError {
    String id = astring();
    if (!org.carbonio.imap.spi.MessageExtras.isObjectId(id)) {
      throw new ParseError("bad objectid " + Texts.sanitize(id));
    }
    return id;
  }

  /**
   * A mod-sequence-value (1 to 2^63-1), or with {@code zero} a mod-sequence-valzer that may be 0
   * (RFC 7162 §7).
   */
  private long modSeq(boolean zero) throws ParseError {
    String s = atomOrFail("mod-sequence");
    long v = parseModSeq(s);
    if (v < 0 || (v == 0 && !zero)) throw new ParseError("bad mod-sequence " + Texts.sanitize(s));
    return v;
  }

  /** Digits fitting a signed 63-bit value, else -1. */
  static long parseModSeq(String s) {
    if (s.isEmpty() || s.length() > 19) return -1;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') return -1;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // --- primitives -------------------------------------------------------------------------------

  /** Consumes the next token (after a successful {@link #peek} or {@link #peekClose}). */
  void skip() {
    pos++;
  }

  /** Whether tokens remain. */
  boolean hasMore() {
    return pos < tokens.size();
  }

  /** The next token without consuming it, or null at the end. */
  Token peek() {
    return pos < tokens.size() ? tokens.get(pos) : null;
  }

  Token next(String what) throws ParseError {
    if (pos >= tokens.size()) throw new ParseError("missing " + what);
    return tokens.get(pos++);
  }

  boolean peekClose() throws ParseError {
    if (pos >= tokens.size()) throw new ParseError("missing )");
    return tokens.get(pos) instanceof Token.Close;
  }

  void expectOpen() throws ParseError {
    if (!(next("(") instanceof Token.Open)) throw new ParseError("expected (");
  }

  String atomOrFail(String what) throws ParseError {
    if (next(what) instanceof Token.Atom a) return a.text();
    throw new ParseError("expected " + what);
  }

  /** astring: atom, quoted or literal. */
  String astring() throws ParseError {
    return switch (next("string")) {
      case Token.Atom a -> a.text();
      case Token.Quoted q -> q.text();
      case Token.Literal l -> l.text();
      default -> throw new ParseError("expected string");
    };
  }

  private String string() throws ParseError {
    return switch (next("string")) {
      case Token.Quoted q -> q.text();
      case Token.Literal l -> l.text();
      default -> throw new ParseError("expected quoted string");
    };
  }

  private String nstring() throws ParseError {
    Token t = next("string");
    if (t instanceof Token.Atom a && a.text().equalsIgnoreCase("NIL")) return null;
    pos--;
    return string();
  }

  /** A mailbox name or LIST pattern, decoded from modified UTF-7 (RFC 3501 §5.1.3). */
  private String mailbox() throws ParseError {
    String s = astring();
    if (s.indexOf('\0') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0) {
      throw new ParseError("invalid mailbox name");
    }
    return utf8 ? s : ModifiedUtf7.decode(s); // RFC 6855 §3: no modified UTF-7 after ENABLE
  }

  private SequenceSet sequenceSet() throws ParseError {
    String s = atomOrFail("sequence set");
    if (s.equals("$")) return SequenceSet.SAVED; // RFC 5182 §3 seq-last-command
    SequenceSet set = SequenceSet.parse(s);
    if (set == null) throw new ParseError("bad sequence set " + Texts.sanitize(s));
    return set;
  }

  private Set<String> flagList() throws ParseError {
    expectOpen();
    Set<String> flags = new LinkedHashSet<>();
    while (!peekClose()) flags.add(flag(atomOrFail("flag")));
    pos++;
    return flags;
  }

  private static final List<String> SYSTEM_FLAGS =
      List.of("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "\\Recent");

  /** Normalises the case of system flags; keywords are kept as sent. */
  static String flag(String raw) throws ParseError {
    for (String f : SYSTEM_FLAGS) if (f.equalsIgnoreCase(raw)) return f;
    if (raw.isEmpty() || raw.equals("\\")) throw new ParseError("empty flag");
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c <= ' ' || c >= 127 || "(){%*\"]".indexOf(c) >= 0 || (c == '\\' && i > 0)) {
        throw new ParseError("invalid flag " + Texts.sanitize(raw));
      }
    }
    return raw;
  }

  /** nz-number (RFC 3501 §9), at most 2^32-1. */
  long nzNumber() throws ParseError {
    long n = number(atomOrFail("number"));
    if (n < 1 || n > 0xFFFF_FFFFL) throw new ParseError("expected a positive number");
    return n;
  }

  private long numberOrFail() throws ParseError {
    long n = number(atomOrFail("number"));
    if (n < 0) throw new ParseError("expected number");
    return n;
  }

  static long number(String s) {
    if (s.isEmpty() || s.length() > 18) return -1;
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");

  /** date = 1*2DIGIT "-" Mon "-" 4DIGIT, possibly quoted. */
  private LocalDate date() throws ParseError {
    String s = astring().trim();
    LocalDate d = parseDate(s);
    if (d == null) throw new ParseError("bad date " + Texts.sanitize(s));
    return d;
  }

  static LocalDate parseDate(String s) {
    String[] p = s.split("-");
    if (p.length != 3) return null;
    long day = number(p[0].trim());
    int month = MONTHS.indexOf(p[1].toUpperCase(Locale.ROOT)) + 1;
    long year = number(p[2]);
    if (day < 1 || day > 31 || month < 1 || p[2].length() != 4) return null;
    try {
      return LocalDate.of((int) year, month, (int) day);
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  /** date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE. */
  static Instant dateTime(String s) throws ParseError {
    String[] p = s.trim().split(" +");
    if (p.length != 3) throw new ParseError("bad date-time " + Texts.sanitize(s));
    LocalDate d = parseDate(p[0]);
    String[] t = p[1].split(":");
    String z = p[2];
    if (d == null
        || t.length != 3
        || z.length() != 5
        || (z.charAt(0) != '+' && z.charAt(0) != '-')) {
      throw new ParseError("bad date-time " + Texts.sanitize(s));
    }
    long h = number(t[0]);
    long m = number(t[1]);
    long sec = number(t[2]);
    long zh = number(z.substring(1, 3));
    long zm = number(z.substring(3));
    if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60 || zh < 0 || zh > 23 || zm < 0
        || zm > 59) {
      throw new ParseError("bad date-time " + Texts.sanitize(s));
    }
    int offset = (int) (zh * 3600 + zm * 60) * (z.charAt(0) == '-' ? -1 : 1);
    return LocalDateTime.of(
            d.getYear(), d.getMonth(), d.getDayOfMonth(), (int) h, (int) m, (int) Math.min(sec, 59))
        .toInstant(ZoneOffset.ofTotalSeconds(offset));
  }
}
