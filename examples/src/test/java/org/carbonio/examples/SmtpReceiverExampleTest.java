package org.carbonio.examples;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.carbonio.smtp.SmtpServer;
import org.carbonio.smtp.spi.Delivery;
import org.junit.jupiter.api.Test;

class SmtpReceiverExampleTest {

  @Test
  void receiverShouldDeliverWhenAngusMailSends() throws Exception {
    List<Delivery> seen = new CopyOnWriteArrayList<>();
    try (SmtpServer smtp =
        SmtpReceiverExample.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            d -> {
              SmtpReceiverExample.PRINT.deliver(d);
              seen.add(d);
            })) {
      Properties props = new Properties();
      props.put("mail.smtp.host", "127.0.0.1");
      props.put("mail.smtp.port", String.valueOf(smtp.localAddress().getPort()));
      props.put("mail.smtp.localhost", "client.example.test");
      MimeMessage m = new MimeMessage(Session.getInstance(props));
      m.setFrom(new InternetAddress("alice@example.org"));
      m.setRecipients(Message.RecipientType.TO, "bob@example.test");
      m.setSubject("Hello");
      m.setText("Hi Bob");
      Transport.send(m);
    }
    assertThat(seen).hasSize(1);
    assertThat(seen.getFirst().sender()).isEqualTo("alice@example.org");
    assertThat(seen.getFirst().recipients()).containsExactly("bob@example.test");
    assertThat(seen.getFirst().size()).isPositive();
  }
}
