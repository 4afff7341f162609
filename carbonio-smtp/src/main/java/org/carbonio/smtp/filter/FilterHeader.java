package org.carbonio.smtp.filter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.List;
import org.carbonio.smtp.MessageContent;

/**
 * One header field a filter asks to prepend to the message, such as {@code X-Spam-Status}.
 * Immutable.
 *
 * @param name the field name: printable ASCII without colon or space (RFC 5322 §2.2)
 * @param value the unfolded field body: printable ASCII and spaces, no CR or LF
 */
public record FilterHeader(String name, String value) {

  private static final int FOLD_AT = 78; // RFC 5322 §2.1.1: SHOULD be no more than 78 characters

  /** Checks the components. */
  public FilterHeader {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty header name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= 0x20 || c > 0x7e || c == ':') {
        throw new IllegalArgumentException("header name " + escape(name));
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException("header value " + escape(value));
      }
    }
  }

  /**
   * The field as it goes on the wire, ending in CRLF: folded before a space when a line would pass
   * 78 characters (RFC 5322 §2.2.3), continuation lines starting with a tab.
   */
  public String encode() {
    StringBuilder sb = new StringBuilder(name.length() + value.length() + 8);
    sb.append(name).append(':');
    int lineLength = sb.length();
    String[] words = value.split(" ", -1);
    for (int i = 0; i < words.length; i++) {
      String word = words[i];
      if (i > 0 && !word.isEmpty() && lineLength + 1 + word.length() > FOLD_AT) {
        sb.append("\r\n\t");
        lineLength = 1;
      } else {
        sb.append(' ');
        lineLength++;
      }
      sb.append(word);
      lineLength += word.length();
    }
    return sb.append("\r\n").toString();
  }

  /** The fields {@link #encode() encoded} one after the other. */
  public static String encode(List<FilterHeader> headers) {
    StringBuilder sb = new StringBuilder();
    for (FilterHeader h : headers) {
      sb.append(h.encode());
    }
    return sb.toString();
  }

  /**
   * A view of {@code content} with {@code headers} in front; nothing is copied but the headers.
   * Thread-safe if {@code content} is.
   */
  public static MessageContent prepend(List<FilterHeader> headers, MessageContent content) {
    requireNonNull(content, "content");
    byte[] head = encode(headers).getBytes(US_ASCII);
    if (head.length == 0) {
      return content;
    }
    return new MessageContent() {
      @Override
      public InputStream open() throws IOException {
        return new SequenceInputStream(new ByteArrayInputStream(head), content.open());
      }

      @Override
      public long size() {
        return head.length + content.size();
      }
    };
  }

  /** At most 100 characters of {@code s}, controls escaped, for exception messages. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length() && i < 100; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (s.length() > 100) {
      sb.append("...");
    }
    return sb.append('"').toString();
  }
}
