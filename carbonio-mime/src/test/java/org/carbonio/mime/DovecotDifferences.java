package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.carbonio.mime.ImapValue.Lst;
import org.carbonio.mime.ImapValue.Nil;
import org.carbonio.mime.ImapValue.Str;

/**
 * The known, deliberate differences between our BODYSTRUCTURE/ENVELOPE and Dovecot 2.3's, each a
 * rule that rewrites both sides so that they agree where (and only where) the difference is the
 * documented one. Listed in the module README, "Differences from Dovecot 2.3". Thread-safe
 * (stateless).
 */
enum DovecotDifferences {
  /** RFC 2046 §4.1.2: charset values are case-insensitive; we keep the value as sent. */
  CHARSET_CASE,
  /**
   * RFC 5322 §2.2.3: unfolding removes only the CRLF, §3.2.4: a quoted-string keeps its blanks; we
   * report header text so, Dovecot collapses runs of blanks into one space and trims names.
   */
  WHITESPACE,
  /**
   * RFC 5322 §3.6: Subject, From, To, Cc, Message-ID ... occur at most once; when a message repeats
   * one we report the first, Dovecot the last (strings) or all of them (address lists).
   */
  REPEATED_FIELD,
  /**
   * RFC 5322 §3.4.1: an invalid address has no defined reading and RFC 3501 §7.4.2 defines no
   * marker for one; we split at the first '@' (and read words without '@' as the local part), take
   * the angle address of {@code alice@example.com <bob@example.com>} and read on after the bad
   * text; Dovecot reports what it parsed up to the error (host "SYNTAX_ERROR", a name of its own,
   * or a value cut short), takes the first addr-spec, and drops the rest of the list. RFC 5322 §4.4
   * null list members ({@code To: , a@b}) are no address for us, an empty one for Dovecot.
   */
  INVALID_ADDRESS,
  /**
   * RFC 2045 §5.2: a syntactically invalid Content-Type means text/plain; charset=us-ascii; Dovecot
   * reports an empty type and subtype ("" "").
   */
  INVALID_CONTENT_TYPE,
  /**
   * RFC 2046 §5.1.1 (the boundary parameter is required) and RFC 2231 §4 (boundary* is that
   * parameter, encoded): Dovecot ignores boundary* and drops every parameter after an empty one
   * ("multipart/mixed;; boundary=..."), and lacking a boundary shows one empty text part (its body
   * bytes unreachable); we honour boundary*, skip the empty parameter (RFC 2045 §5.1 grammar, read
   * leniently), and without any boundary report the body as one opaque application/octet-stream
   * leaf.
   */
  MULTIPART_WITHOUT_BOUNDARY,
  /**
   * RFC 2046 §5.2.1: message/rfc822 allows only 7bit, 8bit or binary; a base64 or quoted-printable
   * one is not a parseable message in place (BODY[n.1] offsets would point into encoded text), so
   * we report it opaque as application/octet-stream, Dovecot parses the encoded text as a message.
   */
  ENCODED_MESSAGE,
  /**
   * RFC 2046 §5.1.1: the CRLF before a boundary belongs to the boundary; Dovecot counts it (2
   * octets, 1 line) in the size of a message/rfc822 part, though not in other parts.
   */
  MESSAGE_TRAILING_CRLF,
  /**
   * RFC 2046 §5.1.1: a boundary has at most 70 characters; for a longer (invalid) one Dovecot
   * compares only the first 70, so nested boundaries sharing those collapse into one; we compare
   * the whole boundary.
   */
  LONG_BOUNDARY,
  /**
   * RFC 2045 §5.1: a value with tspecials or blanks must be quoted; when a sender forgot the quotes
   * ({@code name=This is a test.txt}, {@code boundary=----=_NextPart_...}) Dovecot cuts the value
   * at the first such character, we take it up to the next ';' as the sender meant it.
   */
  UNQUOTED_PARAMETER_VALUE,
  /**
   * RFC 2183 §2: the disposition type is required; for an empty Content-Disposition we report no
   * disposition (NIL), Dovecot an empty type {@code ("" NIL)}.
   */
  EMPTY_DISPOSITION,
  /**
   * RFC 2045 §4 asks senders for MIME-Version but gives the Content-* fields of a message without
   * it no other meaning; we honour all of them, Dovecot only Content-Type (it reports 7bit and no
   * disposition, id, description ... for the top-level part).
   */
  NO_MIME_VERSION,
  /**
   * RFC 2045 §6.1: the mechanism is one token; for {@code quoted-printable;} (a stray ';' and
   * nothing after it) we use the mechanism so that clients decode the part, Dovecot reports the
   * field invalid (7bit).
   */
  ENCODING_WITH_TRAILER,
  /**
   * RFC 6532 §3.7 and RFC 9051 §7.5.2: message/global is a message like message/rfc822, with an
   * envelope and body in BODYSTRUCTURE; Dovecot 2.3 reports it as a plain leaf.
   */
  MESSAGE_GLOBAL,
  /**
   * RFC 2045 §5.1 names parameters, and RFC 2231 §4 makes charset* the charset: we report each name
   * once (the first), in the sender's order, and add no default charset beside a charset*; Dovecot
   * repeats duplicated names, lists name* parameters after plain ones, and adds {@code "charset"
   * "us-ascii"} to a top-level text part that has only charset*.
   */
  PARAMETER_LIST,
  /**
   * RFC 2045 §5.1: a quoted-string ends with a quote; when it does not ({@code name="Outlook-Icon}
   * at the end of the field) we keep the text to the end of the field, Dovecot drops the parameter.
   */
  UNTERMINATED_QUOTE;

  private static final Pattern TRAILER =
      Pattern.compile("(?im)^content-transfer-encoding:[ \t]*[a-z0-9-]+[ \t]*;");
  private static final Pattern BLANKS = Pattern.compile("[ \t]+");
  private static final String[] ENVELOPE_FIELDS = {
    "date", "subject", "from", "sender", "reply-to", "to", "cc", "bcc", "in-reply-to", "message-id"
  };

  /**
   * Rewrites both top-level BODYSTRUCTUREs of {@code message} with its top-level {@code header};
   * returns {ours, theirs}.
   */
  ImapValue[] body(ImapValue ours, ImapValue theirs, byte[] header, byte[] message) {
    if (this == ENCODING_WITH_TRAILER && TRAILER.matcher(new String(message, ISO_8859_1)).find()) {
      return new ImapValue[] {ours, encodingsOf(ours, theirs)};
    }
    if (this == REPEATED_FIELD && repeatsInSomeHeader(message, "content-disposition")) {
      // Dovecot takes a part's last Content-Disposition, we the first
      return new ImapValue[] {withoutDispositions(ours), withoutDispositions(theirs)};
    }
    if (this == NO_MIME_VERSION
        && occurrences(header, "mime-version") == 0
        && ours instanceof Lst o
        && theirs instanceof Lst t
        && !(o.items().isEmpty() || o.items().get(0) instanceof Lst)
        && o.items().size() == t.items().size()) {
      List<ImapValue> b = new ArrayList<>(t.items());
      for (int i = 3; i < b.size(); i++) {
        if (i != 6) { // all but type, subtype, parameters and size
          b.set(i, o.items().get(i));
        }
      }
      return new ImapValue[] {ours, new Lst(b)};
    }
    return body(ours, theirs);
  }

  /** Rewrites both BODYSTRUCTUREs; returns {ours, theirs}. */
  ImapValue[] body(ImapValue ours, ImapValue theirs) {
    if (!(ours instanceof Lst o) || !(theirs instanceof Lst t)) {
      return new ImapValue[] {ours, theirs};
    }
    List<ImapValue> a = new ArrayList<>(o.items());
    List<ImapValue> b = new ArrayList<>(t.items());
    if (a.isEmpty() || b.isEmpty()) {
      return new ImapValue[] {ours, theirs};
    }
    boolean multiA = a.get(0) instanceof Lst;
    boolean multiB = b.get(0) instanceof Lst;
    switch (this) {
      case INVALID_CONTENT_TYPE -> {
        if (!multiB && str(b, 1).isEmpty() && str(a, 0).equals("text")) {
          return new ImapValue[] {ours, ours};
        }
      }
      case MULTIPART_WITHOUT_BOUNDARY -> {
        boolean emptyText =
            multiB
                && b.size() > 1
                && !(b.get(1) instanceof Lst)
                && b.get(0) instanceof Lst c
                && c.items().size() > 6
                && str(c.items(), 0).equals("text")
                && c.items().get(6).toString().equals("0");
        if (emptyText && (!multiA || !params(b, 2).contains("boundary"))) {
          return new ImapValue[] {ours, ours};
        }
        // boundary="" is no boundary (RFC 2046 §5.1.1: 1 to 70 characters)
        if (multiB && !multiA && str(a, 0).equals("application") && boundary(b).isEmpty()) {
          return new ImapValue[] {ours, ours};
        }
      }
      case ENCODED_MESSAGE -> {
        if (!multiA
            && !multiB
            && str(b, 0).equals("message")
            && List.of("base64", "quoted-printable").contains(str(b, 5))
            && str(a, 0).equals("application")) {
          return new ImapValue[] {ours, ours};
        }
      }
      case MESSAGE_TRAILING_CRLF -> {
        if (!multiA && !multiB && str(a, 0).equals("message") && a.size() > 9 && b.size() > 9) {
          if (num(b, 6) == num(a, 6) + 2 && num(b, 9) == num(a, 9) + 1) {
            b.set(6, a.get(6));
            b.set(9, a.get(9));
          }
        } else if (!multiA && !multiB && str(a, 0).equals("application")) {
          if (str(b, 0).equals("message") && num(b, 6) == num(a, 6) + 2) {
            b.set(6, a.get(6)); // together with ENCODED_MESSAGE
          }
        }
      }
      case EMPTY_DISPOSITION -> {
        for (int i = 2; i < a.size() && i < b.size(); i++) {
          if (a.get(i) instanceof Nil
              && b.get(i) instanceof Lst d
              && d.items().size() == 2
              && d.items().get(0) instanceof Str empty
              && empty.text().isEmpty()) {
            b.set(i, a.get(i));
          }
        }
      }
      case MESSAGE_GLOBAL -> {
        if (!multiA && str(a, 0).equals("message") && str(a, 1).equals("global")) {
          return new ImapValue[] {ours, ours};
        }
      }
      case PARAMETER_LIST -> {
        int p = multiA ? boundaryIndex(a) + 1 : 2;
        if (multiA == multiB && p < a.size() && p < b.size()) {
          b.set(p, sameSet(a.get(p), b.get(p), !multiA && str(a, 0).equals("text")));
          int d = multiA ? p + 1 : str(a, 0).equals("text") ? 9 : 8;
          if (d < a.size()
              && d < b.size()
              && a.get(d) instanceof Lst da
              && b.get(d) instanceof Lst db
              && da.items().size() == 2
              && db.items().size() == 2) {
            b.set(
                d,
                new Lst(
                    List.of(
                        db.items().get(0), sameSet(da.items().get(1), db.items().get(1), false))));
          }
        }
      }
      case UNTERMINATED_QUOTE -> {
        if (!multiA && !multiB && a.get(2) instanceof Lst pa) {
          List<ImapValue> x = pa.items();
          ImapValue theirsParams = b.get(2);
          List<ImapValue> y = theirsParams instanceof Lst pb ? pb.items() : List.of();
          boolean dropped = y.size() < x.size() && x.subList(0, y.size()).equals(y);
          boolean charsetDropped =
              x.size() == y.size()
                  && x.size() >= 2
                  && str(x, 0).equals("charset")
                  && str(y, 0).equals("charset")
                  && str(y, 1).equals("us-ascii")
                  && str(x, 1).contains(" ");
          if (dropped || charsetDropped) {
            b.set(2, a.get(2));
          }
        }
      }
      case LONG_BOUNDARY -> {
        if (multiB && boundary(b).length() > 70) {
          return new ImapValue[] {ours, ours};
        }
      }
      case UNQUOTED_PARAMETER_VALUE -> {
        if (multiA && multiB && cutShort(boundary(b), boundary(a))) {
          return new ImapValue[] {ours, ours};
        }
      }
      default -> {}
    }
    if (multiA && multiB) {
      int i = 0;
      while (i < a.size() && i < b.size() && a.get(i) instanceof Lst && b.get(i) instanceof Lst) {
        ImapValue[] r = body(a.get(i), b.get(i));
        a.set(i, r[0]);
        b.set(i, r[1]);
        i++;
      }
      if (this == CHARSET_CASE) {
        charsetLower(a, i + 1);
        charsetLower(b, i + 1);
      }
      return new ImapValue[] {new Lst(a), new Lst(b)};
    }
    if (!multiA && !multiB) {
      if (this == WHITESPACE && a.size() > 4 && b.size() > 4) {
        a.set(4, squeeze(a.get(4)));
        b.set(4, squeeze(b.get(4)));
      }
      if (this == CHARSET_CASE) {
        charsetLower(a, 2);
        charsetLower(b, 2);
      }
      if (this == UNQUOTED_PARAMETER_VALUE) {
        uncut(a, b, 2);
        for (int d = 8; d <= 11 && d < a.size() && d < b.size(); d++) {
          if (a.get(d) instanceof Lst da && b.get(d) instanceof Lst db) {
            List<ImapValue> x = new ArrayList<>(da.items());
            List<ImapValue> y = new ArrayList<>(db.items());
            if (x.size() == 2 && y.size() == 2) {
              uncut(x, y, 1);
              b.set(d, new Lst(y));
            }
          }
        }
      }
      if (a.size() > 9 && b.size() > 9 && a.get(7) instanceof Lst && b.get(7) instanceof Lst) {
        ImapValue[] e = envelope(a.get(7), b.get(7), null);
        a.set(7, e[0]);
        b.set(7, e[1]);
        ImapValue[] r = body(a.get(8), b.get(8));
        a.set(8, r[0]);
        b.set(8, r[1]);
      }
    }
    return new ImapValue[] {new Lst(a), new Lst(b)};
  }

  /** Rewrites both ENVELOPEs; {@code header} is the message's header (null for nested ones). */
  ImapValue[] envelope(ImapValue ours, ImapValue theirs, byte[] header) {
    if (!(ours instanceof Lst o) || !(theirs instanceof Lst t)) {
      return new ImapValue[] {ours, theirs};
    }
    List<ImapValue> a = new ArrayList<>(o.items());
    List<ImapValue> b = new ArrayList<>(t.items());
    if (a.size() != 10 || b.size() != 10) {
      return new ImapValue[] {ours, theirs};
    }
    for (int i = 0; i < 10; i++) {
      boolean address = i >= 2 && i <= 7;
      switch (this) {
        case WHITESPACE -> {
          if (address) {
            a.set(i, addressNames(a.get(i)));
            b.set(i, addressNames(b.get(i)));
          } else {
            a.set(i, squeeze(a.get(i)));
            b.set(i, squeeze(b.get(i)));
          }
        }
        case REPEATED_FIELD -> {
          if (header != null && occurrences(header, ENVELOPE_FIELDS[i]) > 1) {
            a.set(i, new Nil());
            b.set(i, new Nil());
            if (i == 2) { // Sender and Reply-To default to From
              a.set(3, new Nil());
              b.set(3, new Nil());
              a.set(4, new Nil());
              b.set(4, new Nil());
            }
          }
        }
        case INVALID_ADDRESS -> {
          if (address && a.get(i) instanceof Lst la && b.get(i) instanceof Lst lb) {
            List<ImapValue> nonNull = new ArrayList<>(lb.items());
            nonNull.removeIf(
                x -> x.toString().equals("(NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")"));
            if (nonNull.size() == la.items().size()) {
              b.set(i, new Lst(nonNull));
            } else if (!lb.items().isEmpty()
                && lb.items().size() < la.items().size()
                && la.items()
                    .subList(0, lb.items().size() - 1)
                    .equals(lb.items().subList(0, lb.items().size() - 1))) {
              b.set(i, la); // Dovecot stopped at the error
            }
          }
          if (address
              && a.get(i) instanceof Lst la
              && b.get(i) instanceof Lst lb
              && la.items().size() == lb.items().size()) {
            List<ImapValue> x = new ArrayList<>(la.items());
            List<ImapValue> y = new ArrayList<>(lb.items());
            for (int k = 0; k < x.size(); k++) {
              if (x.get(k) instanceof Lst ax
                  && y.get(k) instanceof Lst by
                  && ax.items().size() == 4
                  && by.items().size() == 4
                  && (str(by.items(), 3).equals("syntax_error")
                      || str(by.items(), 2).equals("missing_mailbox")
                      || str(ax.items(), 3).contains("@")
                      || str(ax.items(), 0).contains("@")
                      || (str(by.items(), 3).equals("missing_domain")
                          && str(ax.items(), 3).endsWith("."))
                      || prefix(by.items(), ax.items(), 2)
                      || prefix(by.items(), ax.items(), 3))) {
                y.set(k, ax);
              }
            }
            a.set(i, new Lst(x));
            b.set(i, new Lst(y));
          }
        }
        default -> {}
      }
    }
    return new ImapValue[] {new Lst(a), new Lst(b)};
  }

  /** True when Dovecot's field {@code i} is a proper prefix of ours (it stopped at an error). */
  private static boolean prefix(List<ImapValue> theirs, List<ImapValue> ours, int i) {
    String t = str(theirs, i);
    String o = str(ours, i);
    return !t.isEmpty() && t.length() < o.length() && o.startsWith(t);
  }

  private static int occurrences(byte[] header, String name) {
    String h = new String(header, ISO_8859_1);
    return (int)
        Pattern.compile("(?im)^" + Pattern.quote(name) + "[ \t]*:").matcher(h).results().count();
  }

  private static ImapValue squeeze(ImapValue v) {
    return v instanceof Str s ? new Str(BLANKS.matcher(s.text()).replaceAll(" ").trim()) : v;
  }

  private static ImapValue addressNames(ImapValue v) {
    if (!(v instanceof Lst l)) {
      return v;
    }
    List<ImapValue> out = new ArrayList<>();
    for (ImapValue x : l.items()) {
      if (x instanceof Lst addr && addr.items().size() == 4) {
        List<ImapValue> y = new ArrayList<>(addr.items());
        y.set(0, squeeze(y.get(0)));
        out.add(new Lst(y));
      } else {
        out.add(x);
      }
    }
    return new Lst(out);
  }

  private static void charsetLower(List<ImapValue> part, int i) {
    if (i < part.size() && part.get(i) instanceof Lst p) {
      List<ImapValue> q = new ArrayList<>(p.items());
      for (int k = 0; k + 1 < q.size(); k += 2) {
        if (str(q, k).equals("charset") && q.get(k + 1) instanceof Str v) {
          q.set(k + 1, new Str(v.text().toLowerCase(Locale.ROOT)));
        }
      }
      part.set(i, new Lst(q));
    }
  }

  private static boolean repeatsInSomeHeader(byte[] message, String name) {
    for (String block : new String(message, ISO_8859_1).split("\r\n\r\n")) {
      if (occurrences(block.getBytes(ISO_8859_1), name) > 1) {
        return true;
      }
    }
    return false;
  }

  /** Dovecot's BODYSTRUCTURE with our encodings where it reports 7bit. */
  private static ImapValue encodingsOf(ImapValue ours, ImapValue theirs) {
    if (!(ours instanceof Lst o) || !(theirs instanceof Lst t) || o.items().isEmpty()) {
      return theirs;
    }
    List<ImapValue> y = new ArrayList<>(t.items());
    if (o.items().get(0) instanceof Lst) {
      for (int k = 0; k < Math.min(boundaryIndex(o.items()), y.size()); k++) {
        y.set(k, encodingsOf(o.items().get(k), y.get(k)));
      }
    } else if (y.size() > 5 && str(y, 5).equals("7bit")) {
      y.set(5, o.items().get(5));
    }
    return new Lst(y);
  }

  /** The BODYSTRUCTURE with every disposition set to NIL. */
  private static ImapValue withoutDispositions(ImapValue v) {
    if (!(v instanceof Lst l) || l.items().isEmpty()) {
      return v;
    }
    List<ImapValue> x = new ArrayList<>(l.items());
    int d;
    if (x.get(0) instanceof Lst) {
      int i = boundaryIndex(x);
      for (int k = 0; k < i; k++) {
        x.set(k, withoutDispositions(x.get(k)));
      }
      d = i + 2;
    } else if (str(x, 0).equals("text")) {
      d = 9;
    } else if (x.size() > 11 && x.get(7) instanceof Lst && x.get(8) instanceof Lst) {
      x.set(8, withoutDispositions(x.get(8)));
      d = 11;
    } else {
      d = 8;
    }
    if (d < x.size()) {
      x.set(d, new Nil());
    }
    return new Lst(x);
  }

  /** Index of the subtype of a multipart (the first item after the children). */
  private static int boundaryIndex(List<ImapValue> multipart) {
    int i = 0;
    while (i < multipart.size() && multipart.get(i) instanceof Lst) {
      i++;
    }
    return i;
  }

  /**
   * Dovecot's parameter list, replaced by ours when both hold the same pairs apart from order,
   * repetition, and a default charset beside charset*.
   */
  private static ImapValue sameSet(ImapValue ours, ImapValue theirs, boolean text) {
    if (!(ours instanceof Lst o) || !(theirs instanceof Lst t)) {
      return theirs;
    }
    java.util.Set<String> x = pairs(o.items());
    java.util.Set<String> y = pairs(t.items());
    if (text && x.contains("charset*") && !x.contains("charset")) {
      y.remove("charset");
      y.remove("charset=\"us-ascii\"");
    }
    return x.equals(y) ? ours : theirs;
  }

  private static java.util.Set<String> pairs(List<ImapValue> params) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (int k = 0; k + 1 < params.size(); k += 2) {
      out.add(str(params, k) + "=" + params.get(k + 1));
      out.add(str(params, k));
    }
    return out;
  }

  private static String boundary(List<ImapValue> multipart) {
    int i = boundaryIndex(multipart);
    if (i + 1 < multipart.size() && multipart.get(i + 1) instanceof Lst p) {
      for (int k = 0; k + 1 < p.items().size(); k += 2) {
        if (str(p.items(), k).equals("boundary") && p.items().get(k + 1) instanceof Str v) {
          return v.text();
        }
      }
    }
    return "";
  }

  /**
   * True when Dovecot's value is a proper prefix of ours: it stopped at a tspecial or blank, or at
   * a comment, which we drop ({@code name=Invoice_(123).pdf} is "Invoice_.pdf" for us, "Invoice_"
   * for Dovecot).
   */
  private static boolean cutShort(String theirs, String ours) {
    return theirs.length() < ours.length() && ours.startsWith(theirs);
  }

  /** Gives Dovecot's parameter list at {@code i} our value wherever it cut ours short. */
  private static void uncut(List<ImapValue> a, List<ImapValue> b, int i) {
    if (i < a.size() && i < b.size() && a.get(i) instanceof Lst pa && b.get(i) instanceof Lst pb) {
      List<ImapValue> x = pa.items();
      List<ImapValue> y = new ArrayList<>(pb.items());
      for (int k = 0; k + 1 < x.size() && k + 1 < y.size(); k += 2) {
        if (str(x, k).equals(str(y, k))
            && x.get(k + 1) instanceof Str vo
            && y.get(k + 1) instanceof Str vt
            && cutShort(vt.text(), vo.text())) {
          y.set(k + 1, vo);
        }
      }
      b.set(i, new Lst(y));
    }
  }

  private static List<String> params(List<ImapValue> part, int i) {
    List<String> names = new ArrayList<>();
    if (i < part.size() && part.get(i) instanceof Lst p) {
      for (int k = 0; k < p.items().size(); k += 2) {
        names.add(str(p.items(), k));
      }
    }
    return names;
  }

  /** The string at {@code i}, lower-cased, or "" when absent or not a string. */
  private static String str(List<ImapValue> v, int i) {
    return i < v.size() && v.get(i) instanceof Str s ? s.text().toLowerCase(Locale.ROOT) : "";
  }

  private static long num(List<ImapValue> v, int i) {
    try {
      return Long.parseLong(v.get(i).toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
