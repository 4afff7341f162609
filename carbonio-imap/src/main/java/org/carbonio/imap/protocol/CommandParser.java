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
  private int pos;

  private CommandParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  static ImapCommand parse(List<Token> tokens) throws ParseError {
    return new CommandParser(tokens).command();
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
          case "SELECT" -> new ImapCommand.Select(tag, mailbox());
          case "EXAMINE" -> new ImapCommand.Examine(tag, mailbox());
          case "NAMESPACE" -> new ImapCommand.Namespace(tag);
          case "ID" -> id(tag);
          case "IDLE" -> new ImapCommand.Idle(tag);
          case "APPEND" -> append(tag);
          case "CHECK" -> new ImapCommand.Check(tag);
          case "CLOSE" -> new ImapCommand.Close(tag);
          case "UNSELECT" -> new ImapCommand.Unselect(tag);
          case "EXPUNGE" -> new ImapCommand.Expunge(tag, Optional.empty());
          case "SEARCH" -> search(tag, false);
          case "FETCH" -> fetch(tag, false);
          case "STORE" -> store(tag, false);
          case "COPY" -> new ImapCommand.Copy(tag, false, sequenceSet(), mailbox());
          case "MOVE" -> new ImapCommand.Move(tag, false, sequenceSet(), mailbox());
          case "UID" -> uid(tag);
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
      case "COPY" -> new ImapCommand.Copy(tag, true, sequenceSet(), mailbox());
      case "MOVE" -> new ImapCommand.Move(tag, true, sequenceSet(), mailbox());
      case "EXPUNGE" -> new ImapCommand.Expunge(tag, Optional.of(sequenceSet()));
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
        case "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ" ->
            items.add(item);
        case "SIZE", "DELETED" -> items.add(item); // RFC 8438, RFC 9051 §6.3.11
        default -> throw new ParseError("unknown status item " + Texts.sanitize(item));
      }
    }
    pos++;
    if (items.isEmpty()) throw new ParseError("empty status item list");
    return new ImapCommand.Status(tag, mailbox, items);
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
    if (!(msg instanceof Token.Literal lit)) throw new ParseError("expected message literal");
    if (pos < tokens.size()) throw new ParseError("MULTIAPPEND is not supported");
    return new ImapCommand.Append(tag, mailbox, flags, date, lit.bytes());
  }

  private ImapCommand store(String tag, boolean uid) throws ParseError {
    SequenceSet set = sequenceSet();
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
      flags = new LinkedHashSet<>();
      while (pos < tokens.size()) flags.add(flag(atomOrFail("flag")));
    }
    return new ImapCommand.Store(tag, uid, set, op, silent, flags);
  }

  private ImapCommand fetch(String tag, boolean uid) throws ParseError {
    SequenceSet set = sequenceSet();
    List<FetchAttribute> atts = new ArrayList<>();
    Token t = next("fetch attributes");
    if (t instanceof Token.Open) {
      while (!peekClose()) fetchAtt(atomOrFail("fetch attribute"), atts, false);
      pos++;
      if (atts.isEmpty()) throw new ParseError("empty fetch attribute list");
    } else if (t instanceof Token.Atom a) {
      fetchAtt(a.text(), atts, true);
    } else {
      throw new ParseError("expected fetch attributes");
    }
    return new ImapCommand.Fetch(tag, uid, set, atts);
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
      default -> out.add(bodySection(raw, a));
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

  private ImapCommand search(String tag, boolean uid) throws ParseError {
    Optional<String> charset = Optional.empty();
    if (pos < tokens.size()
        && tokens.get(pos) instanceof Token.Atom a
        && a.text().equalsIgnoreCase("CHARSET")) {
      pos++;
      charset = Optional.of(astring().toUpperCase(Locale.ROOT));
    }
    List<SearchKey> keys = new ArrayList<>();
    while (pos < tokens.size()) keys.add(searchKey(0));
    if (keys.isEmpty()) throw new ParseError("missing search key");
    SearchKey key = keys.size() == 1 ? keys.get(0) : new SearchKey.And(keys);
    return new ImapCommand.Search(tag, uid, charset, key);
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
      default -> {
        SequenceSet set = SequenceSet.parse(a.text());
        if (set == null) throw new ParseError("unknown search key " + Texts.sanitize(k));
        yield new SearchKey.Sequence(set);
      }
    };
  }

  // --- primitives -------------------------------------------------------------------------------

  private Token next(String what) throws ParseError {
    if (pos >= tokens.size()) throw new ParseError("missing " + what);
    return tokens.get(pos++);
  }

  private boolean peekClose() throws ParseError {
    if (pos >= tokens.size()) throw new ParseError("missing )");
    return tokens.get(pos) instanceof Token.Close;
  }

  private void expectOpen() throws ParseError {
    if (!(next("(") instanceof Token.Open)) throw new ParseError("expected (");
  }

  private String atomOrFail(String what) throws ParseError {
    if (next(what) instanceof Token.Atom a) return a.text();
    throw new ParseError("expected " + what);
  }

  /** astring: atom, quoted or literal. */
  private String astring() throws ParseError {
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
    return ModifiedUtf7.decode(s);
  }

  private SequenceSet sequenceSet() throws ParseError {
    String s = atomOrFail("sequence set");
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

  private long numberOrFail() throws ParseError {
    long n = number(atomOrFail("number"));
    if (n < 0) throw new ParseError("expected number");
    return n;
  }

  private static long number(String s) {
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
