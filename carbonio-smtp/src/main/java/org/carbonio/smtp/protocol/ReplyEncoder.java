package org.carbonio.smtp.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Serialises {@link SmtpReply} values (RFC 5321 §4.2, RFC 2034 §3). Thread-safe (stateless).
 *
 * <p>Each line is {@code code}, then {@code '-'} (more lines follow) or {@code ' '} (last line),
 * then the enhanced status code and a space when present, then the text and CRLF. Text characters
 * outside printable ASCII (including CR and LF) become {@code ?}, so text from clients or embedders
 * can never inject a reply line.
 */
public final class ReplyEncoder {

  private ReplyEncoder() {}

  /** Encodes a reply to US-ASCII bytes. */
  public static byte[] encode(SmtpReply reply) {
    return encodeToString(reply).getBytes(StandardCharsets.US_ASCII);
  }

  /** Encodes a reply to a string of CRLF-terminated lines. */
  public static String encodeToString(SmtpReply reply) {
    StringBuilder sb = new StringBuilder(64);
    int n = reply.lines().size();
    for (int i = 0; i < n; i++) {
      sb.append(reply.code()).append(i == n - 1 ? ' ' : '-');
      if (reply.enhancedStatus() != null) {
        sb.append(reply.enhancedStatus()).append(' ');
      }
      String text = reply.lines().get(i);
      for (int j = 0; j < text.length(); j++) {
        char c = text.charAt(j);
        sb.append(c >= 0x20 && c < 0x7f ? c : '?');
      }
      sb.append("\r\n");
    }
    return sb.toString();
  }
}
