package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.carbonio.server.internal.AdminApi;
import org.carbonio.server.internal.TlsMaterial;
import org.carbonio.store.FolderSnapshot;
import org.carbonio.store.Mailbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real POP3 clients against the real server: Python's poplib (STLS on pop3, implicit TLS on pop3s,
 * USER/PASS, UIDL, TOP, RETR, DELE + QUIT) and curl (pop3 with --ssl-reqd, pop3s). What they
 * receive is compared byte for byte with what the store holds (with CRLF line ends).
 */
class Pop3ClientsTest {
  private static final String ALICE = "alice@localhost";
  private static final String PASSWORD = "alice-Secret-1";

  @RegisterExtension
  final ServerExtension carbonio = new ServerExtension().account(ALICE, PASSWORD);

  private Mailbox mailbox;
  private final List<Long> uids = new ArrayList<>();

  @BeforeEach
  void fill() throws Exception {
    String id = carbonio.server().directory().findAccount(ALICE).orElseThrow().id();
    mailbox = carbonio.server().store().mailbox(id);
    List<byte[]> messages =
        List.of(
            E2E.crlf(
                """
                From: Bob <bob@example.org>
                To: Alice <alice@localhost>
                Subject: first
                Message-ID: <pop3-1@example.org>

                Hello over POP3.
                """),
            E2E.crlf(
                """
                Subject: dots

                .a line with a leading dot
                ..two
                .
                last line
                """),
            // stored with bare LF line ends: POP3 sends CRLF
            "Subject: bare LF\n\nline one\nline two\n".getBytes(StandardCharsets.UTF_8),
            E2E.crlf("Subject: Grüße\nContent-Type: text/plain; charset=utf-8\n\nÄÖÜ ß\n"));
    for (byte[] m : messages) {
      uids.add(mailbox.append("INBOX", new ByteArrayInputStream(m), Set.of(), Instant.now()).uid());
    }
  }

  private byte[] stored(long uid) throws Exception {
    return E2E.crlf(new String(mailbox.read("INBOX", uid), StandardCharsets.UTF_8));
  }

  private JsonNode poplib(Listener.Kind kind, String mode, String delete) throws Exception {
    ExternalTool.Result result =
        ExternalTool.run(
                List.of(
                    "python3",
                    E2E.script("pop3_fetch.py").toString(),
                    "127.0.0.1",
                    Integer.toString(carbonio.port(kind)),
                    ALICE,
                    PASSWORD,
                    TlsMaterial.defaultCertificate(carbonio.dataDir()).toString(),
                    mode,
                    delete))
            .assertSuccess();
    return AdminApi.json().readTree(result.stdout());
  }

  @Test
  void poplibShouldReadEveryMessageByteForByteWhenStls() throws Exception {
    JsonNode r = poplib(Listener.Kind.POP3, "stls", "");
    assertThat(r.path("capa").has("TOP")).isTrue();
    assertThat(r.path("capa").has("UIDL")).isTrue();
    assertThat(r.path("capa").has("USER")).isTrue(); // after STLS
    assertThat(r.path("capa").has("STLS")).isFalse();
    assertThat(r.path("stat").get(0).asInt()).isEqualTo(4);
    JsonNode messages = r.path("messages");
    assertThat(messages).hasSize(4);
    long total = 0;
    for (int i = 0; i < 4; i++) {
      JsonNode m = messages.get(i);
      byte[] body = Base64.getDecoder().decode(m.path("body").asText());
      assertThat(body).as("message %d", i + 1).isEqualTo(stored(uids.get(i)));
      if (i != 2) {
        assertThat(m.path("size").asLong()).as("LIST size %d", i + 1).isEqualTo(body.length);
      }
      total += m.path("size").asLong();
      byte[] top = Base64.getDecoder().decode(m.path("top0").asText());
      String text = new String(body, StandardCharsets.UTF_8);
      assertThat(new String(top, StandardCharsets.UTF_8))
          .isEqualTo(text.substring(0, text.indexOf("\r\n\r\n") + 4));
      assertThat(m.path("uidl").asText()).endsWith("." + uids.get(i));
    }
    assertThat(r.path("stat").get(1).asLong()).isEqualTo(total);
    assertThat(r.path("quit").asText()).startsWith("+OK");
  }

  @Test
  void poplibShouldDeleteAtQuitWhenImplicitTls() throws Exception {
    JsonNode first = poplib(Listener.Kind.POP3S, "ssl", "1,3");
    assertThat(first.path("messages")).hasSize(4);
    assertThat(first.path("quit").asText()).contains("2 messages left");
    FolderSnapshot after = mailbox.snapshot("INBOX");
    assertThat(after.messages()).extracting(m -> m.uid()).containsExactly(uids.get(1), uids.get(3));

    // UIDL is stable across sessions: the same UIDs for the messages left
    JsonNode second = poplib(Listener.Kind.POP3S, "ssl", "");
    assertThat(second.path("messages").get(0).path("uidl").asText())
        .isEqualTo(first.path("messages").get(1).path("uidl").asText());
    assertThat(second.path("messages").get(1).path("uidl").asText())
        .isEqualTo(first.path("messages").get(3).path("uidl").asText());
  }

  private List<String> curl(String url, String... extra) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "curl",
                "-sS",
                "--max-time",
                "60",
                "--cacert",
                TlsMaterial.defaultCertificate(carbonio.dataDir()).toString(),
                "-u",
                ALICE + ":" + PASSWORD));
    command.addAll(List.of(extra));
    command.add(url);
    return command;
  }

  @Test
  void curlShouldRetrieveByteForByteWhenStlsOrPop3s() throws Exception {
    int pop3 = carbonio.port(Listener.Kind.POP3);
    int pop3s = carbonio.port(Listener.Kind.POP3S);
    for (int i = 0; i < 4; i++) {
      ExternalTool.Result overStls =
          ExternalTool.run(curl("pop3://127.0.0.1:" + pop3 + "/" + (i + 1), "--ssl-reqd"))
              .assertSuccess();
      assertThat(overStls.stdout())
          .as("pop3 + STLS message %d", i + 1)
          .isEqualTo(stored(uids.get(i)));
      ExternalTool.Result overTls =
          ExternalTool.run(curl("pop3s://localhost:" + pop3s + "/" + (i + 1))).assertSuccess();
      assertThat(overTls.stdout()).as("pop3s message %d", i + 1).isEqualTo(stored(uids.get(i)));
    }
    // without a message number curl LISTs
    ExternalTool.Result list =
        ExternalTool.run(curl("pop3s://localhost:" + pop3s + "/")).assertSuccess();
    assertThat(list.out().lines().toList()).hasSize(4).first().asString().startsWith("1 ");
    // curl -X sends a custom command: UIDL
    ExternalTool.Result uidl =
        ExternalTool.run(curl("pop3s://localhost:" + pop3s + "/", "-X", "UIDL")).assertSuccess();
    assertThat(uidl.out().lines().toList())
        .hasSize(4)
        .last()
        .asString()
        .endsWith("." + uids.get(3));
    // curl's SASL: AUTH PLAIN over TLS
    ExternalTool.Result sasl =
        ExternalTool.run(curl("pop3s://localhost:" + pop3s + "/2", "--login-options", "AUTH=PLAIN"))
            .assertSuccess();
    assertThat(sasl.stdout()).isEqualTo(stored(uids.get(1)));
  }

  @Test
  void curlShouldBeRefusedWhenPlaintextWithoutTls() throws Exception {
    ExternalTool.Result plain =
        ExternalTool.run(curl("pop3://127.0.0.1:" + carbonio.port(Listener.Kind.POP3) + "/1"));
    assertThat(plain.exitCode()).as(plain.stderr()).isNotZero();
    assertThat(mailbox.snapshot("INBOX").messages()).hasSize(4);
  }

  private static String line(java.io.InputStream in) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') if (b != '\r') sb.append((char) b);
    return sb.toString();
  }

  @Test
  void secondSessionShouldGetInUseWhenMaildropHeldOnTheOtherListener() throws Exception {
    javax.net.ssl.SSLContext trust = E2E.trusting(carbonio.dataDir());
    try (javax.net.ssl.SSLSocket pop3s =
            (javax.net.ssl.SSLSocket)
                trust
                    .getSocketFactory()
                    .createSocket("127.0.0.1", carbonio.port(Listener.Kind.POP3S));
        java.net.Socket plain =
            new java.net.Socket("127.0.0.1", carbonio.port(Listener.Kind.POP3))) {
      pop3s.setSoTimeout(30_000);
      plain.setSoTimeout(30_000);
      var in1 = pop3s.getInputStream();
      var out1 = pop3s.getOutputStream();
      assertThat(line(in1)).startsWith("+OK");
      out1.write(
          ("USER " + ALICE + "\r\nPASS " + PASSWORD + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out1.flush();
      assertThat(line(in1)).startsWith("+OK");
      assertThat(line(in1)).isEqualTo("+OK Maildrop has 4 messages (" + sizes() + " octets)");

      var in2 = plain.getInputStream();
      assertThat(line(in2)).startsWith("+OK");
      plain.getOutputStream().write("STLS\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(line(in2)).isEqualTo("+OK Begin TLS negotiation");
      javax.net.ssl.SSLSocket upgraded =
          (javax.net.ssl.SSLSocket)
              trust.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true);
      upgraded.startHandshake();
      var in3 = upgraded.getInputStream();
      upgraded
          .getOutputStream()
          .write(
              ("USER " + ALICE + "\r\nPASS " + PASSWORD + "\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      assertThat(line(in3)).startsWith("+OK");
      assertThat(line(in3)).startsWith("-ERR [IN-USE]");
      out1.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(line(in1)).startsWith("+OK");
    }
  }

  private long sizes() throws Exception {
    long total = 0;
    for (var m : mailbox.snapshot("INBOX").messages()) total += m.size();
    return total;
  }
}
