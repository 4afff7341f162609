package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Jakarta Mail (Angus) sends over SMTP with STARTTLS and reads over IMAP and IMAPS. */
class JakartaMailTest {

  @RegisterExtension
  final ServerExtension carbonio = new ServerExtension().account("bob@localhost", "bob-Secret-1");

  private CarbonioServer server;
  private Session session;

  @BeforeEach
  void start() throws Exception {
    server = carbonio.server();
    SSLContext trust = E2E.trusting(carbonio.dataDir());
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", Integer.toString(carbonio.port(Listener.Kind.SMTP)));
    props.put("mail.smtp.starttls.enable", "true");
    props.put("mail.smtp.starttls.required", "true");
    props.put("mail.smtp.ssl.socketFactory", trust.getSocketFactory());
    props.put("mail.smtp.ssl.checkserveridentity", "true");
    props.put("mail.imap.starttls.required", "true");
    props.put("mail.imap.ssl.socketFactory", trust.getSocketFactory());
    props.put("mail.imaps.ssl.socketFactory", trust.getSocketFactory());
    props.put("mail.imaps.ssl.checkserveridentity", "true");
    props.put("mail.imap.ssl.checkserveridentity", "true");
    for (String key : new String[] {"smtp", "imap", "imaps"}) {
      props.put("mail." + key + ".connectiontimeout", "10000");
      props.put("mail." + key + ".timeout", "30000");
    }
    session = Session.getInstance(props);
  }

  @Test
  void multipartMessageShouldArriveIntactWhenSentAndReadWithJakartaMail() throws Exception {
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress("sender@example.org", "Sender Ünïcode"));
    message.setRecipients(Message.RecipientType.TO, "bob@localhost");
    message.setSubject("Jakarta Mail: résumé attached", "UTF-8");
    MimeBodyPart text = new MimeBodyPart();
    text.setText("Hello Bob,\n.leading dot line\nbye\n", "UTF-8");
    MimeBodyPart attachment = new MimeBodyPart();
    attachment.setContent(
        new byte[] {0, 1, 2, (byte) 0xff, 13, 10, 46}, "application/octet-stream");
    attachment.setFileName("data.bin");
    message.setContent(new MimeMultipart(text, attachment));
    Transport.send(message);

    for (String protocol : new String[] {"imap", "imaps"}) {
      Listener.Kind kind = protocol.equals("imap") ? Listener.Kind.IMAP : Listener.Kind.IMAPS;
      try (Store store = session.getStore(protocol)) {
        store.connect("127.0.0.1", carbonio.port(kind), "bob@localhost", "bob-Secret-1");
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        assertThat(inbox.getMessageCount()).isEqualTo(1);
        Message received = inbox.getMessage(1);
        assertThat(received.getSubject()).isEqualTo("Jakarta Mail: résumé attached");
        assertThat(((InternetAddress) received.getFrom()[0]).getPersonal())
            .isEqualTo("Sender Ünïcode");
        MimeMultipart parts = (MimeMultipart) received.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContent().toString().replace("\r\n", "\n"))
            .isEqualTo("Hello Bob,\n.leading dot line\nbye\n");
        assertThat(parts.getBodyPart(1).getFileName()).isEqualTo("data.bin");
        assertThat(parts.getBodyPart(1).getInputStream().readAllBytes())
            .containsExactly(0, 1, 2, 0xff, 13, 10, 46);
        received.setFlag(Flags.Flag.FLAGGED, true);
        inbox.close(false);
      }
    }
    try (Store store = session.getStore("imaps")) {
      store.connect(
          "127.0.0.1", carbonio.port(Listener.Kind.IMAPS), "bob@localhost", "bob-Secret-1");
      Folder inbox = store.getFolder("INBOX");
      inbox.open(Folder.READ_ONLY);
      assertThat(inbox.getMessage(1).isSet(Flags.Flag.FLAGGED)).isTrue();
      assertThat(inbox.getMessage(1).isSet(Flags.Flag.SEEN)).isTrue();
      inbox.close(false);
    }
  }

  @Test
  void loginShouldFailWhenPasswordWrong() throws Exception {
    try (Store store = session.getStore("imaps")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  store.connect(
                      "127.0.0.1", carbonio.port(Listener.Kind.IMAPS), "bob@localhost", "wrong"))
          .isInstanceOf(jakarta.mail.AuthenticationFailedException.class);
    }
  }
}
