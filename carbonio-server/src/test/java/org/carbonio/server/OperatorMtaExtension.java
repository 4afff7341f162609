package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.carbonio.directory.Role;
import org.carbonio.server.cli.Main;
import org.carbonio.smtp.testkit.DnsServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server per test method for the operator commands ({@code queue}, {@code prov dkim-*}): its
 * resolver is a private {@link DnsServer} where {@code remote.test}'s MX is 127.0.0.1, and outbound
 * delivery goes to a port where nothing listens, so mail to {@code remote.test} stays deferred.
 * Domain {@code example.org} with {@code alice} and {@code bob}; {@code dora} is its domain admin
 * and {@code hugo} its help desk (passwords in files for {@code --admin-password-file}).
 */
final class OperatorMtaExtension implements BeforeEachCallback, AfterEachCallback {

  static final String DOMAIN = "example.org";
  static final String ALICE = "alice@example.org";
  static final String BOB = "bob@example.org";
  static final String DORA = "dora@example.org";
  static final String HUGO = "hugo@example.org";
  static final String PASSWORD = "Operator-Secret-1";

  record Outcome(int exitCode, String out, String err) {}

  private Path root;
  private DnsServer dns;
  private CarbonioServer server;
  private int deadPort;

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    root = Files.createTempDirectory("carbonio-operator-");
    dns = DnsServer.start();
    dns.mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", "127.0.0.1");
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort(); // closed at once: connections there are refused
    }
    MtaConfig mta =
        new MtaConfig(
            List.of(),
            List.of(dns.address()),
            deadPort,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            false,
            Map.of());
    server =
        CarbonioServer.start(
            ServerConfig.defaults(root.resolve("data")).withEphemeralPorts().withMta(mta));
    var directory = server.directory();
    directory.createDomain(DOMAIN);
    directory.createDomain("other.org");
    for (String address : List.of(ALICE, BOB, DORA, HUGO)) {
      directory.createAccount(address, PASSWORD);
    }
    directory.grantRole(DORA, new Role(Role.Kind.DOMAIN_ADMIN, DOMAIN));
    directory.grantRole(HUGO, new Role(Role.Kind.HELP_DESK, DOMAIN));
    Files.writeString(passwordFile(), PASSWORD + "\n");
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (dns != null) {
        dns.close();
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  CarbonioServer server() {
    return server;
  }

  DnsServer dns() {
    return dns;
  }

  Path dataDir() {
    return server.config().dataDir();
  }

  /** The file holding {@link #PASSWORD}, for {@code --admin-password-file}. */
  Path passwordFile() {
    return root.resolve("password");
  }

  /** Runs {@code carbonio ARGS} in this JVM, as the launcher does. */
  Outcome carbonio(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }

  /** {@code carbonio COMMAND --data DIR ARGS...}. */
  Outcome run(String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command, "--data", dataDir().toString()));
    all.addAll(List.of(args));
    return carbonio(all.toArray(String[]::new));
  }

  /** {@link #run} that must exit 0. */
  Outcome ok(String command, String... args) {
    Outcome o = run(command, args);
    assertThat(o.exitCode()).as("%s %s: %s", command, List.of(args), o.err()).isZero();
    return o;
  }

  /** Submits a message on port 587 (STARTTLS, then AUTH as {@code from}) with Jakarta Mail. */
  void submit(String from, String to, String subject, String text) throws Exception {
    SSLContext trust = E2E.trusting(dataDir());
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", Integer.toString(server.port(Listener.Kind.SUBMISSION)));
    props.put("mail.smtp.auth", "true");
    props.put("mail.smtp.starttls.enable", "true");
    props.put("mail.smtp.starttls.required", "true");
    props.put("mail.smtp.ssl.socketFactory", trust.getSocketFactory());
    props.put("mail.smtp.ssl.checkserveridentity", "true");
    props.put("mail.smtp.connectiontimeout", "10000");
    props.put("mail.smtp.timeout", "30000");
    Session session = Session.getInstance(props);
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress(from));
    message.setRecipients(Message.RecipientType.TO, to);
    message.setSubject(subject);
    message.setText(text, "UTF-8");
    Transport.send(message, from, PASSWORD);
  }

  /** The resolver address, for test-side lookups. */
  InetSocketAddress dnsAddress() {
    return dns.address();
  }
}
