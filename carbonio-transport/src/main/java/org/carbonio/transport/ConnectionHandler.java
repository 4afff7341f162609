package org.carbonio.transport;

import java.io.IOException;

/**
 * Serves one connection: the protocol's blocking read-decode-respond loop. Implementations must be
 * thread-safe: {@link #serve} runs concurrently, once per connection, each time on the connection's
 * own virtual thread.
 */
@FunctionalInterface
public interface ConnectionHandler {

  /**
   * Serves {@code connection} until the conversation ends. Called once per accepted connection,
   * after implicit TLS (if configured) has completed. The listener closes the connection when this
   * returns or throws; an {@link IOException} is logged at DEBUG (the client went away), a {@link
   * RuntimeException} at ERROR.
   */
  void serve(Connection connection) throws IOException;
}
