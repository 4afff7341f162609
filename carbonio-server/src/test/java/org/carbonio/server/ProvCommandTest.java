package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.carbonio.server.cli.Main;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code carbonio prov} against a running server, through the local admin API. */
class ProvCommandTest {

  @RegisterExtension final ServerExtension carbonio = new ServerExtension();

  @TempDir Path tmp;
  private Path data;
  private CarbonioServer server;

  private static final java.net.InetAddress LOOPBACK = java.net.InetAddress.getLoopbackAddress();

  record Outcome(int exitCode, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    server = carbonio.server();
    data = carbonio.dataDir();
  }

  private Outcome prov(Path dataDir, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("prov", "--data", dataDir.toString()));
    all.addAll(List.of(args));
    int code =
        Main.commandLine()
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(all.toArray(String[]::new));
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void provShouldManageDomainsAndAccountsWhenServerRuns() throws Exception {
    assertThat(prov(data, "create-domain", "example.org").out())
        .contains("created domain example.org");
    assertThat(prov(data, "create-account", "dave@example.org", "dave-Secret-1").exitCode())
        .isZero();
    assertThat(prov(data, "create-account", "erin@example.org", "erin-Secret-1").exitCode())
        .isZero();
    assertThat(prov(data, "list-accounts", "example.org").out().lines().toList())
        .containsExactly("dave@example.org", "erin@example.org");
    assertThat(prov(data, "list-accounts").out().lines().toList())
        .contains("admin@localhost", "dave@example.org", "erin@example.org");
    assertThat(prov(data, "list-domains").out().lines().toList())
        .contains("example.org", "localhost");

    assertThat(server.directory().authenticate("dave@example.org", "dave-Secret-1", LOOPBACK))
        .isPresent();
    assertThat(prov(data, "set-password", "dave@example.org", "dave-New-2").exitCode()).isZero();
    assertThat(server.directory().authenticate("dave@example.org", "dave-New-2", LOOPBACK))
        .isPresent();
    assertThat(server.directory().authenticate("dave@example.org", "dave-Secret-1", LOOPBACK))
        .isEmpty();

    assertThat(prov(data, "delete-account", "erin@example.org").exitCode()).isZero();
    assertThat(prov(data, "list-accounts", "example.org").out().lines().toList())
        .containsExactly("dave@example.org");
    assertThat(prov(data, "--json", "list-accounts", "example.org").out()).contains("\"address\"");
  }

  @Test
  void provShouldReadPasswordFromStdinWhenGivenDash() throws Exception {
    java.io.InputStream stdin = System.in;
    try {
      System.setIn(
          new java.io.ByteArrayInputStream(
              "from-Stdin-1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      assertThat(prov(data, "create-account", "stdin@localhost", "-").exitCode()).isZero();
    } finally {
      System.setIn(stdin);
    }
    assertThat(server.directory().authenticate("stdin@localhost", "from-Stdin-1", LOOPBACK))
        .isPresent();
  }

  @Test
  void provShouldExitNonZeroWithClearMessageWhenRequestIsWrong() {
    Outcome unknownDomain = prov(data, "create-account", "x@nowhere.example", "pw-Secret-1");
    assertThat(unknownDomain.exitCode()).isEqualTo(1);
    assertThat(unknownDomain.err()).contains("nowhere.example");

    assertThat(prov(data, "create-account", "frank@localhost", "pw-Secret-1").exitCode()).isZero();
    Outcome duplicate = prov(data, "create-account", "frank@localhost", "pw-Secret-2");
    assertThat(duplicate.exitCode()).isEqualTo(1);
    assertThat(duplicate.err()).contains("frank@localhost");

    Outcome missing = prov(data, "delete-account", "ghost@localhost");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("ghost@localhost");

    Outcome duplicateDomain = prov(data, "create-domain", "localhost");
    assertThat(duplicateDomain.exitCode()).isEqualTo(1);

    Outcome usage = prov(data, "create-account", "only-one-arg@localhost");
    assertThat(usage.exitCode()).isEqualTo(2);
  }

  @Test
  void provShouldSayServerNotRunningWhenNothingListens() {
    Outcome noServer = prov(tmp.resolve("elsewhere"), "list-accounts");
    assertThat(noServer.exitCode()).isEqualTo(3);
    assertThat(noServer.err()).contains("server not running");

    server.close();
    Outcome stopped = prov(data, "list-accounts");
    assertThat(stopped.exitCode()).isEqualTo(3);
    assertThat(stopped.err()).contains("server not running");
  }
}
