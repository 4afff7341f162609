package org.carbonio.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.carbonio.smtp.spi.Delivery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * swaks (an external SMTP client, installed by {@code ./carbonio test}) against the engine over a
 * real socket: AUTH PLAIN and LOGIN over STARTTLS and implicit TLS, PIPELINING and LMTP. swaks
 * 20201014 cannot send BDAT, DSN or SMTPUTF8 parameters; those run over a raw socket and Angus Mail
 * in {@link SmtpExtensionsServerTest}.
 */
class SwaksTest {

  record Result(int exitCode, String out, String err) {}

  private final Queue<Delivery> delivered = new ConcurrentLinkedQueue<>();
  private final Queue<String> contents = new ConcurrentLinkedQueue<>();
  private final List<SmtpServer> servers = new ArrayList<>();

  private SmtpServer start(SmtpServer.Builder b) throws IOException {
    SmtpServer s =
        b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .hostname("mx.example.test")
            .shutdownTimeout(Duration.ofSeconds(2))
            .deliveryHandler(
                d -> {
                  contents.add(new String(d.content().readAllBytes(), StandardCharsets.UTF_8));
                  delivered.add(d);
                })
            .build();
    servers.add(s);
    return s.start();
  }

  @AfterEach
  void closeServers() {
    servers.forEach(SmtpServer::close);
  }

  private static Result swaks(SmtpServer smtp, String... extra) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "swaks",
                "--server",
                "127.0.0.1",
                "--port",
                Integer.toString(smtp.localAddress().getPort()),
                "--ehlo",
                "swaks.example.test",
                "--from",
                "alice@example.test",
                "--to",
                "bob@example.org",
                "--timeout",
                "20"));
    command.addAll(List.of(extra));
    Process p = new ProcessBuilder(command).start();
    p.getOutputStream().close();
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish within 60 s");
    }
    return new Result(p.exitValue(), out.join(), err.join());
  }

  private static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        },
        r -> Thread.ofVirtual().start(r));
  }

  private static void assertSuccess(Result r) {
    assertThat(r.exitCode()).as("swaks exit code; output:\n%s\n%s", r.out(), r.err()).isZero();
  }

  private static String[] auth(String mechanism, String password) {
    return new String[] {
      "--auth", mechanism, "--auth-user", "alice@example.test", "--auth-password", password
    };
  }

  @Test
  void swaksShouldSubmitWithAuthPlainAndLoginOverStartTls() throws Exception {
    SmtpServer smtp =
        start(
            SmtpServer.builder()
                .tls(TestTls.server())
                .authenticator(SmtpExtensionsServerTest.ALICE)
                .listenerPolicy(ListenerPolicy.SUBMISSION));
    for (String mechanism : List.of("PLAIN", "LOGIN")) {
      List<String> args = new ArrayList<>(List.of("-tls"));
      args.addAll(List.of(auth(mechanism, "s3cret")));
      Result r = swaks(smtp, args.toArray(String[]::new));
      assertSuccess(r);
      assertThat(r.out()).contains("<~  235 2.7.0 Authentication successful");
      Delivery d = delivered.remove();
      assertThat(d.session().authenticated()).isEqualTo("alice@example.test");
      assertThat(d.session().heloName()).isEqualTo("swaks.example.test");
      assertThat(contents.remove()).contains(" with ESMTPSA id ");
    }
  }

  @Test
  void swaksShouldBeRefusedWhenPasswordIsWrongOrTlsIsMissing() throws Exception {
    SmtpServer smtp =
        start(
            SmtpServer.builder()
                .tls(TestTls.server())
                .authenticator(SmtpExtensionsServerTest.ALICE)
                .listenerPolicy(ListenerPolicy.SUBMISSION));
    Result wrong =
        swaks(
            smtp,
            "-tls",
            "--auth",
            "PLAIN",
            "--auth-user",
            "alice@example.test",
            "--auth-password",
            "wrong");
    assertThat(wrong.exitCode()).isNotZero();
    assertThat(wrong.out()).contains("<~* 535 5.7.8");
    // no TLS: AUTH is not advertised (swaks gives up), and MAIL needs AUTH
    Result plain = swaks(smtp, "--auth", "PLAIN", "--auth-user", "x", "--auth-password", "y");
    assertThat(plain.exitCode()).isNotZero();
    Result noAuth = swaks(smtp);
    assertThat(noAuth.exitCode()).isNotZero();
    assertThat(noAuth.out()).contains("<** 530 5.7.0 Authentication required");
    assertThat(delivered).isEmpty();
  }

  @Test
  void swaksShouldSubmitWithAuthOverImplicitTls() throws Exception {
    SmtpServer smtp =
        start(
            SmtpServer.builder()
                .tls(TestTls.server())
                .authenticator(SmtpExtensionsServerTest.ALICE)
                .listenerPolicy(ListenerPolicy.SUBMISSIONS));
    List<String> args = new ArrayList<>(List.of("-tlsc", "--pipeline"));
    args.addAll(List.of(auth("LOGIN", "s3cret")));
    Result r = swaks(smtp, args.toArray(String[]::new));
    assertSuccess(r);
    assertThat(delivered.remove().session().tls()).isTrue();
    assertThat(contents.remove()).contains(" with ESMTPSA id ");
  }

  @Test
  void swaksShouldPipelineOnMxAndSpeakLmtp() throws Exception {
    SmtpServer mx = start(SmtpServer.builder());
    Result r = swaks(mx, "--pipeline", "--to", "b1@example.test,b2@example.test");
    assertSuccess(r);
    assertThat(r.out()).contains("PIPELINING", "CHUNKING", "DSN", "SMTPUTF8");
    assertThat(delivered.remove().recipients())
        .containsExactly("b1@example.test", "b2@example.test");

    SmtpServer lmtp = start(SmtpServer.builder().mode(SmtpMode.LMTP));
    Result l = swaks(lmtp, "--protocol", "LMTP", "--to", "b1@example.test,b2@example.test");
    assertSuccess(l);
    assertThat(l.out().split("<-  250 2\\.0\\.0 OK: queued", -1)).hasSize(3); // RFC 2033 §4.2
    assertThat(contents).hasSize(2);
  }
}
