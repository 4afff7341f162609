package org.carbonio.mime;

/**
 * A tiny validator for IMAP s-expressions (RFC 3501 §4): atoms, NIL, numbers, quoted strings,
 * literals and nested parenthesized lists. Not thread-safe.
 */
final class ImapSyntax {

  private final String s;
  private int pos;

  private ImapSyntax(String s) {
    this.s = s;
  }

  /** Null when {@code s} is exactly one well-formed parenthesized list, else the problem. */
  static String check(String s) {
    ImapSyntax p = new ImapSyntax(s);
    try {
      if (s.isEmpty() || s.charAt(0) != '(') {
        return "does not start with (";
      }
      p.list();
      if (p.pos != s.length()) {
        return "trailing data at " + p.pos;
      }
      return null;
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  private void list() {
    expect('(');
    boolean first = true;
    while (true) {
      if (pos >= s.length()) {
        throw new IllegalStateException("unterminated list");
      }
      char c = s.charAt(pos);
      if (c == ')') {
        pos++;
        return;
      }
      if (!first && c == ' ') {
        pos++;
      } else if (!first && !(c == '(' && s.charAt(pos - 1) == ')')) {
        throw new IllegalStateException("missing space at " + pos);
      }
      first = false;
      value();
    }
  }

  private void value() {
    char c = peek();
    if (c == '(') {
      list();
    } else if (c == '"') {
      quoted();
    } else if (c == '{') {
      literal();
    } else {
      atom();
    }
  }

  private void quoted() {
    expect('"');
    while (true) {
      char c = peek();
      pos++;
      if (c == '"') {
        return;
      }
      if (c == '\\') {
        char e = peek();
        if (e != '"' && e != '\\') {
          throw new IllegalStateException("bad escape at " + pos);
        }
        pos++;
      } else if (c == '\r' || c == '\n' || c == 0 || c > 0x7f) {
        throw new IllegalStateException("bad char in quoted string at " + pos);
      }
    }
  }

  private void literal() {
    expect('{');
    int start = pos;
    while (Character.isDigit(peek())) {
      pos++;
    }
    if (start == pos) {
      throw new IllegalStateException("literal without length at " + pos);
    }
    int n = Integer.parseInt(s.substring(start, pos));
    expect('}');
    expect('\r');
    expect('\n');
    if (pos + n > s.length()) {
      throw new IllegalStateException("literal overruns at " + pos);
    }
    for (int i = pos; i < pos + n; i++) {
      if (s.charAt(i) == 0 || s.charAt(i) > 0xff) {
        throw new IllegalStateException("bad char in literal at " + i);
      }
    }
    pos += n;
  }

  private void atom() {
    int start = pos;
    while (pos < s.length() && "() {\"\\%*]\r\n".indexOf(s.charAt(pos)) < 0) {
      char c = s.charAt(pos);
      if (c <= ' ' || c > 0x7e) {
        throw new IllegalStateException("bad atom char at " + pos);
      }
      pos++;
    }
    if (start == pos) {
      throw new IllegalStateException("empty atom at " + pos);
    }
  }

  private char peek() {
    if (pos >= s.length()) {
      throw new IllegalStateException("unexpected end");
    }
    return s.charAt(pos);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw new IllegalStateException("expected " + c + " at " + pos);
    }
    pos++;
  }
}
