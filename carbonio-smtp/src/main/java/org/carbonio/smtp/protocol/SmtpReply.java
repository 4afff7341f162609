package org.carbonio.smtp.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One SMTP reply, possibly multi-line (RFC 5321 §4.2). Immutable.
 *
 * @param code the three-digit reply code
 * @param enhancedStatus the RFC 3463 enhanced status code written before the text of every line, or
 *     {@code null} for replies that carry none (the greeting, HELO/EHLO/LHLO and 354; RFC 2034 §3)
 * @param lines the text lines, at least one; characters outside printable ASCII are replaced by
 *     {@code ?} when encoded
 */
public record SmtpReply(int code, String enhancedStatus, List<String> lines) {

  private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

  /** Validates the code and the enhanced status code; copies the lines. */
  public SmtpReply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("reply code " + code + " not in 200..599");
    }
    if (enhancedStatus != null) {
      if (!ENHANCED.matcher(enhancedStatus).matches()
          || enhancedStatus.charAt(0) - '0' != code / 100) {
        throw new IllegalArgumentException(
            "enhanced status " + enhancedStatus + " does not fit reply code " + code);
      }
    }
    lines = List.copyOf(lines);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("a reply needs at least one line");
    }
  }

  /** A one-line reply. */
  public static SmtpReply of(int code, String enhancedStatus, String text) {
    return new SmtpReply(code, enhancedStatus, List.of(requireNonNull(text, "text")));
  }

  /** True for 2xx and 3xx. */
  public boolean isPositive() {
    return code < 400;
  }

  /** The first line's text, without code. */
  public String text() {
    return lines.getFirst();
  }

  /** The reply as it goes on the wire, CRLF-terminated lines. */
  @Override
  public String toString() {
    return ReplyEncoder.encodeToString(this);
  }
}
