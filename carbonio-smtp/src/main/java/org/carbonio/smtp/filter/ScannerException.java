package org.carbonio.smtp.filter;

import java.io.IOException;

/**
 * A scanning daemon answered, but with an error ({@code ... ERROR} from clamd, a non-zero code from
 * spamd) or with something that is not its protocol. Connection failures and timeouts are plain
 * {@link java.net.ConnectException} and {@link java.net.SocketTimeoutException}. Immutable.
 */
public final class ScannerException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message naming the daemon and its answer. */
  public ScannerException(String message) {
    super(message);
  }
}
