package org.carbonio.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SSLSocket;
import org.carbonio.smtp.protocol.BodyType;
import org.carbonio.smtp.spi.Authenticator;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * AUTH, the listener policies, BDAT, DSN, SMTPUTF8 and LMTP outcomes over a real socket, with Angus
 * Mail where it speaks the extension and a raw client where it does not.
 */
class SmtpExtensionsServerTest {

  record Received(Delivery delivery, String content, byte[] raw) {}

  private final Queue<Received> received = new ConcurrentLinkedQueue<>();
  private final DeliveryHandler store =
      d -> {
        byte[] raw = d.content().readAllBytes();
        received.add(new Received(d, new String(raw, StandardCharsets.UTF_8), raw));
      };
  private final List<SmtpServer> servers = new ArrayList<>();

  static final Authenticator ALICE =
      (session, authzid, user, password) ->
          user.equals("alice@example.test") && password.equals("s3cret")
              ? Optional.of("alice@example.test")
              : Optional.empty();

  private SmtpServer start(SmtpServer.Builder b) throws IOException {
    SmtpServer s = b.build();
    servers.add(s);
    return s.start();
  }

  private SmtpServer.Builder builder() {
    return SmtpServer.builder()
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .hostname("mx.example.test")
        .shutdownTimeout(Duration.ofSeconds(2))
        .deliveryHandler(store);
  }

  @AfterEach
  void closeServers() {
    servers.forEach(SmtpServer::close);
  }

  private static Properties angus(SmtpServer smtp) throws Exception {
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", String.valueOf(smtp.localAddress().getPort()));
    props.put("mail.smtp.ssl.socketFactory", TestTls.client().getSocketFactory());
    props.put("mail.smtp.localhost", "angus.client.test");
    props.put("mail.smtp.timeout", "10000");
    return props;
  }

  private static MimeMessage message(Session session, String from, String to) throws Exception {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(from));
    m.setRecipients(Message.RecipientType.TO, to);
    m.setSubject("Hello");
    m.setText("Body line\n");
    return m;
  }

  private static void send(Session session, Message m, String mechanism, String password)
      throws Exception {
    try (Transport t = session.getTransport("smtp")) {
      t.connect("alice@example.test", password);
      t.sendMessage(m, m.getAllRecipients());
    }
  }

  @Test
  void angusShouldSubmitWithAuthPlainAfterStartTlsWhenPolicyIsSubmission() throws Exception {
    SmtpServer smtp =
        start(
            builder()
                .tls(TestTls.server())
                .authenticator(ALICE)
                .listenerPolicy(ListenerPolicy.SUBMISSION));
    for (String mechanism : List.of("PLAIN", "LOGIN")) {
      Properties props = angus(smtp);
      props.put("mail.smtp.starttls.enable", "true");
      props.put("mail.smtp.starttls.required", "true");
      props.put("mail.smtp.auth", "true");
      props.put("mail.smtp.auth.mechanisms", mechanism);
      Session session = Session.getInstance(props);
      send(session, message(session, "alice@example.test", "bob@example.org"), mechanism, "s3cret");
      Received r = received.remove();
      assertThat(r.delivery().session().authenticated()).isEqualTo("alice@example.test");
      assertThat(r.content()).contains(" with ESMTPSA id "); // RFC 3848
    }
  }

  @Test
  void angusShouldSubmitWithAuthOverImplicitTlsWhenPolicyIsSubmissions() throws Exception {
    SmtpServer smtp =
        start(
            builder()
                .tls(TestTls.server())
                .authenticator(ALICE)
                .listenerPolicy(ListenerPolicy.SUBMISSIONS));
    Properties props = angus(smtp);
    props.put("mail.smtp.ssl.enable", "true");
    props.put("mail.smtp.auth", "true");
    Session session = Session.getInstance(props);
    send(session, message(session, "alice@example.test", "bob@example.org"), "PLAIN", "s3cret");
    assertThat(received.remove().delivery().session().tls()).isTrue();

    assertThatThrownBy(
            () ->
                send(
                    session,
                    message(session, "alice@example.test", "bob@example.org"),
                    "PLAIN",
                    "wrong"))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("535 5.7.8");
    assertThat(received).isEmpty();
  }

  @Test
  void submissionShouldRefuseMailBeforeAuthAndAuthBeforeTls() throws Exception {
    SmtpServer smtp =
        start(
            builder()
                .tls(TestTls.server())
                .authenticator(ALICE)
                .listenerPolicy(ListenerPolicy.SUBMISSION));
    try (RawClient c = new RawClient(smtp.localAddress())) {
      assertThat(c.reply()).startsWith("220 ");
      c.send("EHLO c\r\n");
      assertThat(c.reply()).contains("250 STARTTLS").doesNotContain("AUTH");
      c.send("AUTH PLAIN " + b64("\0alice@example.test\0s3cret") + "\r\n");
      assertThat(c.reply()).startsWith("538 5.7.11");
      c.send("MAIL FROM:<alice@example.test>\r\n");
      assertThat(c.reply()).isEqualTo("530 5.7.0 Authentication required");
    }
  }

  @Test
  void serverShouldCloseWhenAuthFailsTooOften() throws Exception {
    SmtpServer smtp =
        start(
            builder()
                .authenticator(ALICE)
                .listenerPolicy(ListenerPolicy.MX.withPlaintextAuthAllowed(true))
                .limits(SmtpLimits.DEFAULTS.withMaxAuthFailures(2)));
    try (RawClient c = new RawClient(smtp.localAddress())) {
      assertThat(c.reply()).startsWith("220 ");
      c.send("EHLO c\r\n");
      assertThat(c.reply()).contains("250 AUTH PLAIN LOGIN");
      c.send("AUTH LOGIN\r\n");
      assertThat(c.reply()).isEqualTo("334 VXNlcm5hbWU6");
      c.send(b64("alice@example.test") + "\r\n");
      assertThat(c.reply()).isEqualTo("334 UGFzc3dvcmQ6");
      c.send(b64("guess") + "\r\n");
      assertThat(c.reply()).startsWith("535 5.7.8");
      c.send("AUTH PLAIN " + b64("\0alice@example.test\0guess2") + "\r\n");
      assertThat(c.reply()).startsWith("421 4.7.0");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void angusShouldUseBdatDsnAndSmtputf8WhenServerOffersThem() throws Exception {
    SmtpServer smtp = start(builder());
    Properties props = angus(smtp);
    props.put("mail.smtp.chunksize", "64"); // RFC 3030: Angus sends BDAT chunks of 64 octets
    props.put("mail.mime.allowutf8", "true"); // RFC 6531: MAIL ... SMTPUTF8
    Session session = Session.getInstance(props);
    ByteArrayOutputStream debug = new ByteArrayOutputStream();
    session.setDebugOut(new PrintStream(debug, true, StandardCharsets.UTF_8));
    session.setDebug(true);
    SMTPMessage m = new SMTPMessage(message(session, "jörg@bücher.example", "bob@example.test"));
    m.setText("line\n".repeat(40));
    m.setNotifyOptions(SMTPMessage.NOTIFY_SUCCESS | SMTPMessage.NOTIFY_FAILURE); // RFC 3461
    m.setReturnOption(SMTPMessage.RETURN_HDRS);
    m.saveChanges();
    Transport.send(m);
    // what went over the wire: the extensions were really used
    assertThat(debug.toString(StandardCharsets.UTF_8))
        .contains("BDAT 64", " LAST", " SMTPUTF8", "RET=HDRS", "NOTIFY=SUCCESS,FAILURE")
        .doesNotContain("\nDATA");
    Received r = received.remove();
    Envelope e = r.delivery().envelope();
    assertThat(e.sender()).isEqualTo("jörg@bücher.example");
    assertThat(e.smtputf8()).isTrue();
    assertThat(e.ret()).isEqualTo(DsnReturn.HDRS);
    assertThat(e.recipients().getFirst().notifyOn())
        .isEqualTo(Set.of(DsnNotify.SUCCESS, DsnNotify.FAILURE));
    assertThat(r.content()).contains(" with UTF8SMTP id ").endsWith("line\r\n".repeat(40));
  }

  @Test
  void serverShouldReadBdatChunksWhenPipelinedOverRawSocket() throws Exception {
    SmtpServer smtp = start(builder().limits(SmtpLimits.DEFAULTS.withMaxMessageBytes(1000)));
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    try (RawClient c = new RawClient(smtp.localAddress())) {
      assertThat(c.reply()).startsWith("220 ");
      c.send("EHLO c\r\n");
      assertThat(c.reply()).contains("250-CHUNKING", "250-BINARYMIME", "250-DSN");
      c.send(
          "MAIL FROM:<a@example.org> BODY=BINARYMIME RET=FULL ENVID=e+2B1\r\n"
              + "RCPT TO:<b@example.test> NOTIFY=NEVER ORCPT=rfc822;b+40example.test\r\n"
              + "BDAT 256\r\n");
      c.sendBytes(binary);
      c.send("BDAT 0 LAST\r\n");
      assertThat(c.reply()).startsWith("250 2.1.0");
      assertThat(c.reply()).startsWith("250 2.1.5");
      assertThat(c.reply()).isEqualTo("250 2.0.0 256 octets received");
      assertThat(c.reply()).startsWith("250 2.0.0 OK: queued as ");
      // message size limit across chunks: 552, and the chunk's bytes are still consumed
      c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nBDAT 600\r\n");
      c.sendBytes(new byte[600]);
      c.send("BDAT 600 LAST\r\n");
      c.sendBytes(new byte[600]);
      c.send("NOOP\r\n");
      assertThat(c.reply()).startsWith("250 ");
      assertThat(c.reply()).startsWith("250 ");
      assertThat(c.reply()).isEqualTo("250 2.0.0 600 octets received");
      assertThat(c.reply()).startsWith("552 5.3.4");
      assertThat(c.reply()).isEqualTo("250 2.0.0 OK");
    }
    Received r = received.remove();
    assertThat(received).isEmpty();
    Envelope e = r.delivery().envelope();
    assertThat(e.body()).isEqualTo(BodyType.BINARY_MIME);
    assertThat(e.ret()).isEqualTo(DsnReturn.FULL);
    assertThat(e.envelopeId()).isEqualTo("e+1");
    assertThat(e.recipients().getFirst().originalRecipient()).isEqualTo("rfc822;b@example.test");
    // RFC 3030 §3: binary octets arrive untouched, right after the trace header
    assertThat(r.raw()).hasSize((int) r.delivery().size());
    assertThat(Arrays.copyOfRange(r.raw(), r.raw().length - 256, r.raw().length)).isEqualTo(binary);
    assertThat(r.content()).startsWith("Received: ");
  }

  @Test
  void serverShouldTimeOutWhenBdatChunkNeverCompletes() throws Exception {
    SmtpServer smtp =
        start(builder().limits(SmtpLimits.DEFAULTS.withDataTimeout(Duration.ofMillis(500))));
    try (RawClient c = new RawClient(smtp.localAddress())) {
      assertThat(c.reply()).startsWith("220 ");
      c.send("EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\n");
      c.reply();
      c.reply();
      c.reply();
      c.send("BDAT 1000 LAST\r\nonly a few bytes");
      assertThat(c.reply()).startsWith("421 4.4.2"); // dataTimeout, then close
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(received).isEmpty();
  }

  @Test
  void serverShouldTakeSaslResponseUpTo12288OctetsOverTls() throws Exception {
    List<String> passwords = new ArrayList<>();
    SmtpServer smtp =
        start(
            builder()
                .tls(TestTls.server())
                .implicitTls(true)
                .authenticator(
                    (s, z, u, p) -> {
                      passwords.add(p);
                      return Optional.of(u);
                    }));
    try (SSLSocket s =
        (SSLSocket)
            TestTls.client()
                .getSocketFactory()
                .createSocket("localhost", smtp.localAddress().getPort())) {
      s.setSoTimeout(10_000);
      var in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      var out = s.getOutputStream();
      assertThat(in.readLine()).startsWith("220 ");
      out.write("EHLO c\r\nAUTH PLAIN\r\n".getBytes(StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()).startsWith("250-")) {
        assertThat(line).isNotNull();
      }
      assertThat(in.readLine()).isEqualTo("334 ");
      String password = "x".repeat(8000);
      String response = b64("\0alice\0" + password);
      assertThat(response.length()).isBetween(1000, 12288);
      out.write((response + "\r\n").getBytes(StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("235 2.7.0");
    }
    assertThat(passwords).containsExactly("x".repeat(8000));
  }

  @Test
  void lmtpShouldReplyPerRecipientOverSocket() throws Exception {
    DeliveryHandler perRecipient =
        new DeliveryHandler() {
          @Override
          public void deliver(Delivery d) {
            throw new UnsupportedOperationException();
          }

          @Override
          public List<org.carbonio.smtp.RecipientOutcome> deliverEach(Delivery d) {
            return d.recipients().stream()
                .map(
                    r ->
                        r.startsWith("full@")
                            ? RecipientOutcome.temporary(r, 452, "4.2.2", "Mailbox full")
                            : RecipientOutcome.delivered(r))
                .toList();
          }
        };
    SmtpServer smtp = start(builder().mode(SmtpMode.LMTP).deliveryHandler(perRecipient));
    try (RawClient c = new RawClient(smtp.localAddress())) {
      assertThat(c.reply()).startsWith("220 ");
      c.send(
          "LHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<ok@example.test>\r\n"
              + "RCPT TO:<full@example.test>\r\nDATA\r\n");
      assertThat(c.reply()).startsWith("250-");
      assertThat(c.reply()).startsWith("250 ");
      assertThat(c.reply()).startsWith("250 ");
      assertThat(c.reply()).startsWith("250 ");
      assertThat(c.reply()).startsWith("354 ");
      c.send("hi\r\n.\r\n");
      assertThat(c.reply()).startsWith("250 2.0.0");
      assertThat(c.reply()).isEqualTo("452 4.2.2 Mailbox full");
    }
  }

  @Test
  void buildShouldRefuseSubmissionPolicyWithoutAuthenticatorOrTls() {
    assertThatThrownBy(() -> builder().listenerPolicy(ListenerPolicy.SUBMISSION).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("authenticator");
    assertThatThrownBy(
            () -> builder().authenticator(ALICE).listenerPolicy(ListenerPolicy.SUBMISSION).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tls");
    assertThatThrownBy(
            () -> builder().authenticator(ALICE).listenerPolicy(ListenerPolicy.SUBMISSIONS).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("implicitTls");
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
