package org.carbonio.smtp.outbound;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reply of a remote SMTP server (RFC 5321 §4.2), as the client decoded it. Immutable.
 *
 * @param code the three-digit code
 * @param enhanced the RFC 3463 code at the start of the first line's text, or {@code ""}
 * @param lines each line's text after the code and separator (the enhanced code left in place)
 */
record Reply(int code, String enhanced, List<String> lines) {

  private static final Pattern ENHANCED = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})(?: |$)");

  Reply {
    lines = List.copyOf(lines);
  }

  /** A reply, with the enhanced code taken from the first line when its class matches. */
  static Reply of(int code, List<String> lines) {
    String enhanced = "";
    if (!lines.isEmpty()) {
      Matcher m = ENHANCED.matcher(lines.getFirst());
      if (m.find() && m.group(1).charAt(0) - '0' == code / 100) {
        enhanced = m.group(1);
      }
    }
    return new Reply(code, enhanced, lines);
  }

  boolean positive() {
    return code >= 200 && code < 400;
  }

  boolean isClass(int c) {
    return code / 100 == c;
  }

  /** The enhanced code, or {@code X.0.0} from the reply's class when the server gave none. */
  String enhancedOrDefault() {
    return enhanced.isEmpty() ? (code / 100) + ".0.0" : enhanced;
  }

  /** The text of every line joined by a space, without the enhanced codes. */
  String text() {
    StringBuilder sb = new StringBuilder();
    for (String line : lines) {
      String t = line;
      if (!enhanced.isEmpty() && t.startsWith(enhanced)) {
        t = t.substring(enhanced.length()).stripLeading();
      }
      if (!sb.isEmpty()) {
        sb.append(' ');
      }
      sb.append(t);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return code + " " + String.join(" / ", lines);
  }
}
