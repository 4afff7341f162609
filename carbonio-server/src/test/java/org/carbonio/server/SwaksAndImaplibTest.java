package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** swaks sends over SMTP (plain and STARTTLS); Python's imaplib reads the mail back. */
class SwaksAndImaplibTest {

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension().account("alice@localhost", "alice-Secret-1");

  @TempDir Path tmp;
  private Path data;
  private CarbonioServer server;

  @BeforeEach
  void start() throws Exception {
    server = carbonio.server();
    data = carbonio.dataDir();
  }

  private ExternalTool.Result swaks(Path message, String... extra) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "swaks",
                "--server",
                "127.0.0.1",
                "--port",
                Integer.toString(carbonio.port(Listener.Kind.SMTP)),
                "--ehlo",
                "client.example.test",
                "--from",
                "sender@example.org",
                "--to",
                "alice@localhost",
                "--data",
                "@" + message));
    command.addAll(List.of(extra));
    return ExternalTool.run(command);
  }

  /**
   * swaks ends DATA with {@code CRLF . CRLF} after the file's content, so the file holds the
   * message without its last line break: what goes over the wire is then exactly {@code message}.
   */
  private Path dataFile(String name, byte[] message) throws Exception {
    return Files.write(tmp.resolve(name), java.util.Arrays.copyOf(message, message.length - 2));
  }

  @Test
  void messageSentBySwaksShouldReadBackByteForByteWhenPlainAndStarttls() throws Exception {
    byte[] plain =
        E2E.crlf(
            """
            From: Sender <sender@example.org>
            To: Alice <alice@localhost>
            Subject: plain SMTP
            Message-ID: <plain-1@example.org>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: 8bit

            Grüße über plain SMTP.
            Second line with trailing spaces   \s
            """);
    byte[] tls =
        E2E.crlf(
            """
            From: Sender <sender@example.org>
            To: Alice <alice@localhost>
            Subject: over STARTTLS
            Message-ID: <tls-1@example.org>

            This one travelled over STARTTLS.
            """);
    Path plainFile = dataFile("plain.eml", plain);
    Path tlsFile = dataFile("tls.eml", tls);

    ExternalTool.Result first = swaks(plainFile).assertSuccess();
    assertThat(first.out()).contains("<-  250 2.").doesNotContain(" -> STARTTLS");
    ExternalTool.Result second = swaks(tlsFile, "--tls").assertSuccess();
    assertThat(second.out()).contains(" -> STARTTLS").contains("~> QUIT").contains("<~  250 2.");

    List<E2E.Fetched> inbox =
        E2E.imaplibFetch(
            data,
            carbonio.port(Listener.Kind.IMAP),
            "starttls",
            "alice@localhost",
            "alice-Secret-1",
            "INBOX");
    assertThat(inbox).hasSize(2);
    E2E.assertStoredAsSent(inbox.get(0).body(), plain);
    E2E.assertStoredAsSent(inbox.get(1).body(), tls);
    assertThat(inbox.get(1).uid()).isGreaterThan(inbox.get(0).uid());

    List<E2E.Fetched> overImaps =
        E2E.imaplibFetch(
            data,
            carbonio.port(Listener.Kind.IMAPS),
            "ssl",
            "alice@localhost",
            "alice-Secret-1",
            "INBOX");
    assertThat(overImaps)
        .extracting(E2E.Fetched::uid)
        .containsExactly(inbox.get(0).uid(), inbox.get(1).uid());
  }

  @Test
  void swaksShouldBeRefusedWhenRecipientUnknownOrRemote() throws Exception {
    Path message = Files.write(tmp.resolve("m.eml"), E2E.crlf("Subject: x\n\nbody\n"));
    List<String> base =
        List.of(
            "swaks",
            "--server",
            "127.0.0.1",
            "--port",
            Integer.toString(carbonio.port(Listener.Kind.SMTP)),
            "--from",
            "sender@example.org",
            "--data",
            "@" + message);
    List<String> unknown = new ArrayList<>(base);
    unknown.addAll(List.of("--to", "nobody@localhost"));
    ExternalTool.Result refused = ExternalTool.run(unknown);
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.out()).contains("<** 550 5.1.1");

    List<String> relay = new ArrayList<>(base);
    relay.addAll(List.of("--to", "victim@example.net"));
    ExternalTool.Result denied = ExternalTool.run(relay);
    assertThat(denied.exitCode()).isNotZero();
    assertThat(denied.out()).contains("<** 550 5.7.1");
  }
}
