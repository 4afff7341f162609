package org.carbonio.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.carbonio.smtp.SmtpServer;
import org.carbonio.smtp.spi.DeliveryHandler;

/** An SMTP receiver in a few lines: prints sender, recipients and size of every message. */
public final class SmtpReceiverExample {

  private SmtpReceiverExample() {}

  /** Prints the envelope; a real handler stores the content and fsyncs before returning. */
  static final DeliveryHandler PRINT =
      d -> System.out.printf("from <%s> to %s, %d bytes%n", d.sender(), d.recipients(), d.size());

  /** Starts a receiver on {@code address}; the caller closes it. */
  static SmtpServer start(InetSocketAddress address, DeliveryHandler handler) throws IOException {
    return SmtpServer.builder()
        .bind(address)
        .hostname("mx.example.test")
        .deliveryHandler(handler)
        .build()
        .start();
  }

  /** Listens on 127.0.0.1 port 2525, or {@code args[0]}, until the process is stopped. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 2525;
    try (SmtpServer smtp =
        start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), PRINT)) {
      System.out.println("SMTP receiver on " + smtp.localAddress());
      Thread.currentThread().join(); // until Ctrl-C
    }
  }
}
