package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * swaks, Jakarta Mail and a raw socket against every SMTP listener of the real server: the EHLO
 * keywords each one offers, STARTTLS, AUTH PLAIN and LOGIN, PIPELINING, and what swaks cannot do
 * (BDAT, DSN, SMTPUTF8, 8BITMIME, REQUIRETLS) checked in the stored message.
 */
class MtaInteropTest {

  private static final String PASSWORD = "alice-Secret-1";
  private static final List<String> MX_KEYWORDS =
      List.of(
          "PIPELINING",
          "SIZE",
          "8BITMIME",
          "ENHANCEDSTATUSCODES",
          "DSN",
          "CHUNKING",
          "BINARYMIME",
          "SMTPUTF8");
  private static final Pattern SERVER_LINE = Pattern.compile("^<[-~]\\s+250[- ](.*)$");
  private static final Pattern HELLO = Pattern.compile("^ ?[-~]> (EHLO|LHLO) .*$");

  @RegisterExtension
  final ServerExtension carbonio = new ServerExtension().account("alice@localhost", PASSWORD);

  @TempDir Path tmp;

  private ExternalTool.Result swaks(Listener.Kind kind, String... extra) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "swaks",
                "--server",
                "127.0.0.1",
                "--port",
                Integer.toString(carbonio.port(kind)),
                "--ehlo",
                "client.example.test",
                "--timeout",
                "20"));
    command.addAll(List.of(extra));
    return ExternalTool.run(command);
  }

  /** The keywords of each EHLO/LHLO reply in a swaks transcript (the greeting line dropped). */
  private static List<List<String>> keywords(String transcript) {
    List<List<String>> replies = new ArrayList<>();
    List<String> current = null;
    for (String line : transcript.split("\r?\n")) {
      if (HELLO.matcher(line).matches()) {
        current = new ArrayList<>();
        replies.add(current);
        continue;
      }
      Matcher m = SERVER_LINE.matcher(line);
      if (current != null && m.matches()) {
        current.add(m.group(1).strip());
      } else if (current != null && !line.startsWith("<")) {
        current = null;
      }
    }
    return replies.stream().map(r -> r.subList(Math.min(1, r.size()), r.size())).toList();
  }

  private static List<String> names(List<String> keywords) {
    return keywords.stream().map(k -> k.split(" ")[0]).toList();
  }

  @Test
  void ehloShouldOfferEachListenersKeywordsWhenAskedBeforeAndAfterTls() throws Exception {
    // MX: every extension, STARTTLS before TLS, REQUIRETLS only after it (RFC 8689 §4), never AUTH
    List<List<String>> mx =
        keywords(swaks(Listener.Kind.SMTP, "--tls", "--quit-after", "HELO").assertSuccess().out());
    assertThat(mx).hasSize(2);
    assertThat(names(mx.get(0)))
        .containsAll(MX_KEYWORDS)
        .contains("STARTTLS")
        .doesNotContain("AUTH", "REQUIRETLS");
    assertThat(mx.get(0)).anyMatch(k -> k.matches("SIZE \\d+"));
    assertThat(names(mx.get(1)))
        .containsAll(MX_KEYWORDS)
        .contains("REQUIRETLS")
        .doesNotContain("STARTTLS", "AUTH");

    // 587: AUTH only once TLS is up (RFC 4954 §4 with plaintext AUTH off)
    List<List<String>> submission =
        keywords(
            swaks(Listener.Kind.SUBMISSION, "--tls", "--quit-after", "HELO").assertSuccess().out());
    assertThat(submission).hasSize(2);
    assertThat(names(submission.get(0))).contains("STARTTLS").doesNotContain("AUTH", "REQUIRETLS");
    assertThat(submission.get(1)).contains("AUTH PLAIN LOGIN");
    assertThat(names(submission.get(1))).contains("REQUIRETLS").doesNotContain("STARTTLS");

    // 465: TLS from the first byte (RFC 8314 §3.3), so AUTH and REQUIRETLS at once
    List<List<String>> submissions =
        keywords(
            swaks(Listener.Kind.SUBMISSIONS, "--tlsc", "--quit-after", "HELO")
                .assertSuccess()
                .out());
    assertThat(submissions).hasSize(1);
    assertThat(submissions.get(0)).contains("AUTH PLAIN LOGIN");
    assertThat(names(submissions.get(0)))
        .containsAll(MX_KEYWORDS)
        .contains("REQUIRETLS")
        .doesNotContain("STARTTLS");

    // LMTP (RFC 2033 §4.1): LHLO, no AUTH
    List<List<String>> lmtp =
        keywords(
            swaks(Listener.Kind.LMTP, "--protocol", "LMTP", "--quit-after", "HELO")
                .assertSuccess()
                .out());
    assertThat(lmtp).hasSize(1);
    assertThat(names(lmtp.get(0)))
        .contains("PIPELINING", "ENHANCEDSTATUSCODES")
        .doesNotContain("AUTH");
  }

  private Path message(String name, String subject) throws Exception {
    byte[] m =
        E2E.crlf(
            "From: alice@localhost\nTo: alice@localhost\nSubject: "
                + subject
                + "\nMessage-ID: <"
                + name
                + "@localhost>\n\nbody of "
                + name
                + "\n");
    return Files.write(tmp.resolve(name + ".eml"), Arrays.copyOf(m, m.length - 2));
  }

  @Test
  void authPlainAndLoginShouldSubmitWhenOverStarttlsOrImplicitTls() throws Exception {
    List<String> auth =
        List.of(
            "--auth-user",
            "alice@localhost",
            "--auth-password",
            PASSWORD,
            "--from",
            "alice@localhost",
            "--to",
            "alice@localhost");
    for (String mechanism : List.of("PLAIN", "LOGIN")) {
      List<String> starttls =
          new ArrayList<>(
              List.of("--tls", "--auth", mechanism, "--data", "@" + message("s" + mechanism, "x")));
      starttls.addAll(auth);
      ExternalTool.Result r =
          swaks(Listener.Kind.SUBMISSION, starttls.toArray(String[]::new)).assertSuccess();
      assertThat(r.out()).contains("~> AUTH " + mechanism).contains("<~  235 2.7.0");

      List<String> implicit =
          new ArrayList<>(
              List.of(
                  "--tlsc", "--auth", mechanism, "--data", "@" + message("i" + mechanism, "y")));
      implicit.addAll(auth);
      r = swaks(Listener.Kind.SUBMISSIONS, implicit.toArray(String[]::new)).assertSuccess();
      assertThat(r.out()).contains("~> AUTH " + mechanism).contains("<~  235 2.7.0");
    }
    assertThat(carbonio.inboxSize("alice@localhost")).isEqualTo(4);
  }

  @Test
  void submissionShouldRefuseAuthWithoutTlsAndMailWithoutAuth() throws Exception {
    // swaks sees no AUTH offered before STARTTLS and gives up (RFC 4954 §4)
    ExternalTool.Result noTls =
        swaks(
            Listener.Kind.SUBMISSION,
            "--auth",
            "PLAIN",
            "--auth-user",
            "alice@localhost",
            "--auth-password",
            PASSWORD,
            "--from",
            "alice@localhost",
            "--to",
            "alice@localhost");
    assertThat(noTls.exitCode()).isNotZero();
    assertThat(noTls.out()).doesNotContain("-> AUTH").doesNotContain("-> MAIL");

    // a client that tries anyway: 538 5.7.11 (RFC 4954 §6)
    try (MtaClient raw =
        MtaClient.connect(
            carbonio.dataDir(), null, carbonio.port(Listener.Kind.SUBMISSION), false)) {
      assertThat(raw.command("EHLO client.example.test").code()).isEqualTo(250);
      MtaClient.Reply refused = raw.authPlain("alice@localhost", PASSWORD);
      assertThat(refused.code()).isEqualTo(538);
      assertThat(refused.last()).startsWith("5.7.11");
    }

    // TLS but no AUTH: MAIL gets 530 (RFC 4954 §6, RFC 6409 §4.3)
    ExternalTool.Result noAuth =
        swaks(
            Listener.Kind.SUBMISSION,
            "--tls",
            "--from",
            "alice@localhost",
            "--to",
            "alice@localhost");
    assertThat(noAuth.exitCode()).isNotZero();
    assertThat(noAuth.out()).contains("<~* 530 5.7.0");
    ExternalTool.Result noAuthImplicit =
        swaks(
            Listener.Kind.SUBMISSIONS,
            "--tlsc",
            "--from",
            "alice@localhost",
            "--to",
            "alice@localhost");
    assertThat(noAuthImplicit.out()).contains("<~* 530 5.7.0");
    assertThat(carbonio.inboxSize("alice@localhost")).isZero();
  }

  @Test
  void pipelinedTransactionShouldBeStoredWhenSwaksPipelines() throws Exception {
    ExternalTool.Result r =
        swaks(
                Listener.Kind.SMTP,
                "--pipeline",
                "--from",
                "sender@example.org",
                "--to",
                "alice@localhost",
                "--data",
                "@" + message("pipe", "pipelined"))
            .assertSuccess();
    // RFC 2920 §3.1: MAIL, RCPT and DATA go out in one batch before any reply is read
    assertThat(r.out()).containsPattern("-> MAIL FROM:<sender@example.org>\\s*\\n\\s*-> RCPT TO:");
    assertThat(r.out()).containsPattern("-> RCPT TO:<alice@localhost>\\s*\\n\\s*-> DATA");
    List<byte[]> inbox = MtaClient.messages(carbonio.server(), "alice@localhost", "INBOX");
    assertThat(inbox)
        .singleElement()
        .satisfies(m -> assertThat(MtaClient.text(m)).contains("Subject: pipelined"));
  }

  @Test
  void binaryMessageShouldBeStoredExactlyWhenSentInBdatChunks() throws Exception {
    // RFC 3030 §3: BODY=BINARYMIME content, any octet, sent in two chunks
    byte[] head =
        E2E.crlf(
            "From: sender@example.org\nTo: alice@localhost\nSubject: binary\n"
                + "MIME-Version: 1.0\nContent-Type: application/octet-stream\n"
                + "Content-Transfer-Encoding: binary\n\n");
    byte[] body = new byte[300];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i; // NUL, bare CR, bare LF, '.' at line starts: all just bytes in BDAT
    }
    byte[] sent = new byte[head.length + body.length + 2];
    System.arraycopy(head, 0, sent, 0, head.length);
    System.arraycopy(body, 0, sent, head.length, body.length);
    sent[sent.length - 2] = '\r';
    sent[sent.length - 1] = '\n';
    int split = head.length + 100;
    try (MtaClient raw =
        MtaClient.connect(carbonio.dataDir(), null, carbonio.port(Listener.Kind.SMTP), false)) {
      raw.command("EHLO client.example.test");
      assertThat(raw.command("MAIL FROM:<sender@example.org> BODY=BINARYMIME").code())
          .isEqualTo(250);
      assertThat(raw.command("RCPT TO:<alice@localhost>").code()).isEqualTo(250);
      assertThat(raw.command("DATA").code()).as("DATA after BINARYMIME").isEqualTo(503);
      raw.write(("BDAT " + split + "\r\n").getBytes(StandardCharsets.US_ASCII));
      raw.write(Arrays.copyOf(sent, split));
      assertThat(raw.read().code()).isEqualTo(250);
      raw.write(
          ("BDAT " + (sent.length - split) + " LAST\r\n").getBytes(StandardCharsets.US_ASCII));
      raw.write(Arrays.copyOfRange(sent, split, sent.length));
      MtaClient.Reply done = raw.read();
      assertThat(done.code()).as(done.toString()).isEqualTo(250);
    }
    List<byte[]> inbox = MtaClient.messages(carbonio.server(), "alice@localhost", "INBOX");
    assertThat(inbox).hasSize(1);
    E2E.assertStoredAsSent(inbox.get(0), sent);
  }

  @Test
  void requireTlsShouldBeRefusedWhenPlainAndAcceptedAfterStarttls() throws Exception {
    try (MtaClient raw =
        MtaClient.connect(carbonio.dataDir(), null, carbonio.port(Listener.Kind.SMTP), false)) {
      raw.command("EHLO client.example.test");
      MtaClient.Reply plain = raw.command("MAIL FROM:<sender@example.org> REQUIRETLS");
      assertThat(plain.code()).isEqualTo(530); // RFC 8689 §4.1
      assertThat(plain.last()).startsWith("5.7.10");
      raw.startTls("client.example.test");
      assertThat(raw.command("MAIL FROM:<sender@example.org> REQUIRETLS").code()).isEqualTo(250);
      assertThat(raw.command("RCPT TO:<alice@localhost>").code()).isEqualTo(250);
      assertThat(raw.data(E2E.crlf("Subject: over TLS only\n\nsecret\n")).code()).isEqualTo(250);
    }
    assertThat(carbonio.inboxSize("alice@localhost")).isEqualTo(1);
  }

  /** Jakarta Mail against the MX listener, with its wire transcript. */
  private String jakartaSend(Properties extra, MimeMessageMaker maker) throws Exception {
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", Integer.toString(carbonio.port(Listener.Kind.SMTP)));
    props.put("mail.smtp.connectiontimeout", "10000");
    props.put("mail.smtp.timeout", "30000");
    props.put("mail.smtp.from", "sender@example.org");
    props.putAll(extra);
    Session session = Session.getInstance(props);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    session.setDebug(true);
    session.setDebugOut(new PrintStream(wire, true, StandardCharsets.UTF_8));
    MimeMessage message = maker.make(session);
    Transport.send(message);
    return wire.toString(StandardCharsets.UTF_8);
  }

  @FunctionalInterface
  private interface MimeMessageMaker {
    MimeMessage make(Session session) throws Exception;
  }

  @Test
  void dsnParametersShouldBeHonouredWhenJakartaMailAsksForNotification() throws Exception {
    Properties props = new Properties();
    props.put("mail.smtp.from", "alice@localhost");
    props.put("mail.smtp.dsn.notify", "SUCCESS,FAILURE ORCPT=rfc822;alice@localhost");
    props.put("mail.smtp.dsn.ret", "HDRS");
    String wire =
        jakartaSend(
            props,
            s -> {
              MimeMessage m = new MimeMessage(s);
              m.setFrom("alice@localhost");
              m.setRecipients(Message.RecipientType.TO, "alice@localhost");
              m.setSubject("with DSN");
              m.setText("notify me\n");
              return m;
            });
    // RFC 3461 §4.1, §4.2, §4.3
    assertThat(wire)
        .contains("MAIL FROM:<alice@localhost> RET=HDRS")
        .contains("RCPT TO:<alice@localhost> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice@localhost")
        .doesNotContain("\n5");
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> carbonio.inboxSize("alice@localhost") == 2);
    List<String> inbox =
        MtaClient.messages(carbonio.server(), "alice@localhost", "INBOX").stream()
            .map(MtaClient::text)
            .toList();
    assertThat(inbox)
        .anySatisfy(m -> assertThat(m).contains("Subject: with DSN").contains("notify me"));
    // the "delivered" notice, with the original recipient and only the headers (RET=HDRS)
    assertThat(inbox)
        .anySatisfy(
            m ->
                assertThat(m)
                    .containsPattern("(?i)Original-Recipient: rfc822; ?alice@localhost")
                    .containsPattern("(?i)Action: delivered")
                    .contains("text/rfc822-headers")
                    .doesNotContain("notify me"));
  }

  @Test
  void deliveredNoticeShouldReachSenderWhenLocalRecipientAsksForSuccess() throws Exception {
    // RFC 3461 §5.2.2: final delivery of a recipient with NOTIFY=SUCCESS issues a "delivered" DSN
    try (MtaClient raw =
        MtaClient.connect(carbonio.dataDir(), null, carbonio.port(Listener.Kind.SMTP), false)) {
      raw.command("EHLO client.example.test");
      assertThat(raw.command("MAIL FROM:<alice@localhost> RET=HDRS ENVID=ok-7").code())
          .isEqualTo(250);
      assertThat(raw.command("RCPT TO:<alice@localhost> NOTIFY=SUCCESS").code()).isEqualTo(250);
      assertThat(raw.data(E2E.crlf("Subject: tell me\n\nplease confirm\n")).code()).isEqualTo(250);
    }
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> carbonio.inboxSize("alice@localhost") == 2);
    List<String> inbox =
        MtaClient.messages(carbonio.server(), "alice@localhost", "INBOX").stream()
            .map(MtaClient::text)
            .toList();
    assertThat(inbox).anySatisfy(m -> assertThat(m).contains("please confirm"));
    assertThat(inbox)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("message/delivery-status")
                    .containsPattern("(?i)Original-Envelope-Id: ok-7")
                    .containsPattern("(?i)Final-Recipient: rfc822; ?alice@localhost")
                    .containsPattern("(?i)Action: delivered")
                    .containsPattern("(?i)Status: 2\\.0\\.0"));
  }

  @Test
  void utf8AndEightBitShouldArriveUnchangedWhenJakartaMailUsesSmtputf8And8bitmime()
      throws Exception {
    Properties props = new Properties();
    props.put("mail.mime.allowutf8", "true"); // RFC 6532 headers, SMTPUTF8 on MAIL (RFC 6531 §3.4)
    props.put("mail.smtp.allow8bitmime", "true"); // 8bit body, not quoted-printable (RFC 6152)
    props.put("mail.smtp.from", "jörg@bücher.example");
    String wire =
        jakartaSend(
            props,
            s -> {
              MimeMessage m = new MimeMessage(s);
              m.setFrom(new InternetAddress("jörg@bücher.example", "Jörg Müller", "UTF-8"));
              m.setRecipients(Message.RecipientType.TO, "alice@localhost");
              m.setHeader("Subject", "Grüße aus Köln"); // raw UTF-8 (RFC 6532 §3.2)
              m.setText("Schöne Grüße, ça va? ✓\n", "UTF-8");
              return m;
            });
    assertThat(wire).contains("MAIL FROM:<jörg@bücher.example>").contains("SMTPUTF8");
    assertThat(wire).contains("Content-Transfer-Encoding: 8bit"); // not re-encoded to QP
    List<byte[]> inbox = MtaClient.messages(carbonio.server(), "alice@localhost", "INBOX");
    assertThat(inbox).hasSize(1);
    String stored = MtaClient.text(inbox.get(0));
    assertThat(stored)
        .contains("Subject: Grüße aus Köln")
        .contains("jörg@bücher.example")
        .contains("Content-Transfer-Encoding: 8bit")
        .contains("Schöne Grüße, ça va? ✓");
  }
}
