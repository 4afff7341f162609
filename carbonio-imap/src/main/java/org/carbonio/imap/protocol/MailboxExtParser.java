package org.carbonio.imap.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.carbonio.imap.protocol.CommandParser.ParseError;

/**
 * Parses the arguments of the mailbox-level extension commands (RFC 5258, 6154, 9208, 4314, 5464)
 * from the tokens after the command name. Package-private; one instance per command.
 */
final class MailboxExtParser {

  /** STATUS items accepted by STATUS and LIST RETURN (STATUS ...). */
  static final Set<String> STATUS_ITEMS =
      Set.of(
          "MESSAGES",
          "RECENT",
          "UIDNEXT",
          "UIDVALIDITY",
          "UNSEEN",
          "HIGHESTMODSEQ",
          "SIZE",
          "DELETED");

  private static final Set<String> SELECTION =
      Set.of("SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE");
  private static final Set<String> SPECIAL_USES =
      Set.of("\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash");

  private final List<Token> tokens;
  private int pos;

  private MailboxExtParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  /** Whether LIST arguments need the extended parser (RFC 5258 §3). */
  static boolean isExtendedList(List<Token> rest) {
    if (rest.size() != 2) return true;
    for (Token t : rest) if (t instanceof Token.Open || t instanceof Token.Close) return true;
    return false;
  }

  /** Parses {@code rest} (every token after the command name) for command {@code name}. */
  static ImapCommand parse(String name, String tag, List<Token> rest) throws ParseError {
    MailboxExtParser p = new MailboxExtParser(rest);
    ImapCommand c =
        switch (name) {
          case "LIST" -> p.list(tag);
          case "CREATE" -> p.create(tag);
          case "GETQUOTA" -> new ImapCommand.GetQuota(tag, p.astring());
          case "GETQUOTAROOT" -> new ImapCommand.GetQuotaRoot(tag, p.mailbox());
          case "SETQUOTA" -> p.setQuota(tag);
          case "SETACL" -> p.setAcl(tag);
          case "DELETEACL" -> new ImapCommand.DeleteAcl(tag, p.mailbox(), p.astring());
          case "GETACL" -> new ImapCommand.GetAcl(tag, p.mailbox());
          case "LISTRIGHTS" -> new ImapCommand.ListRights(tag, p.mailbox(), p.astring());
          case "MYRIGHTS" -> new ImapCommand.MyRights(tag, p.mailbox());
          case "GETMETADATA" -> p.getMetadata(tag);
          case "SETMETADATA" -> p.setMetadata(tag);
          default -> throw new ParseError("unknown command " + Texts.sanitize(name));
        };
    if (p.pos < rest.size()) throw new ParseError("unexpected arguments");
    return c;
  }

  // --- LIST-EXTENDED (RFC 5258 §3, RFC 5819, RFC 6154 §3) ---------------------------------------

  private ImapCommand list(String tag) throws ParseError {
    Set<String> selection = new LinkedHashSet<>();
    if (peekOpen()) {
      pos++;
      while (!peekClose()) {
        String o = atom("selection option").toUpperCase(Locale.ROOT);
        if (!SELECTION.contains(o)) throw new ParseError("unknown selection option " + s(o));
        selection.add(o);
      }
      pos++;
    }
    // RFC 5258 §3.1: RECURSIVEMATCH alone is an error
    if (selection.contains("RECURSIVEMATCH")
        && !selection.contains("SUBSCRIBED")
        && !selection.contains("SPECIAL-USE")) {
      throw new ParseError("RECURSIVEMATCH needs another selection option");
    }
    String reference = mailbox();
    List<String> patterns = new ArrayList<>();
    if (peekOpen()) {
      pos++;
      while (!peekClose()) patterns.add(mailbox());
      pos++;
      if (patterns.isEmpty()) throw new ParseError("empty pattern list");
    } else {
      patterns.add(mailbox());
    }
    Set<String> returns = new LinkedHashSet<>();
    List<String> statusItems = new ArrayList<>();
    if (pos < tokens.size()) {
      if (!atom("RETURN").equalsIgnoreCase("RETURN")) throw new ParseError("expected RETURN");
      expectOpen();
      while (!peekClose()) {
        String o = atom("return option").toUpperCase(Locale.ROOT);
        switch (o) {
          case "SUBSCRIBED", "CHILDREN", "SPECIAL-USE" -> returns.add(o);
          case "STATUS" -> {
            if (returns.contains(o)) throw new ParseError("STATUS given twice");
            returns.add(o);
            statusItems.addAll(statusItems());
          }
          default -> throw new ParseError("unknown return option " + s(o));
        }
      }
      pos++;
    }
    return new ImapCommand.ListExtended(tag, selection, reference, patterns, returns, statusItems);
  }

  /** {@code "(" status-att *(SP status-att) ")"} (RFC 5819 §2). */
  private List<String> statusItems() throws ParseError {
    expectOpen();
    List<String> items = new ArrayList<>();
    while (!peekClose()) {
      String item = atom("status item").toUpperCase(Locale.ROOT);
      if (!STATUS_ITEMS.contains(item)) throw new ParseError("unknown status item " + s(item));
      items.add(item);
    }
    pos++;
    if (items.isEmpty()) throw new ParseError("empty status item list");
    return items;
  }

  // --- CREATE-SPECIAL-USE (RFC 6154 §3) ---------------------------------------------------------

  private ImapCommand create(String tag) throws ParseError {
    String mailbox = mailbox();
    Set<String> uses = new LinkedHashSet<>();
    expectOpen();
    while (!peekClose()) {
      String param = atom("create parameter").toUpperCase(Locale.ROOT);
      if (!param.equals("USE")) throw new ParseError("unknown create parameter " + s(param));
      expectOpen();
      while (!peekClose()) {
        String use = atom("use attribute");
        String known = null;
        for (String u : SPECIAL_USES) if (u.equalsIgnoreCase(use)) known = u;
        if (!use.startsWith("\\") || use.length() < 2) {
          throw new ParseError("bad use attribute " + s(use));
        }
        uses.add(known == null ? use : known);
      }
      pos++;
    }
    pos++;
    return new ImapCommand.CreateSpecialUse(tag, mailbox, uses);
  }

  // --- QUOTA (RFC 9208 §4.1.4) ------------------------------------------------------------------

  private ImapCommand setQuota(String tag) throws ParseError {
    String root = astring();
    expectOpen();
    Map<String, Long> limits = new LinkedHashMap<>();
    while (!peekClose()) {
      String res = atom("resource name").toUpperCase(Locale.ROOT);
      long limit = number(atom("resource limit"));
      if (limits.put(res, limit) != null) throw new ParseError("resource given twice " + s(res));
    }
    pos++;
    return new ImapCommand.SetQuota(tag, root, limits);
  }

  // --- ACL (RFC 4314 §3.1) ----------------------------------------------------------------------

  private ImapCommand setAcl(String tag) throws ParseError {
    String mailbox = mailbox();
    String identifier = astring();
    String raw = astring();
    char mode = '=';
    String letters = raw;
    if (!raw.isEmpty() && (raw.charAt(0) == '+' || raw.charAt(0) == '-')) {
      mode = raw.charAt(0);
      letters = raw.substring(1);
    }
    StringBuilder rights = new StringBuilder();
    for (char c : letters.toCharArray()) {
      switch (c) {
        case 'c' -> rights.append('k'); // RFC 4314 §2.1.1: obsolete "c"
        case 'd' -> rights.append("te"); // and obsolete "d"
        default -> {
          if (org.carbonio.imap.spi.Acl.ALL.indexOf(c) < 0) {
            throw new ParseError("unknown right " + s(String.valueOf(c)));
          }
          rights.append(c);
        }
      }
    }
    return new ImapCommand.SetAcl(
        tag, mailbox, identifier, mode, org.carbonio.imap.spi.Acl.normalize(rights));
  }

  // --- METADATA (RFC 5464 §4.2, §4.3) -----------------------------------------------------------

  private ImapCommand getMetadata(String tag) throws ParseError {
    long maxSize = -1;
    int depth = 0;
    if (peekOpen()) {
      pos++;
      while (!peekClose()) {
        String o = atom("option").toUpperCase(Locale.ROOT);
        switch (o) {
          case "MAXSIZE" -> maxSize = number(atom("MAXSIZE value"));
          case "DEPTH" -> {
            String d = atom("DEPTH value").toLowerCase(Locale.ROOT);
            depth =
                switch (d) {
                  case "0" -> 0;
                  case "1" -> 1;
                  case "infinity" -> -1;
                  default -> throw new ParseError("bad DEPTH " + s(d));
                };
          }
          default -> throw new ParseError("unknown option " + s(o));
        }
      }
      pos++;
    }
    String mailbox = mailbox();
    List<String> entries = new ArrayList<>();
    if (peekOpen()) {
      pos++;
      while (!peekClose()) entries.add(entry());
      pos++;
      if (entries.isEmpty()) throw new ParseError("empty entry list");
    } else {
      entries.add(entry());
    }
    return new ImapCommand.GetMetadata(tag, mailbox, entries, maxSize, depth);
  }

  private ImapCommand setMetadata(String tag) throws ParseError {
    String mailbox = mailbox();
    expectOpen();
    Map<String, Optional<String>> entries = new LinkedHashMap<>();
    while (!peekClose()) {
      String entry = entry();
      Token v = next("value");
      Optional<String> value =
          switch (v) {
            case Token.Atom a when a.text().equalsIgnoreCase("NIL") -> Optional.empty();
            case Token.Quoted q -> Optional.of(q.text());
            case Token.Literal l -> Optional.of(l.text());
            default -> throw new ParseError("expected string or NIL");
          };
      entries.put(entry, value);
    }
    pos++;
    if (entries.isEmpty()) throw new ParseError("empty entry list");
    return new ImapCommand.SetMetadata(tag, mailbox, entries);
  }

  /**
   * An entry name (RFC 5464 §3.2): starts with {@code /private} or {@code /shared}, no {@code *} or
   * {@code %}, no empty component, no trailing slash; compared case-insensitively, so lower-cased
   * here.
   */
  private String entry() throws ParseError {
    String e = astring();
    String lower = e.toLowerCase(Locale.ROOT);
    boolean ok =
        (lower.equals("/private")
                || lower.equals("/shared")
                || lower.startsWith("/private/")
                || lower.startsWith("/shared/"))
            && !lower.endsWith("/")
            && !lower.contains("//");
    for (int i = 0; ok && i < e.length(); i++) {
      char c = e.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '*' || c == '%') ok = false;
    }
    if (!ok) throw new ParseError("bad entry name " + s(e));
    return lower;
  }

  // --- primitives -------------------------------------------------------------------------------

  private static String s(String text) {
    return Texts.sanitize(text);
  }

  private Token next(String what) throws ParseError {
    if (pos >= tokens.size()) throw new ParseError("missing " + what);
    return tokens.get(pos++);
  }

  private boolean peekOpen() {
    return pos < tokens.size() && tokens.get(pos) instanceof Token.Open;
  }

  private boolean peekClose() throws ParseError {
    if (pos >= tokens.size()) throw new ParseError("missing )");
    return tokens.get(pos) instanceof Token.Close;
  }

  private void expectOpen() throws ParseError {
    if (!(next("(") instanceof Token.Open)) throw new ParseError("expected (");
  }

  private String atom(String what) throws ParseError {
    if (next(what) instanceof Token.Atom a) return a.text();
    throw new ParseError("expected " + what);
  }

  private String astring() throws ParseError {
    return switch (next("string")) {
      case Token.Atom a -> a.text();
      case Token.Quoted q -> q.text();
      case Token.Literal l -> l.text();
      default -> throw new ParseError("expected string");
    };
  }

  private String mailbox() throws ParseError {
    String m = astring();
    if (m.indexOf('\0') >= 0 || m.indexOf('\r') >= 0 || m.indexOf('\n') >= 0) {
      throw new ParseError("invalid mailbox name");
    }
    return ModifiedUtf7.decode(m);
  }

  private static long number(String text) throws ParseError {
    if (text.isEmpty() || text.length() > 18) throw new ParseError("bad number " + s(text));
    long v = 0;
    for (char c : text.toCharArray()) {
      if (c < '0' || c > '9') throw new ParseError("bad number " + s(text));
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
