package org.carbonio.imap.spi;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * Immutable: credentials presented by a client. {@link #toString()} never shows the password.
 *
 * @param username the user name as sent by the client
 * @param password the password as sent by the client
 * @param client the client address, or {@code null} when not connected over a socket
 * @param tls whether the connection is protected by TLS
 */
public record AuthRequest(String username, String password, InetSocketAddress client, boolean tls) {
  public AuthRequest {
    requireNonNull(username, "username");
    requireNonNull(password, "password");
  }

  @Override
  public String toString() {
    return "AuthRequest[username=" + username + ", client=" + client + ", tls=" + tls + "]";
  }
}
