package org.carbonio.smtp.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.DsnReturn;

/** Second decoding phase: one framed command line to a typed command. Stateless. */
final class CommandParser {

  private CommandParser() {}

  // RFC 5321 §4.5.3.1: local-part 64, domain 255, path 256 octets including "<>"
  private static final int MAX_LOCAL_PART = 64;
  private static final int MAX_DOMAIN = 255;
  private static final int MAX_PATH = 254;

  static Decoded parse(byte[] bytes, int length, Compliance compliance, boolean moreInput) {
    // RFC 6531 §3.3: addresses may be UTF-8. Other bytes above 0x7f are kept one char per byte
    // (ISO-8859-1) so that nothing fails and they stay visible to the checks below.
    boolean utf8 = isUtf8(bytes, length);
    String line =
        new String(bytes, 0, length, utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    if (line.indexOf('\0') >= 0) {
      return bad(SmtpReplies.NUL_IN_COMMAND);
    }
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
        case "MAIL" -> mail(arg, compliance, utf8);
        case "RCPT" -> rcpt(arg, compliance, utf8);
        case "AUTH" -> auth(arg);
        case "BDAT" -> bdat(arg);
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
        case "EXPN", "TURN", "ETRN", "ATRN", "SEND", "SOML", "SAML", "VERB" ->
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

  private static Decoded mail(String arg, Compliance compliance, boolean utf8) throws Refusal {
    String rest = afterPrefix(arg, "FROM:", compliance);
    if (rest == null) {
      return bad(SmtpReplies.syntax("MAIL FROM:<address>"));
    }
    Parsed p = path(rest, compliance, true, utf8);
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
      // RFC 6152 §2, RFC 3030 §3
      switch (bodyValue.toUpperCase(Locale.ROOT)) {
        case "7BIT" -> body = BodyType.SEVEN_BIT;
        case "8BITMIME" -> body = BodyType.EIGHT_BIT_MIME;
        case "BINARYMIME" -> body = BodyType.BINARY_MIME;
        default -> {
          return bad(SmtpReplies.badParameter("BODY"));
        }
      }
    }
    DsnReturn ret = null;
    String retValue = map.remove("RET");
    if (retValue != null) {
      // RFC 3461 §4.3: ret-value = "FULL" / "HDRS"
      switch (retValue.toUpperCase(Locale.ROOT)) {
        case "FULL" -> ret = DsnReturn.FULL;
        case "HDRS" -> ret = DsnReturn.HDRS;
        default -> {
          return bad(SmtpReplies.badParameter("RET"));
        }
      }
    }
    String envelopeId = "";
    String envidValue = map.remove("ENVID");
    if (envidValue != null) {
      // RFC 3461 §4.4: envid-value = xtext, at most 100 characters
      envelopeId = xtext(envidValue);
      if (envelopeId == null || envelopeId.isEmpty() || envidValue.length() > 100) {
        return bad(SmtpReplies.badParameter("ENVID"));
      }
    }
    String auth = map.remove("AUTH");
    if (auth != null && !auth.equals("<>") && (auth.isEmpty() || xtext(auth) == null)) {
      return bad(SmtpReplies.badParameter("AUTH")); // RFC 4954 §5: accepted and ignored
    }
    boolean smtputf8 = flag(map, "SMTPUTF8"); // RFC 6531 §3.4
    boolean requireTls = flag(map, "REQUIRETLS"); // RFC 8689 §4.1
    return command(
        new SmtpCommand.Mail(p.address, size, body, ret, envelopeId, smtputf8, requireTls, map));
  }

  /** Removes a parameter that takes no value; true when it was there. */
  private static boolean flag(Map<String, String> map, String keyword) throws Refusal {
    String v = map.remove(keyword);
    if (v != null && !v.isEmpty()) {
      throw new Refusal(SmtpReplies.badParameter(keyword));
    }
    return v != null;
  }

  private static Decoded rcpt(String arg, Compliance compliance, boolean utf8) throws Refusal {
    String rest = afterPrefix(arg, "TO:", compliance);
    if (rest == null) {
      return bad(SmtpReplies.syntax("RCPT TO:<address>"));
    }
    Parsed p = path(rest, compliance, false, utf8);
    Map<String, String> map = parameters(p.rest);
    Set<DsnNotify> notify = EnumSet.noneOf(DsnNotify.class);
    String notifyValue = map.remove("NOTIFY");
    if (notifyValue != null) {
      // RFC 3461 §4.1: "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )
      for (String v : notifyValue.split(",", -1)) {
        DsnNotify n;
        try {
          n = DsnNotify.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          return bad(SmtpReplies.badParameter("NOTIFY"));
        }
        if (!notify.add(n)) {
          return bad(SmtpReplies.badParameter("NOTIFY"));
        }
      }
      if (notify.contains(DsnNotify.NEVER) && notify.size() > 1) {
        return bad(SmtpReplies.badParameter("NOTIFY"));
      }
    }
    String orcpt = "";
    String orcptValue = map.remove("ORCPT");
    if (orcptValue != null) {
      // RFC 3461 §4.2: orcpt-value = addr-type ";" xtext, at most 500 characters
      int semi = orcptValue.indexOf(';');
      String type = semi <= 0 ? "" : orcptValue.substring(0, semi);
      String address = semi <= 0 ? null : xtext(orcptValue.substring(semi + 1));
      if (!isAtom(type) || address == null || address.isEmpty() || orcptValue.length() > 500) {
        return bad(SmtpReplies.badParameter("ORCPT"));
      }
      orcpt = type + ";" + address;
    }
    return command(new SmtpCommand.Rcpt(p.address, notify, orcpt, map));
  }

  // RFC 4954 §4: "AUTH" SP sasl-mech [SP initial-response]
  private static Decoded auth(String arg) {
    String[] parts = arg.split(" ", -1);
    if (parts.length > 2 || !isMechanism(parts[0])) {
      return bad(SmtpReplies.syntax("AUTH mechanism [initial-response]"));
    }
    String initial = parts.length == 2 ? parts[1] : null;
    if (initial != null && initial.isEmpty()) {
      return bad(SmtpReplies.syntax("AUTH mechanism [initial-response]"));
    }
    return command(new SmtpCommand.Auth(parts[0].toUpperCase(Locale.ROOT), initial));
  }

  // RFC 3030 §2: "BDAT" SP chunk-size [SP end-marker], chunk-size = 1*DIGIT, end-marker = "LAST"
  private static Decoded bdat(String arg) {
    String[] parts = arg.split(" ", -1);
    boolean last = parts.length == 2 && parts[1].equalsIgnoreCase("LAST");
    if (parts.length > 2
        || (parts.length == 2 && !last)
        || parts[0].isEmpty()
        || parts[0].length() > 18
        || !digits(parts[0])) {
      return bad(SmtpReplies.syntax("BDAT chunk-size [LAST]"));
    }
    return command(new SmtpCommand.Bdat(Long.parseLong(parts[0]), last));
  }

  private static boolean isMechanism(String s) {
    // RFC 4422 §3.1: sasl-mech = 1*20mech-char, mech-char = UPPER-ALPHA / DIGIT / "-" / "_"
    if (s.isEmpty() || s.length() > 20) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!alnum(c) && c != '-' && c != '_') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAtom(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!alnum(c) && "!#$%&'*+-/=?^_`{|}~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Decodes xtext (RFC 3461 §4: xchar is {@code !}..{@code ~} except {@code +} and {@code =};
   * hexchar is {@code +} and two upper-case hex digits); null when malformed.
   */
  static String xtext(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '+') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = upperHex(s.charAt(i + 1));
        int lo = upperHex(s.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          return null;
        }
        sb.append((char) (hi * 16 + lo));
        i += 2;
      } else if (c < '!' || c > '~' || c == '=') {
        return null;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static int upperHex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }

  private static boolean isUtf8(byte[] bytes, int length) {
    boolean ascii = true;
    for (int i = 0; i < length; i++) {
      if (bytes[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return true;
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, length));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
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
  private static Parsed path(String s, Compliance compliance, boolean sender, boolean utf8)
      throws Refusal {
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
      char c = inner.charAt(i);
      if (c > 0x7e && !utf8) {
        throw new Refusal(SmtpReplies.NON_ASCII_ADDRESS); // not even UTF-8
      }
      if (c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        throw invalid(sender, "control character");
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
    } else if (compliance == Compliance.STRICT ? !isDotString(local) : !printable(local)) {
      return "bad local-part";
    }
    if (!printable(domain)) {
      return "bad domain";
    }
    if (compliance == Compliance.STRICT
        && !isDomain(domain, true)
        && !(isAscii(domain) && isAddressLiteral(domain))) {
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

  private static boolean letDig(char c, boolean utf8) {
    return alnum(c) || (utf8 && c >= 0xa0);
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

  /** Like {@link #printableAscii} but also allows UTF-8 text (RFC 6531 §3.3, RFC 6532 §3.2). */
  private static boolean printable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || (c >= 0x80 && c < 0xa0)) {
        return false;
      }
    }
    return true;
  }

  /** True when every character is US-ASCII. */
  static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7f) {
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
      // RFC 6531 §3.3: atext also holds UTF8-non-ascii
      if (!alnum(c) && c < 0xa0 && c != '.' && "!#$%&'*+-/=?^_`{|}~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  // RFC 5321 §4.1.2 Domain = sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str]
  static boolean isDomain(String s) {
    return isDomain(s, false);
  }

  /** With {@code utf8}, labels may also be U-labels (RFC 6531 §3.3), checked loosely. */
  static boolean isDomain(String s, boolean utf8) {
    if (s.isEmpty() || s.length() > MAX_DOMAIN) {
      return false;
    }
    for (String label : s.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63) {
        return false;
      }
      if (!letDig(label.charAt(0), utf8) || !letDig(label.charAt(label.length() - 1), utf8)) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        if (!letDig(label.charAt(i), utf8) && label.charAt(i) != '-') {
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
