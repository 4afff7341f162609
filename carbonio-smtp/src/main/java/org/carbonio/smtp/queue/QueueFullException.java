package org.carbonio.smtp.queue;

import java.io.IOException;

/**
 * The queue refused a new message because it holds {@link QueueConfig#maxMessages()} messages or
 * {@link QueueConfig#maxBytes()} bytes. An SMTP server answers {@code 452 4.3.1 Insufficient system
 * storage} (RFC 5321 §4.5.3.1.10, RFC 3463 §3.4). Immutable.
 */
public final class QueueFullException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception; {@code detail} says which limit was hit. */
  public QueueFullException(String detail) {
    super("insufficient system storage: " + detail);
  }

  /** The SMTP reply code for this refusal. */
  public int replyCode() {
    return 452;
  }

  /** The RFC 3463 enhanced status code for this refusal. */
  public String enhancedStatus() {
    return "4.3.1";
  }
}
