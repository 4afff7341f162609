package org.carbonio.smtp.queue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.carbonio.smtp.MessageContent;

/** A message in memory. Immutable. */
final class Bytes implements MessageContent {
  private final byte[] data;

  Bytes(String s) {
    this.data = s.getBytes(StandardCharsets.UTF_8);
  }

  static Bytes message(String from, String subject) {
    return new Bytes(
        "From: <"
            + from
            + ">\r\nTo: <b@example.net>\r\nSubject: "
            + subject
            + "\r\nMessage-ID: <"
            + subject.hashCode()
            + "@example.com>\r\n\r\nHello.\r\n");
  }

  @Override
  public InputStream open() {
    return new ByteArrayInputStream(data);
  }

  @Override
  public long size() {
    return data.length;
  }
}
