package org.carbonio.smtp.abuse;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.carbonio.smtp.spi.RecipientCheck;
import org.carbonio.smtp.spi.SessionInfo;

/** Session and address helpers for the abuse tests. */
final class Sessions {
  private Sessions() {}

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  static InetAddress ipv4(int n) {
    try {
      return InetAddress.getByAddress(
          new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  static SessionInfo session(InetAddress client) {
    return new SessionInfo(
        "t1",
        new InetSocketAddress(client, 40000),
        new InetSocketAddress(ip("192.0.2.250"), 25),
        client.getHostAddress(),
        "client.example",
        true,
        false);
  }

  static RecipientCheck rcpt(InetAddress client, String sender, String recipient) {
    return new RecipientCheck(session(client), sender, recipient);
  }
}
