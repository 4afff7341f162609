package org.carbonio.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.carbonio.directory.EmbeddedDirectory;
import org.carbonio.server.internal.LocalDelivery;
import org.carbonio.smtp.filter.FilterPolicy;
import org.carbonio.smtp.filter.SpamAction;
import org.carbonio.smtp.filter.VirusAction;
import org.carbonio.smtp.queue.MailQueue;
import org.carbonio.smtp.queue.QueuedMessage;
import org.carbonio.smtp.testkit.ClamdExtension;
import org.carbonio.smtp.testkit.ClamdServer;
import org.carbonio.smtp.testkit.SpamdExtension;
import org.carbonio.smtp.testkit.SpamdServer;
import org.carbonio.store.MailStore;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The content filters of the real server against real clamd and spamd (Debian's, started privately
 * for this class): EICAR in a base64 attachment and GTUBE in a body, sent over SMTP to port 25,
 * with each {@link VirusAction} and {@link SpamAction}, per-domain policies, and a daemon down.
 */
class ContentFilterEndToEndTest {

  @RegisterExtension static final ClamdExtension CLAMD = new ClamdExtension();

  /** spamd takes several seconds to start: one for the class. */
  @RegisterExtension static final SpamdExtension SPAMD = new SpamdExtension();

  private static final String ANN = "ann@example.test";
  private static final String BOB = "bob@other.test";
  private static final String VIRUS_NAME = ClamdServer.EICAR_SIGNATURE;

  @TempDir Path tmp;

  private CarbonioServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The server with these filter daemons and policies, and the accounts ann and bob. */
  private CarbonioServer start(
      Optional<InetSocketAddress> clamd,
      Optional<InetSocketAddress> spamd,
      Map<String, FilterPolicy> policies)
      throws Exception {
    MtaConfig mta =
        new MtaConfig(List.of(), List.of(), 25, Optional.empty(), clamd, spamd, false, policies);
    server =
        CarbonioServer.start(
            ServerConfig.defaults(tmp.resolve("data")).withEphemeralPorts().withMta(mta));
    for (String account : List.of(ANN, BOB)) {
      String domain = account.substring(account.indexOf('@') + 1);
      if (!server.directory().isLocalDomain(domain)) {
        server.directory().createDomain(domain);
      }
      server.directory().createAccount(account, "Secret-" + account);
    }
    return server;
  }

  private CarbonioServer startBoth(Map<String, FilterPolicy> policies) throws Exception {
    return start(Optional.of(CLAMD.address()), Optional.of(SPAMD.address()), policies);
  }

  /** A multipart message with EICAR as a base64 attachment (what a mail client sends). */
  static byte[] eicarMessage(String subject) {
    String attachment =
        Base64.getMimeEncoder()
            .encodeToString(ClamdServer.EICAR.getBytes(StandardCharsets.US_ASCII));
    return E2E.crlf(
        "From: mallory@example.org\n"
            + "To: ann@example.test\n"
            + "Subject: "
            + subject
            + "\n"
            + "Message-ID: <"
            + subject.replace(' ', '-')
            + "@filter.test>\n"
            + "MIME-Version: 1.0\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\n"
            + "\n"
            + "--b1\n"
            + "Content-Type: text/plain\n"
            + "\n"
            + "see the attachment\n"
            + "--b1\n"
            + "Content-Type: application/octet-stream; name=\"eicar.com\"\n"
            + "Content-Disposition: attachment; filename=\"eicar.com\"\n"
            + "Content-Transfer-Encoding: base64\n"
            + "\n"
            + attachment
            + "\n"
            + "--b1--\n");
  }

  static byte[] gtubeMessage(String subject) {
    return E2E.crlf(
        "From: spammer@example.org\n"
            + "To: ann@example.test\n"
            + "Subject: "
            + subject
            + "\n"
            + "Message-ID: <"
            + subject.replace(' ', '-')
            + "@filter.test>\n"
            + "\n"
            + "Buy now.\n"
            + SpamdServer.GTUBE
            + "\n");
  }

  static byte[] cleanMessage(String subject) {
    return E2E.crlf(
        "From: friend@example.org\nTo: ann@example.test\nSubject: "
            + subject
            + "\n\nHello, nothing to see here.\n");
  }

  /** MAIL, RCPT (each must be accepted), DATA; returns the reply to the end of data. */
  static String send(int port, List<String> recipients, byte[] message) throws IOException {
    try (RawSmtp smtp = new RawSmtp(port)) {
      smtp.command("MAIL FROM:<sender@example.org>", "250");
      for (String to : recipients) {
        smtp.command("RCPT TO:<" + to + ">", "250");
      }
      smtp.command("DATA", "354");
      smtp.write(message); // no line of these messages starts with "."
      smtp.write(".\r\n".getBytes(ISO_8859_1));
      return smtp.reply();
    }
  }

  private int smtpPort() {
    return server.port(Listener.Kind.SMTP);
  }

  private List<String> folder(String address, String folder) throws IOException {
    return folder(
        server.store(), server.directory().findAccount(address).orElseThrow().id(), folder);
  }

  static List<String> folder(MailStore store, String accountId, String folder) throws IOException {
    Mailbox box = store.mailbox(accountId);
    if (box.folders().stream().noneMatch(f -> f.name().equals(folder))) {
      return List.of();
    }
    List<String> out = new java.util.ArrayList<>();
    for (MessageInfo m : box.snapshot(folder).messages()) {
      out.add(new String(box.read(folder, m.uid()), ISO_8859_1));
    }
    return out;
  }

  /** The header section of a stored message. */
  static String header(String message) {
    int end = message.indexOf("\r\n\r\n");
    return end < 0 ? message : message.substring(0, end + 2);
  }

  @Test
  void virusShouldBeRejectedWhenPolicyIsDefault() throws Exception {
    startBoth(Map.of());
    String reply = send(smtpPort(), List.of(ANN), eicarMessage("virus default"));
    // RFC 5321 §4.2.2 (550), RFC 3463 §3.8 X.7.1: delivery not authorized, message refused
    assertThat(reply).startsWith("550 5.7.1").contains("Virus found: " + VIRUS_NAME);
    assertThat(folder(ANN, LocalDelivery.INBOX)).isEmpty();
    assertThat(server.queue().list()).isEmpty();
  }

  @Test
  void cleanMailShouldBeDeliveredWithScanHeadersWhenBothFiltersRun() throws Exception {
    startBoth(Map.of());
    assertThat(send(smtpPort(), List.of(ANN), cleanMessage("clean"))).startsWith("250");
    List<String> inbox = folder(ANN, LocalDelivery.INBOX);
    assertThat(inbox).hasSize(1);
    assertThat(header(inbox.get(0)))
        .contains("X-Virus-Status: Clean\r\n")
        .contains("X-Spam-Status: No, score=")
        .doesNotContain("X-Spam-Flag");
  }

  @Test
  void virusShouldBeHeldAndDeliveredOnlyOnReleaseWhenPolicyIsQuarantine() throws Exception {
    startBoth(Map.of("*", FilterPolicy.DEFAULTS.withVirusAction(VirusAction.QUARANTINE)));
    byte[] sent = eicarMessage("virus quarantined");
    assertThat(send(smtpPort(), List.of(ANN), sent)).startsWith("250");

    List<QueuedMessage> queued = server.queue().list();
    assertThat(queued).hasSize(1);
    QueuedMessage held = queued.get(0);
    assertThat(held.held()).isTrue();
    assertThat(held.holdReason()).contains(VIRUS_NAME);
    assertThat(held.envelope().recipients()).extracting(r -> r.address()).containsExactly(ANN);
    assertThat(folder(ANN, LocalDelivery.INBOX)).isEmpty();

    // An operator releases it: the queue delivers what it holds, without scanning it again (the
    // filters run at the end of DATA only), so the recipient gets the virus, marked as infected.
    assertThat(server.queue().release(held.id())).isTrue();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> folder(ANN, LocalDelivery.INBOX).size() == 1);
    String delivered = folder(ANN, LocalDelivery.INBOX).get(0);
    assertThat(header(delivered)).contains("X-Virus-Status: Infected (" + VIRUS_NAME + ")");
    assertThat(delivered).endsWith(new String(sent, ISO_8859_1));
    await().atMost(Duration.ofSeconds(10)).until(() -> server.queue().list().isEmpty());
  }

  @Test
  void virusShouldBeDeliveredWithStatusHeaderWhenPolicyIsTag() throws Exception {
    startBoth(Map.of("example.test", FilterPolicy.DEFAULTS.withVirusAction(VirusAction.TAG)));
    assertThat(send(smtpPort(), List.of(ANN), eicarMessage("virus tagged"))).startsWith("250");
    List<String> inbox = folder(ANN, LocalDelivery.INBOX);
    assertThat(inbox).hasSize(1);
    assertThat(header(inbox.get(0)))
        .contains("X-Virus-Scanned: ClamAV")
        .contains("X-Virus-Status: Infected (" + VIRUS_NAME + ")\r\n");
    assertThat(server.queue().list()).isEmpty();
  }

  @Test
  void spamShouldBeTaggedInInboxWhenPolicyIsDefault() throws Exception {
    startBoth(Map.of());
    assertThat(send(smtpPort(), List.of(ANN), gtubeMessage("spam tagged"))).startsWith("250");
    List<String> inbox = folder(ANN, LocalDelivery.INBOX);
    assertThat(inbox).hasSize(1);
    assertThat(header(inbox.get(0)))
        .contains("X-Spam-Flag: YES\r\n")
        .containsPattern(
            "X-Spam-Status: Yes, score=\\d+(\\.\\d)? required=5\\.0\\s+tests=\\S*GTUBE");
    assertThat(folder(ANN, LocalDelivery.JUNK)).isEmpty();
  }

  @Test
  void spamShouldLandInJunkWhenPolicyIsJunk() throws Exception {
    startBoth(Map.of("example.test", FilterPolicy.DEFAULTS.withSpamAction(SpamAction.JUNK)));
    assertThat(send(smtpPort(), List.of(ANN), gtubeMessage("spam junked"))).startsWith("250");
    assertThat(folder(ANN, LocalDelivery.INBOX)).isEmpty();
    List<String> junk = folder(ANN, LocalDelivery.JUNK);
    assertThat(junk).hasSize(1);
    assertThat(header(junk.get(0))).contains("X-Spam-Flag: YES\r\n");
  }

  @Test
  void spamShouldBeRejectedWhenPolicyIsReject() throws Exception {
    startBoth(Map.of("*", FilterPolicy.DEFAULTS.withSpamAction(SpamAction.REJECT)));
    String reply = send(smtpPort(), List.of(ANN), gtubeMessage("spam rejected"));
    assertThat(reply).startsWith("550 5.7.1").contains("spam");
    assertThat(folder(ANN, LocalDelivery.INBOX)).isEmpty();
    assertThat(folder(ANN, LocalDelivery.JUNK)).isEmpty();
    assertThat(server.queue().list()).isEmpty();
  }

  @Test
  void recipientsShouldGetTheirDomainsPolicyWhenOneMessageGoesToTwoDomains() throws Exception {
    startBoth(
        Map.of(
            "example.test", FilterPolicy.DEFAULTS.withSpamAction(SpamAction.JUNK),
            "other.test", FilterPolicy.DEFAULTS.withSpamAction(SpamAction.TAG)));
    assertThat(send(smtpPort(), List.of(ANN, BOB), gtubeMessage("spam two domains")))
        .startsWith("250");
    assertThat(folder(ANN, LocalDelivery.JUNK)).hasSize(1);
    assertThat(folder(ANN, LocalDelivery.INBOX)).isEmpty();
    assertThat(folder(BOB, LocalDelivery.JUNK)).isEmpty();
    List<String> bobInbox = folder(BOB, LocalDelivery.INBOX);
    assertThat(bobInbox).hasSize(1);
    assertThat(header(bobInbox.get(0))).contains("X-Spam-Flag: YES\r\n");
  }

  @Test
  void refusingDomainShouldGetQuarantineWhenAnotherDomainAcceptsTheVirus() throws Exception {
    // One DATA has one reply (RFC 5321 §4.1.1.4): ann's domain refuses viruses, bob's tags them.
    // The message is accepted for bob, and ann's copy is held rather than silently dropped.
    startBoth(Map.of("other.test", FilterPolicy.DEFAULTS.withVirusAction(VirusAction.TAG)));
    assertThat(send(smtpPort(), List.of(ANN, BOB), eicarMessage("virus two domains")))
        .startsWith("250");
    List<String> bobInbox = folder(BOB, LocalDelivery.INBOX);
    assertThat(bobInbox).hasSize(1);
    assertThat(header(bobInbox.get(0))).contains("X-Virus-Status: Infected (" + VIRUS_NAME + ")");
    assertThat(folder(ANN, LocalDelivery.INBOX)).isEmpty();
    List<QueuedMessage> queued = server.queue().list();
    assertThat(queued).hasSize(1);
    assertThat(queued.get(0).held()).isTrue();
    assertThat(queued.get(0).envelope().recipients())
        .extracting(r -> r.address())
        .containsExactly(ANN);
    assertThat(queued.get(0).holdReason()).contains("Virus found: " + VIRUS_NAME);
  }

  @Test
  void messageShouldBeDeferredWhenClamdIsDown() throws Exception {
    start(Optional.of(closedPort()), Optional.of(SPAMD.address()), Map.of());
    String reply = send(smtpPort(), List.of(ANN), cleanMessage("clamd down"));
    // fail closed: RFC 5321 §4.2.5, the client keeps the message and retries later
    assertThat(reply).startsWith("451 4.7.1");
    assertThat(folder(ANN, LocalDelivery.INBOX)).isEmpty();
    assertThat(server.queue().list()).isEmpty();
  }

  @Test
  void messageShouldBeDeliveredUnscannedWhenSpamdIsDown() throws Exception {
    start(Optional.of(CLAMD.address()), Optional.of(closedPort()), Map.of());
    assertThat(send(smtpPort(), List.of(ANN), gtubeMessage("spamd down"))).startsWith("250");
    List<String> inbox = folder(ANN, LocalDelivery.INBOX);
    assertThat(inbox).hasSize(1);
    assertThat(header(inbox.get(0)))
        .contains("X-Spam-Status: Unscanned")
        .contains("X-Virus-Status: Clean")
        .doesNotContain("X-Spam-Flag");
  }

  /**
   * The launcher's flags: {@code --clamd}, {@code --spamd} and {@code --filter-policy} parsed by
   * {@code carbonio run} in its own JVM; the result is read from the data directory after a clean
   * stop.
   */
  @Test
  void launcherShouldApplyFilterFlagsWhenGivenOnTheCommandLine() throws Exception {
    Path data = tmp.resolve("cli-data");
    try (EmbeddedDirectory directory = E2E.cheapDirectory(data)) {
      directory.createDomain("example.test");
      directory.createAccount(ANN, "Secret-ann");
    }
    try (ServerProcess process =
        ServerProcess.start(
            data,
            List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), // starts faster
            "--domain",
            "example.test",
            "--clamd",
            "127.0.0.1:" + CLAMD.server().port(),
            "--spamd",
            "127.0.0.1:" + SPAMD.server().port(),
            "--filter-policy",
            "example.test:virus=quarantine,spam=junk",
            "--filter-policy",
            "*:spam=reject")) {
      int port = process.port("smtp");
      assertThat(send(port, List.of(ANN), eicarMessage("cli virus"))).startsWith("250");
      assertThat(send(port, List.of(ANN), gtubeMessage("cli spam"))).startsWith("250");
      assertThat(send(port, List.of(ANN), cleanMessage("cli clean"))).startsWith("250");
    } // SIGTERM: a clean stop
    String annId;
    try (EmbeddedDirectory directory = EmbeddedDirectory.open(data.resolve("directory"))) {
      annId = directory.findAccount(ANN).orElseThrow().id();
    }
    try (MailStore store = MailStore.open(data.resolve("store"))) {
      List<String> junk = folder(store, annId, LocalDelivery.JUNK);
      assertThat(junk).hasSize(1);
      assertThat(junk.get(0)).contains("Subject: cli spam").contains("X-Spam-Flag: YES");
      List<String> inbox = folder(store, annId, LocalDelivery.INBOX);
      assertThat(inbox).hasSize(1);
      assertThat(inbox.get(0)).contains("Subject: cli clean").contains("X-Virus-Status: Clean");
    }
    try (MailQueue queue = MailQueue.builder().directory(data.resolve("queue")).build()) {
      List<QueuedMessage> held = queue.list();
      assertThat(held).hasSize(1);
      assertThat(held.get(0).held()).isTrue();
      assertThat(held.get(0).holdReason()).contains(VIRUS_NAME);
    }
  }

  /** An address nothing listens on: a port that was free a moment ago. */
  static InetSocketAddress closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    }
  }
}
