package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import org.carbonio.smtp.testkit.DnsServer;
import org.carbonio.smtp.testkit.PostfixServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Jakarta Mail (Angus) submits with AUTH on 587 (STARTTLS required) and on 465 (implicit TLS,
 * {@code smtps}); local mail is read back over IMAP, remote mail arrives at a private Postfix that
 * the server finds through its MX record.
 */
class SubmissionTest {

  private static final String PASSWORD = "alice-Secret-1";
  private static DnsServer dns;
  private static PostfixServer remote;

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension()
          .account("alice@localhost", PASSWORD)
          .mta(() -> MtaClient.mta(List.of(), dns, remote.port()));

  private Session session;

  @BeforeAll
  static void peers() throws IOException {
    dns = DnsServer.start();
    dns.mx("example.net", 10, "mx.example.net").a("mx.example.net", "127.0.0.1");
    remote = PostfixServer.builder().mailbox("bob@example.net").start();
  }

  @AfterAll
  static void stopPeers() throws IOException {
    try {
      if (remote != null) {
        remote.close();
      }
    } finally {
      if (dns != null) {
        dns.close();
      }
    }
  }

  @BeforeEach
  void session() throws Exception {
    SSLContext trust = E2E.trusting(carbonio.dataDir());
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", Integer.toString(carbonio.port(Listener.Kind.SUBMISSION)));
    props.put("mail.smtp.auth", "true");
    props.put("mail.smtp.starttls.enable", "true");
    props.put("mail.smtp.starttls.required", "true");
    props.put("mail.smtp.ssl.socketFactory", trust.getSocketFactory());
    props.put("mail.smtp.ssl.checkserveridentity", "true");
    props.put("mail.smtps.host", "127.0.0.1");
    props.put("mail.smtps.port", Integer.toString(carbonio.port(Listener.Kind.SUBMISSIONS)));
    props.put("mail.smtps.auth", "true");
    props.put("mail.smtps.ssl.socketFactory", trust.getSocketFactory());
    props.put("mail.smtps.ssl.checkserveridentity", "true");
    props.put("mail.imaps.ssl.socketFactory", trust.getSocketFactory());
    for (String key : new String[] {"smtp", "smtps", "imaps"}) {
      props.put("mail." + key + ".connectiontimeout", "10000");
      props.put("mail." + key + ".timeout", "30000");
    }
    session = Session.getInstance(props);
  }

  private void send(String protocol, String to, String subject) throws Exception {
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress("alice@localhost"));
    message.setRecipients(Message.RecipientType.TO, to);
    message.setSubject(subject);
    message.setText("sent over " + protocol + "\n");
    message.saveChanges();
    try (Transport transport = session.getTransport(protocol)) {
      transport.connect("alice@localhost", PASSWORD);
      transport.sendMessage(message, message.getAllRecipients());
    }
  }

  private List<String> imapSubjects() throws Exception {
    try (Store store = session.getStore("imaps")) {
      store.connect("127.0.0.1", carbonio.port(Listener.Kind.IMAPS), "alice@localhost", PASSWORD);
      Folder inbox = store.getFolder("INBOX");
      inbox.open(Folder.READ_ONLY);
      try {
        return java.util.Arrays.stream(inbox.getMessages())
            .map(
                m -> {
                  try {
                    return m.getSubject();
                  } catch (jakarta.mail.MessagingException e) {
                    throw new AssertionError(e);
                  }
                })
            .toList();
      } finally {
        inbox.close(false);
      }
    }
  }

  @Test
  void jakartaMailShouldSubmitToLocalRecipientWhenOnStarttlsAndImplicitTls() throws Exception {
    send("smtp", "alice@localhost", "via 587");
    send("smtps", "alice@localhost", "via 465");
    assertThat(imapSubjects()).containsExactly("via 587", "via 465");
  }

  @Test
  void jakartaMailShouldReachRemoteMxWhenSubmittingToRemoteRecipient() throws Exception {
    long before = remote.deliveredCount("bob@example.net");
    send("smtp", "bob@example.net", "remote via 587");
    send("smtps", "bob@example.net", "remote via 465");
    remote.awaitDelivered(before + 2, Duration.ofSeconds(30));
    List<String> texts =
        remote.deliveredFiles().stream()
            .map(
                p -> {
                  try {
                    return Files.readString(p, StandardCharsets.UTF_8);
                  } catch (IOException e) {
                    throw new AssertionError(e);
                  }
                })
            .toList();
    assertThat(texts)
        .anySatisfy(t -> assertThat(t).contains("Subject: remote via 587"))
        .anySatisfy(t -> assertThat(t).contains("Subject: remote via 465"));
    assertThat(texts).allSatisfy(t -> assertThat(t).contains("from localhost"));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> carbonio.server().queue().list().isEmpty());
  }

  @Test
  void jakartaMailShouldFailAuthenticationWhenPasswordWrong() throws Exception {
    try (Transport transport = session.getTransport("smtps")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> transport.connect("alice@localhost", "wrong"))
          .isInstanceOf(jakarta.mail.AuthenticationFailedException.class);
    }
  }
}
