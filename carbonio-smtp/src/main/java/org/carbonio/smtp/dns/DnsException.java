package org.carbonio.smtp.dns;

import java.io.IOException;

/**
 * A lookup that failed in a way that may go away: SERVFAIL, REFUSED, a timeout, a malformed answer.
 * SPF maps it to {@code temperror} (RFC 7208 §2.6.6); delivery defers and retries.
 */
public final class DnsException extends IOException {
  private static final long serialVersionUID = 1L;

  /** A failure with a message naming the question and the reason. */
  public DnsException(String message) {
    super(message);
  }

  /** A failure with its cause. */
  public DnsException(String message, Throwable cause) {
    super(message, cause);
  }
}
