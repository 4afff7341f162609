package org.carbonio.server.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import org.carbonio.smtp.MessageContent;

/**
 * A message with header fields put above its first one (trace and result fields, RFC 5321 §4.4, RFC
 * 8601 §5, RFC 6376 §3.5). Immutable; reads the underlying content on each {@link #open()}.
 *
 * @param fields whole fields, each ending with CRLF (folded or not)
 * @param content the message
 */
record PrependedContent(String fields, MessageContent content) implements MessageContent {

  /** {@code content} itself when there is nothing to add. */
  static MessageContent of(String fields, MessageContent content) {
    return fields.isEmpty() ? content : new PrependedContent(fields, content);
  }

  @Override
  public InputStream open() throws IOException {
    return new SequenceInputStream(
        new ByteArrayInputStream(fields.getBytes(StandardCharsets.US_ASCII)), content.open());
  }

  @Override
  public long size() {
    return fields.getBytes(StandardCharsets.US_ASCII).length + content.size();
  }
}
