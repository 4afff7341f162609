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
   * marker for one; we split at the first '@' (and read words without '@' as the local part),
   * Dovecot reports what it parsed up to the error with host "SYNTAX_ERROR", a name of its own.
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
  UNQUOTED_PARAMETER_VALUE;

  private static final String TSPECIALS_AND_BLANKS = " \t()<>@,;:\\\"/[]?=";

  private static final Pattern BLANKS = Pattern.compile("[ \t]+");
  private static final String[] ENVELOPE_FIELDS = {
    "date", "subject", "from", "sender", "reply-to", "to", "cc", "bcc", "in-reply-to", "message-id"
  };

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
        if (!multiB && str(b, 0).isEmpty() && str(b, 1).isEmpty() && str(a, 0).equals("text")) {
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
                      || str(ax.items(), 3).contains("@"))) {
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

  private static String boundary(List<ImapValue> multipart) {
    int i = 0;
    while (i < multipart.size() && multipart.get(i) instanceof Lst) {
      i++;
    }
    if (i + 1 < multipart.size() && multipart.get(i + 1) instanceof Lst p) {
      for (int k = 0; k + 1 < p.items().size(); k += 2) {
        if (str(p.items(), k).equals("boundary") && p.items().get(k + 1) instanceof Str v) {
          return v.text();
        }
      }
    }
    return "";
  }

  /** True when Dovecot's value is ours cut at a tspecial or blank. */
  private static boolean cutShort(String theirs, String ours) {
    return theirs.length() < ours.length()
        && ours.startsWith(theirs)
        && TSPECIALS_AND_BLANKS.indexOf(ours.charAt(theirs.length())) >= 0;
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
