package org.carbonio.smtp.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.DsnReturn;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.RecipientOutcome.Status;
import org.carbonio.smtp.dns.DnsjavaResolver;
import org.carbonio.smtp.protocol.BodyType;
import org.carbonio.smtp.testkit.DnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Postfix's smtp-sink (Debian) as the remote MX: pipelining, DSN and a real dump of each mail. */
class SmtpSinkDeliveryTest {

  private static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");

  @TempDir Path dir;
  private Process sink;
  private int port;
  private DnsServer dns;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(SMTP_SINK), "smtp-sink not installed");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    List<String> cmd = new ArrayList<>(List.of(SMTP_SINK.toString()));
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.addAll(List.of("-u", "postfix")); // smtp-sink refuses to run as root
    }
    cmd.addAll(List.of("-d", dir + "/%M.", "127.0.0.1:" + port, "100"));
    sink =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sink.log").toFile())
            .start();
    await().atMost(Duration.ofSeconds(10)).until(() -> accepts(port));
    dns = DnsServer.start();
    dns.mx("example.test", 10, "sink.example.test").a("sink.example.test", "127.0.0.1");
  }

  private boolean accepts(int p) {
    if (!sink.isAlive()) {
      throw new IllegalStateException("smtp-sink exited " + sink.exitValue());
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (dns != null) {
      dns.close();
    }
    if (sink != null) {
      sink.destroy();
      sink.waitFor();
    }
  }

  @Test
  void deliverShouldReachSmtpSinkWithDsnParametersWhenPipelining() throws Exception {
    byte[] body = "Subject: sink\r\n\r\n.leading dot\r\nbare LF\nend".getBytes(UTF_8);
    MessageContent content =
        new MessageContent() {
          @Override
          public InputStream open() {
            return new ByteArrayInputStream(body);
          }

          @Override
          public long size() {
            return body.length;
          }
        };
    Envelope env =
        new Envelope(
            "a@sender.test",
            List.of(
                new EnvelopeRecipient("b@example.test", Set.of(DsnNotify.NEVER), ""),
                EnvelopeRecipient.of("c@example.test")),
            DsnReturn.FULL,
            "env-1",
            BodyType.EIGHT_BIT_MIME,
            false,
            false);
    OutboundConfig config =
        OutboundConfig.builder()
            .heloName("client.test")
            .port(port)
            .allTimeouts(Duration.ofSeconds(10))
            .build();
    try (OutboundDelivery out =
        OutboundDelivery.create(
            config, DnsjavaResolver.of(List.of(dns.address()), Duration.ofSeconds(2)))) {
      List<RecipientOutcome> outcomes = out.deliver(env, env.recipients(), content);
      assertThat(outcomes).extracting(RecipientOutcome::status).containsOnly(Status.DELIVERED);
      assertThat(outcomes)
          .extracting(RecipientOutcome::remoteMta)
          .containsOnly("sink.example.test");
    }
    String dump;
    try (Stream<Path> files = Files.list(dir)) {
      Path file =
          files
              .filter(p -> !p.getFileName().toString().equals("sink.log"))
              .findFirst()
              .orElseThrow();
      dump = Files.readString(file, UTF_8);
    }
    assertThat(dump)
        .contains("X-Mail-Args: <a@sender.test> BODY=8BITMIME RET=FULL ENVID=env-1")
        .contains("X-Rcpt-Args: <b@example.test> NOTIFY=NEVER")
        .contains("X-Helo-Args: client.test")
        // the sink dot-unstuffs and writes lines with LF; a final line end was added
        .contains("\n.leading dot\nbare LF\nend\n");
  }
}
