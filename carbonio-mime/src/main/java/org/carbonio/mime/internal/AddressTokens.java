package org.carbonio.mime.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The RFC 5322 §3.2 lexical tokens of an address header value (atoms, quoted strings, comments,
 * domain literals, specials), shared by {@link EnvelopeAddresses} (IMAP ENVELOPE) and {@code
 * org.carbonio.mime.MailAddresses}. Quoted strings and comments come unescaped; whitespace only
 * sets {@link Token#spaceBefore}. Linear in the input; never throws. Thread-safe (stateless).
 */
public final class AddressTokens {

  /** Token kinds. */
  public enum Kind {
    ATOM,
    QUOTED,
    COMMENT,
    DOMAIN_LITERAL,
    SPECIAL
  }

  /**
   * One token.
   *
   * @param kind its kind
   * @param text its text: unescaped content for quoted strings and comments, the content between
   *     the brackets for domain literals, the character for specials
   * @param spaceBefore whether whitespace preceded it
   */
  public record Token(Kind kind, String text, boolean spaceBefore) {
    /** Whether this is the special character {@code c}. */
    public boolean is(char c) {
      return kind == Kind.SPECIAL && text.charAt(0) == c;
    }
  }

  private static final String SPECIALS = "<>,;:@.";
  private static final String[] SPECIAL_TEXT = {"<", ">", ",", ";", ":", "@", "."};
  private static final boolean[] ENDS_ATOM = new boolean[128];

  static {
    for (char c : " \t\r\n\"(<>,;:@.[]".toCharArray()) {
      ENDS_ATOM[c] = true;
    }
  }

  private AddressTokens() {}

  private static boolean endsAtom(char c) {
    return c < 128 && ENDS_ATOM[c];
  }

  /** The tokens of {@code s} (a byte string or text). */
  public static List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    boolean space = false;
    while (i < n) {
      char c = s.charAt(i);
      int before = out.size();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        i++;
        space = true;
        continue;
      } else if (c == '"') {
        i++;
        int start = i;
        while (i < n && s.charAt(i) != '"' && s.charAt(i) != '\\') {
          i++;
        }
        String text;
        if (i == n || s.charAt(i) == '"') {
          text = s.substring(start, i); // no quoted-pair: the text as it stands
        } else {
          StringBuilder sb = new StringBuilder().append(s, start, i);
          while (i < n && s.charAt(i) != '"') {
            if (s.charAt(i) == '\\' && i + 1 < n) {
              i++;
            }
            sb.append(s.charAt(i));
            i++;
          }
          text = sb.toString();
        }
        i++;
        out.add(new Token(Kind.QUOTED, text, space));
      } else if (c == '(') {
        StringBuilder sb = new StringBuilder();
        int depth = 1;
        i++;
        while (i < n && depth > 0) {
          char d = s.charAt(i);
          if (d == '\\' && i + 1 < n) {
            sb.append(s.charAt(i + 1));
            i += 2;
            continue;
          }
          if (d == '(') {
            depth++;
          } else if (d == ')' && --depth == 0) {
            i++;
            break;
          }
          sb.append(d);
          i++;
        }
        out.add(new Token(Kind.COMMENT, sb.toString(), space));
      } else if (c == '[') {
        int close = s.indexOf(']', i + 1);
        int end = close < 0 ? n : close;
        out.add(new Token(Kind.DOMAIN_LITERAL, s.substring(i + 1, end), space));
        i = close < 0 ? n : close + 1;
      } else if (SPECIALS.indexOf(c) >= 0) {
        out.add(new Token(Kind.SPECIAL, SPECIAL_TEXT[SPECIALS.indexOf(c)], space));
        i++;
      } else {
        int start = i;
        while (i < n && !endsAtom(s.charAt(i))) {
          i++;
        }
        if (i == start) {
          i++; // a lone ')' or ']'
          continue;
        }
        out.add(new Token(Kind.ATOM, s.substring(start, i), space));
      }
      if (out.size() > before) {
        space = false;
      }
    }
    return out;
  }

  /**
   * A phrase's text: words joined by one space where the input had whitespace, comments dropped,
   * specials other than '.' and '@' dropped unless {@code keepSpecials}.
   */
  public static String phraseText(List<Token> phrase, boolean keepSpecials) {
    StringBuilder sb = new StringBuilder();
    for (Token t : phrase) {
      if (t.kind == Kind.COMMENT) {
        continue;
      }
      // an unquoted '@' in a display name (alice@example.com <bob@example.com>) is kept, since
      // dropping it would show the reader a name the sender never wrote (not valid in an RFC 5322
      // §3.2.5 phrase, but the best reading of it)
      if (t.kind == Kind.SPECIAL && !keepSpecials && !t.is('.') && !t.is('@')) {
        continue;
      }
      if (!sb.isEmpty() && t.spaceBefore) {
        sb.append(' ');
      }
      sb.append(t.kind == Kind.DOMAIN_LITERAL ? "[" + t.text + "]" : t.text);
    }
    return sb.toString();
  }
}
