package org.carbonio.mime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed IMAP response value (RFC 3501 §4): NIL, an atom or number, a string (quoted or literal
 * alike) or a parenthesized list. Immutable.
 */
sealed interface ImapValue {

  record Nil() implements ImapValue {
    @Override
    public String toString() {
      return "NIL";
    }
  }

  record Atom(String text) implements ImapValue {
    @Override
    public String toString() {
      return text;
    }
  }

  record Str(String text) implements ImapValue {
    @Override
    public String toString() {
      return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
  }

  record Lst(List<ImapValue> items) implements ImapValue {
    public Lst {
      items = List.copyOf(items);
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("(");
      for (int i = 0; i < items.size(); i++) {
        b.append(i == 0 ? "" : " ").append(items.get(i));
      }
      return b.append(')').toString();
    }
  }

  /** Parses one value at the start of {@code s} (one char per octet). */
  static ImapValue parse(String s) {
    return new Reader(s).value();
  }

  /** Parses the values of one FETCH response ({@code * n FETCH (k v k v ...)}) into its list. */
  static Lst fetchItems(String response) {
    int at = response.toUpperCase(Locale.ROOT).indexOf(" FETCH (");
    if (at < 0) {
      throw new IllegalArgumentException("not a FETCH response: " + response);
    }
    return (Lst) new Reader(response.substring(at + 7)).value();
  }

  /** A recursive-descent reader over one response. Not thread-safe. */
  final class Reader {
    private final String s;
    private int i;

    Reader(String s) {
      this.s = s;
    }

    ImapValue value() {
      while (i < s.length() && s.charAt(i) == ' ') {
        i++;
      }
      char c = s.charAt(i);
      if (c == '(') {
        i++;
        List<ImapValue> items = new ArrayList<>();
        while (true) {
          while (s.charAt(i) == ' ') {
            i++;
          }
          if (s.charAt(i) == ')') {
            i++;
            return new Lst(items);
          }
          items.add(value());
        }
      }
      if (c == '"') {
        StringBuilder b = new StringBuilder();
        i++;
        while (s.charAt(i) != '"') {
          if (s.charAt(i) == '\\') {
            i++;
          }
          b.append(s.charAt(i++));
        }
        i++;
        return new Str(b.toString());
      }
      if (c == '{') {
        int close = s.indexOf('}', i);
        int n = Integer.parseInt(s.substring(i + 1, close).replace("+", ""));
        int start = close + 3; // }CRLF
        i = start + n;
        return new Str(s.substring(start, start + n));
      }
      int start = i;
      while (i < s.length() && " ()".indexOf(s.charAt(i)) < 0) {
        i++;
      }
      String atom = s.substring(start, i);
      return atom.equalsIgnoreCase("NIL") ? new Nil() : new Atom(atom);
    }
  }
}
