package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.carbonio.directory.DirectoryLimits;
import org.carbonio.directory.EmbeddedDirectory;
import org.carbonio.server.internal.AdminApi;
import org.carbonio.server.internal.TlsMaterial;

/** Shared helpers of the end-to-end tests. */
final class E2E {

  private E2E() {}

  /** A message as python's imaplib returned it. */
  record Fetched(long uid, String flags, byte[] body) {}

  /** Reads a mailbox with {@code clients/imap_fetch.py} (Python's imaplib). */
  static List<Fetched> imaplibFetch(
      Path dataDir, int port, String mode, String user, String password, String mailbox)
      throws IOException, InterruptedException {
    Path script = script("imap_fetch.py");
    ExternalTool.Result result =
        ExternalTool.run(
                List.of(
                    "python3",
                    script.toString(),
                    "127.0.0.1",
                    Integer.toString(port),
                    user,
                    password,
                    TlsMaterial.defaultCertificate(dataDir).toString(),
                    mode,
                    mailbox))
            .assertSuccess();
    JsonNode messages = AdminApi.json().readTree(result.stdout());
    List<Fetched> fetched = new ArrayList<>();
    for (JsonNode m : messages) {
      fetched.add(
          new Fetched(
              m.path("uid").asLong(),
              m.path("flags").asText(),
              Base64.getDecoder().decode(m.path("body").asText())));
    }
    return fetched;
  }

  static Path script(String name) throws IOException {
    try (InputStream in = E2E.class.getResourceAsStream("/clients/" + name)) {
      Path file = Files.createTempFile("carbonio-", "-" + name);
      file.toFile().deleteOnExit();
      Files.write(file, in.readAllBytes());
      return file;
    }
  }

  /** The stored copy is the sent message behind exactly one Received trace header. */
  static void assertStoredAsSent(byte[] stored, byte[] sent) {
    String text = new String(stored, StandardCharsets.ISO_8859_1);
    assertThat(text).startsWith("Received: ");
    assertThat(stored.length).isGreaterThan(sent.length);
    byte[] tail = java.util.Arrays.copyOfRange(stored, stored.length - sent.length, stored.length);
    assertThat(tail).as("message after the trace header").isEqualTo(sent);
    String trace = text.substring(0, stored.length - sent.length);
    assertThat(trace.split("\r\n(?![ \t])")).as("one folded Received header").hasSize(1);
  }

  /**
   * The directory in a server's data directory, opened before the server starts (as ServerExtension
   * does, through the directory API), with the cheapest password hashes: creating many accounts at
   * the default work factor would take seconds.
   */
  static EmbeddedDirectory cheapDirectory(Path dataDir) throws IOException {
    return EmbeddedDirectory.builder()
        .dataDir(dataDir.resolve("directory"))
        .limits(
            DirectoryLimits.DEFAULTS.withPbkdf2Iterations(DirectoryLimits.MIN_PBKDF2_ITERATIONS))
        .build();
  }

  /** Trusts exactly the server's self-signed certificate. */
  static SSLContext trusting(Path dataDir) throws Exception {
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(TlsMaterial.defaultCertificate(dataDir))) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("carbonio", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  static byte[] crlf(String text) {
    return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
  }
}
