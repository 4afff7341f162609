package org.carbonio.imap.pop3.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One POP3 command (RFC 1939 §§4-7, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH), parsed from one
 * line by {@link #parse}. A line that is not a valid command is an {@link Unknown} or {@link
 * Invalid} value, never an exception.
 *
 * <p>Immutable.
 */
public sealed interface Pop3Command {

  /** RFC 1939 §7 USER name. */
  record User(String name) implements Pop3Command {
    public User {
      requireNonNull(name, "name");
    }
  }

  /** RFC 1939 §7 PASS string (the rest of the line: it may contain spaces). */
  record Pass(String password) implements Pop3Command {
    public Pass {
      requireNonNull(password, "password");
    }

    @Override
    public String toString() {
      return "Pass[***]";
    }
  }

  /** RFC 1939 §5 STAT. */
  record Stat() implements Pop3Command {}

  /** RFC 1939 §5 LIST [msg]. */
  record List(OptionalInt message) implements Pop3Command {}

  /** RFC 1939 §5 RETR msg. */
  record Retr(int message) implements Pop3Command {}

  /** RFC 1939 §5 DELE msg. */
  record Dele(int message) implements Pop3Command {}

  /** RFC 1939 §5 NOOP. */
  record Noop() implements Pop3Command {}

  /** RFC 1939 §5 RSET. */
  record Rset() implements Pop3Command {}

  /** RFC 1939 §§4, 6 QUIT. */
  record Quit() implements Pop3Command {}

  /** RFC 1939 §7 TOP msg n. */
  record Top(int message, int lines) implements Pop3Command {}

  /** RFC 1939 §7 UIDL [msg]. */
  record Uidl(OptionalInt message) implements Pop3Command {}

  /** RFC 2449 §5 CAPA. */
  record Capa() implements Pop3Command {}

  /** RFC 2595 §4 STLS. */
  record Stls() implements Pop3Command {}

  /**
   * RFC 5034 §4 AUTH mechanism [initial-response]; without a mechanism, the pre-RFC 5034 form that
   * lists the mechanisms (what many clients send to probe).
   */
  record Auth(Optional<String> mechanism, Optional<String> initialResponse) implements Pop3Command {
    public Auth {
      requireNonNull(mechanism, "mechanism");
      requireNonNull(initialResponse, "initialResponse");
    }

    @Override
    public String toString() {
      return "Auth[" + mechanism.orElse("") + (initialResponse.isPresent() ? " ***]" : "]");
    }
  }

  /** A line sent during a SASL exchange (RFC 5034 §4): base64, or {@code *} to cancel. */
  record SaslResponse(String line) implements Pop3Command {
    public SaslResponse {
      requireNonNull(line, "line");
    }

    @Override
    public String toString() {
      return "SaslResponse[***]";
    }
  }

  /** A command this server does not know (APOP included: it needs plaintext passwords). */
  record Unknown(String verb) implements Pop3Command {
    public Unknown {
      requireNonNull(verb, "verb");
    }
  }

  /** A known command with arguments that do not parse; {@code reason} is the reply text. */
  record Invalid(String verb, String reason) implements Pop3Command {
    public Invalid {
      requireNonNull(verb, "verb");
      requireNonNull(reason, "reason");
    }
  }

  /** Largest message number or line count accepted; larger numbers are {@link Invalid}. */
  int MAX_NUMBER = Integer.MAX_VALUE;

  /**
   * Parses one command line (without its line end). Keywords are case-insensitive (RFC 1939 §3);
   * arguments are separated by single spaces, lenient about repeated spaces.
   */
  static Pop3Command parse(String line) {
    requireNonNull(line, "line");
    int sp = line.indexOf(' ');
    String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    String rest = sp < 0 ? "" : line.substring(sp + 1);
    String[] args = rest.isBlank() ? new String[0] : rest.strip().split(" +");
    return switch (verb) {
      case "USER" ->
          rest.isEmpty() || rest.isBlank()
              ? new Invalid(verb, "USER needs a name")
              : new User(rest.strip());
      // RFC 1939 §7: spaces may be part of the password
      case "PASS" -> rest.isEmpty() ? new Invalid(verb, "PASS needs a password") : new Pass(rest);
      case "STAT" -> noArgs(verb, args, new Stat());
      case "NOOP" -> noArgs(verb, args, new Noop());
      case "RSET" -> noArgs(verb, args, new Rset());
      case "QUIT" -> noArgs(verb, args, new Quit());
      case "CAPA" -> noArgs(verb, args, new Capa());
      case "STLS" -> noArgs(verb, args, new Stls());
      case "LIST", "UIDL" -> {
        if (args.length > 1) yield new Invalid(verb, verb + " takes at most one argument");
        if (args.length == 0) {
          yield verb.equals("LIST") ? new List(OptionalInt.empty()) : new Uidl(OptionalInt.empty());
        }
        int n = number(args[0]);
        if (n < 1) yield new Invalid(verb, "invalid message number");
        yield verb.equals("LIST") ? new List(OptionalInt.of(n)) : new Uidl(OptionalInt.of(n));
      }
      case "RETR", "DELE" -> {
        if (args.length != 1) yield new Invalid(verb, verb + " needs one message number");
        int n = number(args[0]);
        if (n < 1) yield new Invalid(verb, "invalid message number");
        yield verb.equals("RETR") ? new Retr(n) : new Dele(n);
      }
      case "TOP" -> {
        if (args.length != 2) yield new Invalid(verb, "TOP needs a message number and a count");
        int n = number(args[0]);
        int lines = number(args[1]);
        if (n < 1) yield new Invalid(verb, "invalid message number");
        if (lines < 0) yield new Invalid(verb, "invalid line count");
        yield new Top(n, lines);
      }
      case "AUTH" -> {
        if (args.length > 2) yield new Invalid(verb, "AUTH takes a mechanism and a response");
        yield new Auth(
            args.length > 0
                ? Optional.of(args[0].toUpperCase(Locale.ROOT))
                : Optional.<String>empty(),
            args.length > 1 ? Optional.of(args[1]) : Optional.<String>empty());
      }
      default -> new Unknown(verb.length() > 40 ? verb.substring(0, 40) : verb);
    };
  }

  private static Pop3Command noArgs(String verb, String[] args, Pop3Command command) {
    return args.length == 0 ? command : new Invalid(verb, verb + " takes no argument");
  }

  /** A decimal number from 0 to {@link #MAX_NUMBER}, or -1. */
  private static int number(String s) {
    if (s.isEmpty() || s.length() > 10) return -1;
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v > MAX_NUMBER ? -1 : (int) v;
  }
}
