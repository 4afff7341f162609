package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.carbonio.directory.DkimKey;
import org.carbonio.smtp.dns.DnsjavaResolver;
import org.carbonio.smtp.mailauth.DkimKeys;
import org.carbonio.smtp.mailauth.DkimResult;
import org.carbonio.smtp.mailauth.DkimVerifier;
import org.carbonio.smtp.testkit.DnsServer;
import org.carbonio.smtp.testkit.PostfixServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail submitted for a domain with an active DKIM key is signed (RFC 6376 §5), travels through a
 * private Postfix, and the copy in Postfix's maildir verifies with Debian's dkimpy and with our
 * verifier over DNS; a copy with one body byte changed fails both.
 */
class DkimEndToEndTest {

  private static final String PASSWORD = "alice-Secret-1";
  private static final String SELECTOR = "s2026";
  private static DnsServer dns;
  private static PostfixServer remote;

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension().mta(() -> MtaClient.mta(List.of(), dns, remote.port()));

  @TempDir Path tmp;

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

  @Test
  void signedMessageShouldVerifyAtReceiverWhenIntactAndFailWhenTampered() throws Exception {
    CarbonioServer server = carbonio.server();
    server.directory().createDomain("example.org");
    server.directory().createAccount("alice@example.org", PASSWORD);
    KeyPair keys = DkimKeys.generateRsa();
    String txt = DkimKeys.txtRecord(keys.getPublic());
    server
        .directory()
        .addDkimKey(
            "example.org",
            new DkimKey(
                SELECTOR,
                DkimKey.Algorithm.RSA_SHA256,
                keys.getPrivate().getEncoded(),
                txt,
                Instant.now(),
                DkimKey.State.ACTIVE));
    dns.txt(DkimKeys.recordName(SELECTOR, "example.org"), txt);

    long before = remote.deliveredCount("bob@example.net");
    MtaClient.Reply reply =
        MtaClient.submit(
            carbonio.dataDir(),
            carbonio.port(Listener.Kind.SUBMISSION),
            "alice@example.org",
            PASSWORD,
            "<alice@example.org>",
            List.of("<bob@example.net>"),
            E2E.crlf(
                """
                From: Alice <alice@example.org>
                To: Bob <bob@example.net>
                Subject: signed by the server
                Message-ID: <dkim-1@example.org>
                MIME-Version: 1.0
                Content-Type: text/plain; charset=utf-8

                This message is signed.\s\s
                .A line with a leading dot.

                """));
    assertThat(reply.code()).as(reply.toString()).isEqualTo(250);
    remote.awaitDelivered(before + 1, Duration.ofSeconds(30));
    Path file =
        remote.deliveredFiles().stream()
            .filter(p -> read(p).contains("Message-ID: <dkim-1@example.org>"))
            .findFirst()
            .orElseThrow();
    // a maildir holds LF lines; the message on the wire had CRLF (RFC 5322 §2.1)
    byte[] delivered = read(file).replaceAll("\r?\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    String text = new String(delivered, StandardCharsets.ISO_8859_1);
    assertThat(text)
        .contains("DKIM-Signature:")
        .contains("d=example.org")
        .contains("s=" + SELECTOR);
    assertThat(text).contains("by postfix.test (Postfix)"); // it really went through Postfix

    assertThat(pyDkimVerify(delivered, txt)).as("dkimpy on the delivered copy").isTrue();
    assertThat(ourVerify(delivered))
        .as("DkimVerifier on the delivered copy")
        .isEqualTo(DkimResult.Result.PASS);

    byte[] tampered = delivered.clone();
    int body = text.indexOf("This message is signed.");
    tampered[body] = 't';
    assertThat(pyDkimVerify(tampered, txt)).as("dkimpy on a tampered copy").isFalse();
    assertThat(ourVerify(tampered))
        .as("DkimVerifier on a tampered copy")
        .isEqualTo(DkimResult.Result.FAIL);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static DkimResult.Result ourVerify(byte[] message) throws IOException {
    DnsjavaResolver resolver = DnsjavaResolver.of(List.of(dns.address()), Duration.ofSeconds(2));
    List<DkimResult> results =
        DkimVerifier.builder(resolver).build().verify(new ByteArrayInputStream(message));
    assertThat(results).hasSize(1);
    assertThat(results.getFirst().domain()).isEqualTo("example.org");
    return results.getFirst().result();
  }

  /**
   * Debian's python3-dkim, given the TXT record for every key lookup (as carbonio-smtp's DkimTest).
   */
  private boolean pyDkimVerify(byte[] message, String txt) throws Exception {
    Path record = Files.writeString(tmp.resolve("txt-" + System.nanoTime()), txt);
    Process p =
        new ProcessBuilder(
                "/usr/bin/python3", // Debian's, where python3-dkim is installed
                "-c",
                "import dkim,sys\n"
                    + "txt=open(sys.argv[1],'rb').read()\n"
                    + "msg=sys.stdin.buffer.read()\n"
                    + "ok=dkim.verify(msg,dnsfunc=lambda name,timeout=5: txt)\n"
                    + "print('PASS' if ok else 'FAIL')\n",
                record.toString())
            .redirectError(tmp.resolve("dkimpy.err").toFile())
            .start();
    try {
      p.getOutputStream().write(message);
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue())
          .as("dkimpy: %s", Files.readString(tmp.resolve("dkimpy.err")))
          .isZero();
      Files.write(tmp.resolve("last.eml"), message);
      return out.strip().equals("PASS");
    } finally {
      p.destroyForcibly();
    }
  }
}
