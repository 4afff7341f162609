package org.carbonio.smtp.protocol;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.carbonio.smtp.Compliance;

/** Second decoding phase: one framed command line to a typed command. Stateless. */
final class CommandParser {

  private CommandParser() {}

  // RFC 5321 §4.5.3.1: local-part 64, domain 255, path 256 octets including "<>"
  private static final int MAX_LOCAL_PART = 64;
  private static final int MAX_DOMAIN = 255;
  private static final int MAX_PATH = 254;

  static Decoded parse(byte[] bytes, int length, Compliance compliance, boolean moreInput) {
    // ISO-8859-1 maps every byte to one char, so nothing fails and non-ASCII stays visible
    String line = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    if (compliance == Compliance.STRICT && line.indexOf('\r') >= 0) {
      return bad(SmtpReplies.BARE_LINE_BREAK_COMMAND);
    }
    int space = line.indexOf(' ');
    String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    String arg = space < 0 ? "" : line.substring(space + 1);
    if (compliance == Compliance.LENIENT) {
      arg = arg.strip();
    }
    try {
      return switch (verb) {
        case "" -> bad(SmtpReplies.SYNTAX_ERROR);
        case "HELO" -> hello(arg, compliance, "HELO hostname", SmtpCommand.Helo::new);
        case "EHLO" -> hello(arg, compliance, "EHLO hostname", SmtpCommand.Ehlo::new);
        case "LHLO" -> hello(arg, compliance, "LHLO hostname", SmtpCommand.Lhlo::new);
        case "MAIL" -> mail(arg, compliance);
        case "RCPT" -> rcpt(arg, compliance);
        case "DATA" -> noArgument(arg, "DATA", new SmtpCommand.Data());
        case "RSET" -> noArgument(arg, "RSET", new SmtpCommand.Rset());
        case "QUIT" -> noArgument(arg, "QUIT", new SmtpCommand.Quit());
        case "STARTTLS" -> noArgument(arg, "STARTTLS", new SmtpCommand.StartTls(moreInput));
        case "NOOP" -> command(new SmtpCommand.Noop()); // RFC 5321 §4.1.1.9: argument ignored
        case "HELP" -> command(new SmtpCommand.Help(arg));
        case "VRFY" ->
            arg.isEmpty()
                ? bad(SmtpReplies.syntax("VRFY address"))
                : command(new SmtpCommand.Vrfy(arg));
        case "EXPN", "TURN", "ETRN", "ATRN", "AUTH", "BDAT", "SEND", "SOML", "SAML", "VERB" ->
            bad(SmtpReplies.NOT_IMPLEMENTED);
        default -> bad(SmtpReplies.UNRECOGNIZED);
      };
    } catch (Refusal r) {
      return bad(r.reply);
    }
  }

  /** A syntax problem found deep in an argument: unwinds to {@link #parse} with its reply. */
  private static final class Refusal extends Exception {
    final transient SmtpReply reply;

    Refusal(SmtpReply reply) {
      super(null, null, false, false);
      this.reply = reply;
    }
  }

  private static Decoded command(SmtpCommand c) {
    return new Decoded.Command(c);
  }

  private static Decoded bad(SmtpReply r) {
    return new Decoded.Bad(r);
  }

  private static Decoded noArgument(String arg, String usage, SmtpCommand c) {
    return arg.isEmpty() ? command(c) : bad(SmtpReplies.syntax(usage));
  }

  private static Decoded hello(
      String arg,
      Compliance compliance,
      String usage,
      java.util.function.Function<String, SmtpCommand> make) {
    String name = arg;
    if (compliance == Compliance.LENIENT) {
      int sp = name.indexOf(' ');
      if (sp >= 0) {
        name = name.substring(0, sp); // some clients append text after the name
      }
    }
    if (name.isEmpty() || name.length() > MAX_DOMAIN || !printableAscii(name)) {
      return bad(SmtpReplies.syntax(usage));
    }
    if (compliance == Compliance.STRICT && !isDomain(name) && !isAddressLiteral(name)) {
      return bad(SmtpReplies.syntax(usage));
    }
    return command(make.apply(name));
  }

  private static Decoded mail(String arg, Compliance compliance) throws Refusal {
    String rest = afterPrefix(arg, "FROM:", compliance);
    if (rest == null) {
      return bad(SmtpReplies.syntax("MAIL FROM:<address>"));
    }
    Parsed p = path(rest, compliance, true);
    Map<String, String> map = parameters(p.rest);
    OptionalLong size = OptionalLong.empty();
    String sizeValue = map.remove("SIZE");
    if (sizeValue != null) {
      // RFC 1870 §3: size-value ::= 1*20DIGIT
      if (sizeValue.isEmpty() || sizeValue.length() > 18 || !digits(sizeValue)) {
        return bad(SmtpReplies.badParameter("SIZE"));
      }
      size = OptionalLong.of(Long.parseLong(sizeValue));
    }
    BodyType body = BodyType.UNSPECIFIED;
    String bodyValue = map.remove("BODY");
    if (bodyValue != null) {
      // RFC 6152 §2
      switch (bodyValue.toUpperCase(Locale.ROOT)) {
        case "7BIT" -> body = BodyType.SEVEN_BIT;
        case "8BITMIME" -> body = BodyType.EIGHT_BIT_MIME;
        default -> {
          return bad(SmtpReplies.badParameter("BODY"));
        }
      }
    }
    return command(new SmtpCommand.Mail(p.address, size, body, map));
  }

  private static Decoded rcpt(String arg, Compliance compliance) throws Refusal {
    String rest = afterPrefix(arg, "TO:", compliance);
    if (rest == null) {
      return bad(SmtpReplies.syntax("RCPT TO:<address>"));
    }
    Parsed p = path(rest, compliance, false);
    Map<String, String> map = parameters(p.rest);
    return command(new SmtpCommand.Rcpt(p.address, map));
  }

  private static String afterPrefix(String arg, String prefix, Compliance compliance) {
    if (!arg.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return null;
    }
    String rest = arg.substring(prefix.length());
    if (compliance == Compliance.LENIENT) {
      rest = rest.stripLeading(); // "MAIL FROM: <a@b>" (common, RFC 5321 §4.1.1.2 has no space)
    }
    return rest;
  }

  private record Parsed(String address, String rest) {}

  /** The path and what follows it, or a refusal with the reply to send. */
  private static Parsed path(String s, Compliance compliance, boolean sender) throws Refusal {
    String inner;
    String rest;
    if (s.startsWith("<")) {
      int end = closingBracket(s);
      if (end < 0) {
        throw invalid(sender, "missing >");
      }
      inner = s.substring(1, end);
      rest = s.substring(end + 1);
      if (!rest.isEmpty() && rest.charAt(0) != ' ') {
        throw invalid(sender, "text after >");
      }
    } else if (compliance == Compliance.LENIENT && !s.isEmpty()) {
      int sp = s.indexOf(' ');
      inner = sp < 0 ? s : s.substring(0, sp);
      rest = sp < 0 ? "" : s.substring(sp);
    } else {
      throw invalid(sender, "missing <");
    }
    if (inner.startsWith("@")) {
      // RFC 5321 §4.1.1.3 and Appendix C: accept and ignore a source route
      int colon = inner.indexOf(':');
      if (colon < 0) {
        throw invalid(sender, "bad source route");
      }
      inner = inner.substring(colon + 1);
    }
    for (int i = 0; i < inner.length(); i++) {
      if (inner.charAt(i) > 0x7e) {
        throw new Refusal(SmtpReplies.NON_ASCII_ADDRESS);
      }
    }
    if (inner.isEmpty()) {
      if (!sender) {
        throw invalid(false, "empty address");
      }
      return new Parsed("", rest);
    }
    if (inner.length() > MAX_PATH) {
      throw invalid(sender, "address too long");
    }
    if (!sender && inner.equalsIgnoreCase("postmaster")) {
      return new Parsed(inner, rest); // RFC 5321 §4.5.1
    }
    String why = mailboxError(inner, compliance);
    if (why != null) {
      throw invalid(sender, why);
    }
    return new Parsed(inner, rest);
  }

  private static Refusal invalid(boolean sender, String why) {
    return new Refusal(sender ? SmtpReplies.badSender(why) : SmtpReplies.badRecipient(why));
  }

  private static int closingBracket(String s) {
    boolean quoted = false;
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '>') {
        return i;
      }
    }
    return -1;
  }

  /** Returns null when {@code mailbox} is valid, else the reason. */
  private static String mailboxError(String mailbox, Compliance compliance) {
    int at = mailbox.lastIndexOf('@');
    if (at <= 0 || at == mailbox.length() - 1) {
      return "expected local-part@domain";
    }
    String local = mailbox.substring(0, at);
    String domain = mailbox.substring(at + 1);
    if (local.length() > MAX_LOCAL_PART) {
      return "local-part longer than 64";
    }
    boolean quoted = local.length() >= 2 && local.startsWith("\"") && local.endsWith("\"");
    if (quoted) {
      for (int i = 1; i < local.length() - 1; i++) {
        char c = local.charAt(i);
        if (c < 0x20 || c == 0x7f) {
          return "control character";
        }
      }
    } else if (compliance == Compliance.STRICT ? !isDotString(local) : !printableAscii(local)) {
      return "bad local-part";
    }
    if (!printableAscii(domain)) {
      return "bad domain";
    }
    if (compliance == Compliance.STRICT && !isDomain(domain) && !isAddressLiteral(domain)) {
      return "bad domain";
    }
    return null;
  }

  /** The parameters as a mutable map (keyword upper-cased), or a refusal. */
  private static Map<String, String> parameters(String s) throws Refusal {
    Map<String, String> map = new HashMap<>();
    for (String p : s.strip().split(" +")) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String keyword = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
      String value = eq < 0 ? "" : p.substring(eq + 1);
      // RFC 5321 §4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
      if (!isKeyword(keyword) || (eq >= 0 && !isParameterValue(value))) {
        throw new Refusal(SmtpReplies.syntax("parameters are KEYWORD[=value]"));
      }
      if (map.put(keyword, value) != null) {
        throw new Refusal(SmtpReplies.badParameter(keyword));
      }
    }
    return map;
  }

  private static boolean isKeyword(String k) {
    if (k.isEmpty() || !alnum(k.charAt(0))) {
      return false;
    }
    for (int i = 1; i < k.length(); i++) {
      char c = k.charAt(i);
      if (!alnum(c) && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isParameterValue(String v) {
    if (v.isEmpty()) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 33 || c > 126 || c == '=') {
        return false;
      }
    }
    return true;
  }

  private static boolean alnum(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static boolean digits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean printableAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>') {
        return false;
      }
    }
    return true;
  }

  // RFC 5321 §4.1.2 Dot-string = Atom *("." Atom), atext from RFC 5322 §3.2.3
  private static boolean isDotString(String s) {
    if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!alnum(c) && c != '.' && "!#$%&'*+-/=?^_`{|}~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  // RFC 5321 §4.1.2 Domain = sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str]
  static boolean isDomain(String s) {
    if (s.isEmpty() || s.length() > MAX_DOMAIN) {
      return false;
    }
    for (String label : s.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63) {
        return false;
      }
      if (!alnum(label.charAt(0)) || !alnum(label.charAt(label.length() - 1))) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        if (!alnum(label.charAt(i)) && label.charAt(i) != '-') {
          return false;
        }
      }
    }
    return true;
  }

  // RFC 5321 §4.1.3 address-literal, checked loosely: "[" 1*dcontent "]"
  private static boolean isAddressLiteral(String s) {
    if (s.length() < 3 || s.charAt(0) != '[' || s.charAt(s.length() - 1) != ']') {
      return false;
    }
    for (int i = 1; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\') {
        return false;
      }
    }
    return true;
  }
}
