package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.carbonio.mime.AddressEntry.Group;
import org.carbonio.mime.AddressEntry.Mailbox;
import org.carbonio.mime.internal.AddressTokens;
import org.carbonio.mime.internal.AddressTokens.Kind;
import org.carbonio.mime.internal.AddressTokens.Token;

/**
 * Reads and writes RFC 5322 §3.4 address lists (From, To, Cc, Bcc, Reply-To, Sender, Resent-*)
 * leniently, with decoded text. Thread-safe (stateless).
 *
 * {@snippet :
 * String to = m.header("To").orElse("");
 * for (AddressEntry e : MailAddresses.parse(to)) {
 *   if (e instanceof AddressEntry.Mailbox mb) {
 *     System.out.println(mb.displayName() + " -> " + mb.address());
 *   }
 * }
 * }
 *
 * <p>Unlike the IMAP ENVELOPE of {@link ParsedMessage#envelope()} (raw text, Dovecot's
 * placeholders), this API decodes and keeps absent parts empty. Both read the same RFC 5322 §3.2
 * tokens.
 */
public final class MailAddresses {

  /** Input beyond this many chars (64 KiB) is ignored: {@value} */
  public static final int MAX_LENGTH = 65_536;

  private MailAddresses() {}

  /**
   * Parses an address header value: a byte string (one char per octet, as {@link
   * HeaderFields#first} returns) or text. Never throws on any content, and takes time linear in its
   * length (at most {@link #MAX_LENGTH} chars are read). It accepts:
   *
   * <ul>
   *   <li>quoted strings, comments (CFWS) anywhere, groups with or without members and a missing
   *       final {@code ;} (RFC 5322 §3.4);
   *   <li>RFC 5322 §4.4 obsolete syntax: routes ({@code <@a,@b:user@dom>}, the route dropped), CFWS
   *       around the dots of a local part or domain, empty list elements ({@code a@b,,c@d});
   *   <li>the {@code user@dom (Real Name)} convention: with no display name, the comment after the
   *       address becomes it;
   *   <li>missing commas: {@code a@b c@d} is two mailboxes, and in {@code John Smith john@x} the
   *       words before the address are its name; text after an address that holds no {@code @} or
   *       {@code <} before the next comma is dropped;
   *   <li>RFC 2047 encoded words in display names and comments, also inside quotes (against RFC
   *       2047 §5, as every mail client does);
   *   <li>raw 8-bit text (RFC 6532): read as UTF-8 when valid, else windows-1252 ({@link
   *       Charsets#decodeOctets});
   *   <li>an unquoted {@code @} in a display name ({@code alice@x <bob@y>}: the name is {@code
   *       alice@x});
   *   <li>an element with no {@code @}: one word ({@code To: postmaster}) is a local part with an
   *       empty domain, several words ({@code To: Mary Smith}) a display name with an empty local
   *       part and domain.
   * </ul>
   *
   * Elements that carry nothing (no name, no local part, no domain) are skipped.
   */
  public static List<AddressEntry> parse(String rawHeaderValue) {
    requireNonNull(rawHeaderValue, "rawHeaderValue");
    String s =
        rawHeaderValue.length() > MAX_LENGTH
            ? rawHeaderValue.substring(0, MAX_LENGTH)
            : rawHeaderValue;
    return new Parser(AddressTokens.tokenize(s)).list();
  }

  /**
   * Writes entries as an RFC 5322 §3.4 address list separated by {@code ", "}, UTF-8 text left as
   * it is (RFC 6532; encode for a 7-bit header yourself). Display names and local parts are quoted
   * where needed. {@code parse(format(x))} gives {@code x} back for names without leading or
   * trailing whitespace and without text that looks like an encoded word.
   */
  public static String format(List<? extends AddressEntry> entries) {
    StringBuilder sb = new StringBuilder();
    for (AddressEntry e : entries) {
      if (!sb.isEmpty()) {
        sb.append(", ");
      }
      switch (e) {
        case Mailbox m -> mailbox(sb, m);
        case Group g -> {
          sb.append(phrase(g.displayName())).append(':');
          for (int k = 0; k < g.members().size(); k++) {
            sb.append(k == 0 ? " " : ", ");
            mailbox(sb, g.members().get(k));
          }
          sb.append(';');
        }
      }
    }
    return sb.toString();
  }

  private static void mailbox(StringBuilder sb, Mailbox m) {
    if (m.displayName().isEmpty()) {
      sb.append(m.address());
    } else {
      sb.append(phrase(m.displayName())).append(" <").append(m.address()).append('>');
    }
  }

  /** A display name as atoms when it is one (RFC 5322 §3.2.5), else as a quoted string. */
  private static String phrase(String name) {
    boolean atoms = !name.isEmpty() && !name.contains("=?") && !name.contains("  ");
    for (int k = 0; k < name.length() && atoms; k++) {
      char c = name.charAt(k);
      atoms = isAtext(c) || (c == ' ' && k > 0 && k < name.length() - 1);
    }
    return atoms ? name : quote(name);
  }

  /** The local part as a dot-atom when it is one (RFC 5322 §3.4.1), else quoted. */
  static String quoteLocalPart(String local) {
    if (local.isEmpty()) {
      return local;
    }
    boolean dotAtom = local.charAt(0) != '.' && local.charAt(local.length() - 1) != '.';
    for (int k = 0; k < local.length() && dotAtom; k++) {
      char c = local.charAt(k);
      dotAtom = isAtext(c) || (c == '.' && local.charAt(k - 1) != '.');
    }
    return dotAtom ? local : quote(local);
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.append('"').toString();
  }

  // RFC 5322 §3.2.3 atext, plus RFC 6532 §3.2 UTF8-non-ascii
  private static boolean isAtext(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0
        || c > 0x7f;
  }

  /** One pass over the tokens; each token is looked at a bounded number of times. */
  private static final class Parser {
    private final List<Token> t;
    private final List<AddressEntry> out = new ArrayList<>();
    private String groupName; // non-null inside a group
    private List<Mailbox> members;
    private int i;

    Parser(List<Token> tokens) {
      this.t = tokens;
    }

    List<AddressEntry> list() {
      while (i < t.size()) {
        Token tok = t.get(i);
        if (tok.is(',') || tok.is('>')) {
          i++;
          continue;
        }
        if (tok.is(';')) {
          closeGroup();
          i++;
          continue;
        }
        int start = i;
        while (i < t.size() && !separator(t.get(i)) && !t.get(i).is(':') && !t.get(i).is('<')) {
          i++;
        }
        if (i < t.size() && t.get(i).is(':')) {
          closeGroup(); // RFC 5322 §3.4: groups do not nest; a new one ends the previous
          groupName = name(start, i);
          members = new ArrayList<>();
          i++;
        } else if (i < t.size() && t.get(i).is('<')) {
          i++;
          angle(name(start, i - 1));
        } else {
          bare(start, i);
        }
      }
      closeGroup();
      return List.copyOf(out);
    }

    private static boolean separator(Token tok) {
      return tok.is(',') || tok.is(';');
    }

    private static boolean word(Token tok) {
      return tok.kind() == Kind.ATOM || tok.kind() == Kind.QUOTED;
    }

    private void closeGroup() {
      if (groupName != null) {
        out.add(new Group(groupName, members));
        groupName = null;
      }
    }

    private void emit(String name, String local, String domain) {
      if (name.isEmpty() && local.isEmpty() && domain.isEmpty()) {
        return;
      }
      Mailbox m = new Mailbox(name, Charsets.decodeOctets(local), Charsets.decodeOctets(domain));
      if (groupName != null) {
        members.add(m);
      } else {
        out.add(m);
      }
    }

    private String name(int from, int to) {
      return EncodedWords.decode(AddressTokens.phraseText(t.subList(from, to), false)).strip();
    }

    /** The first non-blank comment at {@code i} and after, consumed; "" when none. */
    private String trailingComment() {
      String found = "";
      while (i < t.size() && t.get(i).kind() == Kind.COMMENT) {
        if (found.isEmpty()) {
          found = EncodedWords.decode(t.get(i).text()).strip();
        }
        i++;
      }
      return found;
    }

    /**
     * After '<': [obs-route ':'] addr-spec '>' (RFC 5322 §3.4, §4.4). Without a '>' before the next
     * '<', the address ends at the next ',', ';' or '<'.
     */
    private void angle(String name) {
      int close = i;
      while (close < t.size() && !t.get(close).is('>') && !t.get(close).is('<')) {
        close++;
      }
      boolean closed = close < t.size() && t.get(close).is('>');
      boolean route = i < t.size() && t.get(i).is('@');
      int specStart = i;
      while (i < close && (closed || route || !separator(t.get(i)))) {
        if (route && t.get(i).is(':')) {
          route = false;
          specStart = i + 1;
        }
        i++;
      }
      if (route) {
        specStart = i; // a route without ':': no address in it
      }
      int specEnd = i;
      int at = -1;
      for (int k = specStart; k < specEnd && at < 0; k++) {
        at = t.get(k).is('@') ? k : -1;
      }
      if (closed) {
        i = close + 1;
      } else if (at >= 0) {
        specEnd = domainEnd(at + 1, specEnd); // unclosed: the domain ends as a bare one does
        i = specEnd;
      }
      String comment = trailingComment();
      String local = at < 0 ? text(specStart, specEnd) : text(specStart, at);
      String domain = at < 0 ? "" : text(at + 1, specEnd);
      emit(name.isEmpty() ? comment : name, local, domain);
      // a missing comma: go on only if an address follows before the next separator
      int k = i;
      boolean more = false;
      while (k < t.size() && !separator(t.get(k)) && !more) {
        more = t.get(k).is('@') || t.get(k).is('<');
        k++;
      }
      if (!more) {
        i = k;
      }
    }

    /**
     * Tokens without ',' ';' ':' '<': addr-specs, each with the words before its local part as a
     * name (missing commas), or one bare local part when there is no '@'.
     */
    private void bare(int from, int to) {
      int floor = from;
      boolean any = false;
      for (int at = from; at < to; at++) {
        if (!t.get(at).is('@')) {
          continue;
        }
        int localStart = localStart(floor, at);
        int domainEnd = domainEnd(at + 1, to);
        int save = i;
        i = domainEnd;
        String comment = trailingComment();
        int after = i;
        i = save;
        String name = name(floor, localStart);
        emit(name.isEmpty() ? comment : name, text(localStart, at), text(at + 1, domainEnd));
        any = true;
        floor = after;
        at = after - 1;
      }
      String words = AddressTokens.phraseText(t.subList(from, to), false);
      if (!any && words.indexOf(' ') >= 0) {
        emit(name(from, to), "", ""); // "To: Mary Smith": a name, no address
      } else if (!any && !words.isEmpty()) {
        emit("", words, ""); // "To: postmaster"
      }
    }

    /** Start of the obs-local-part (word *("." word), CFWS allowed) that ends before '@'. */
    private int localStart(int floor, int at) {
      int k = at;
      boolean needWord = true; // walking back: a word, then optionally '.', and so on
      int start = at;
      while (k > floor) {
        Token prev = t.get(k - 1);
        if (prev.kind() == Kind.COMMENT) {
          k--;
        } else if (needWord && (word(prev) || prev.kind() == Kind.DOMAIN_LITERAL)) {
          start = --k;
          needWord = false;
        } else if (prev.is('.')) {
          start = --k;
          needWord = true;
        } else {
          break;
        }
      }
      return start;
    }

    /** End of the domain (atoms and literals joined by '.', CFWS allowed) starting at from. */
    private int domainEnd(int from, int to) {
      int k = from;
      boolean needLabel = true;
      int end = from;
      while (k < to) {
        Token tok = t.get(k);
        if (tok.kind() == Kind.COMMENT) {
          k++;
        } else if (needLabel && tok.kind() != Kind.SPECIAL) {
          end = ++k;
          needLabel = false;
        } else if (tok.is('.') || (tok.is('@') && !tok.spaceBefore())) {
          // a second '@' ("a@b@c.example", seen in spam) stays in the domain
          end = ++k;
          needLabel = true;
        } else {
          break;
        }
      }
      return end;
    }

    /** Local part or domain text: words, literals and specials as written, CFWS dropped. */
    private String text(int from, int to) {
      StringBuilder sb = new StringBuilder();
      for (int k = from; k < to; k++) {
        Token tok = t.get(k);
        switch (tok.kind()) {
          case ATOM, QUOTED -> sb.append(tok.text());
          case DOMAIN_LITERAL -> sb.append('[').append(tok.text()).append(']');
          case SPECIAL -> sb.append(tok.text());
          case COMMENT -> {}
        }
      }
      return sb.toString();
    }
  }
}
