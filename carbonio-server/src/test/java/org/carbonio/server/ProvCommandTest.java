package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.carbonio.server.cli.Main;
import org.carbonio.server.internal.AdminApi;
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

  /** Runs a prov command that must succeed. */
  private Outcome ok(String... args) {
    Outcome o = prov(data, args);
    assertThat(o.exitCode()).as("%s: %s", List.of(args), o.err()).isZero();
    return o;
  }

  /** Runs a prov command with --json that must succeed, and parses its output. */
  private JsonNode json(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--json"));
    all.addAll(List.of(args));
    return AdminApi.json().readTree(ok(all.toArray(String[]::new)).out());
  }

  @Test
  void provShouldRunEveryDirectorySubcommandWhenServerRuns() throws Exception {
    ok("create-domain", "example.org");
    assertThat(ok("create-alias-domain", "example.net", "example.org").out())
        .isEqualTo("created alias domain example.net of example.org" + System.lineSeparator());
    assertThat(json("list-domains").path("domains").findValuesAsText("aliasOf"))
        .contains("example.org");
    assertThat(ok("list-domains").out()).contains("example.net (alias of example.org)");
    ok("create-account", "dave@example.org", "dave-Secret-1");

    assertThat(ok("set-display-name", "dave@example.org", "Dave Doe").out())
        .contains("set display name \"Dave Doe\" of dave@example.org");
    assertThat(json("set-quota", "dave@example.org", "10M").path("updated").asText())
        .isEqualTo("dave@example.org");
    assertThat(json("show-account", "dave@example.org").path("quotaBytes").asLong())
        .isEqualTo(10L << 20);
    assertThat(ok("set-quota", "dave@example.org", "none").out()).contains("set quota none");
    assertThat(json("show-account", "dave@example.org").path("quotaBytes").isNull()).isTrue();

    JsonNode gold =
        json(
            "create-cos",
            "gold",
            "--quota",
            "1G",
            "--feature",
            "imap=false",
            "--password-min-length",
            "4");
    assertThat(gold.path("quotaBytes").asLong()).isEqualTo(1L << 30);
    assertThat(gold.path("features").path("imap").asBoolean(true)).isFalse();
    assertThat(gold.path("passwordMinLength").asInt()).isEqualTo(4);
    JsonNode updated = json("update-cos", "gold", "--quota", "none", "--feature", "pop3=false");
    assertThat(updated.path("quotaBytes").isNull()).isTrue();
    assertThat(updated.path("features").path("imap").asBoolean(true)).isFalse();
    assertThat(updated.path("features").path("pop3").asBoolean(true)).isFalse();
    assertThat(updated.path("passwordMinLength").asInt()).isEqualTo(4);
    assertThat(ok("show-cos", "gold").out())
        .isEqualTo(
            "gold quota=none password-min-length=4 features=imap=false,pop3=false"
                + System.lineSeparator());
    assertThat(json("show-cos", "gold").path("name").asText()).isEqualTo("gold");
    assertThat(ok("list-cos").out().lines().toList()).contains("default", "gold");
    assertThat(json("list-cos").path("classes").findValuesAsText("name"))
        .contains("default", "gold");

    assertThat(ok("set-cos", "dave@example.org", "gold").out())
        .contains("set class of service gold of dave@example.org");
    assertThat(ok("set-mail-host", "dave@example.org", "mail2.example.org").out())
        .contains("set mail host mail2.example.org");
    assertThat(ok("set-status", "dave@example.org", "LOCKED").out()).contains("set status locked");
    assertThat(ok("set-admin", "dave@example.org", "true").out())
        .contains("granted global admin of dave@example.org");
    assertThat(ok("add-alias", "dave@example.org", "d@example.org").out())
        .contains("added alias d@example.org to dave@example.org");
    assertThat(ok("grant-role", "dave@example.org", "help-desk", "example.org").out())
        .contains("granted help-desk:example.org to dave@example.org");

    JsonNode dave = json("show-account", "dave@example.org");
    assertThat(dave.path("displayName").asText()).isEqualTo("Dave Doe");
    assertThat(dave.path("cos").asText()).isEqualTo("gold");
    assertThat(dave.path("mailHost").asText()).isEqualTo("mail2.example.org");
    assertThat(dave.path("status").asText()).isEqualTo("LOCKED");
    assertThat(dave.path("admin").asBoolean()).isTrue();
    assertThat(dave.path("aliases").get(0).asText()).isEqualTo("d@example.org");
    assertThat(dave.path("roles").get(0).path("kind").asText()).isEqualTo("HELP_DESK");
    assertThat(ok("show-account", "dave@example.org").out())
        .isEqualTo(
            "dave@example.org \"Dave Doe\" status=locked cos=gold quota=none"
                + " mail-host=mail2.example.org global-admin aliases=d@example.org"
                + " roles=help-desk:example.org"
                + System.lineSeparator());

    assertThat(ok("revoke-role", "dave@example.org", "help-desk", "example.org").out())
        .contains("revoked help-desk:example.org from dave@example.org");
    assertThat(ok("remove-alias", "d@example.org").out()).contains("removed alias d@example.org");
    assertThat(json("set-admin", "dave@example.org", "false").path("updated").asText())
        .isEqualTo("dave@example.org");
    ok("set-mail-host", "dave@example.org", "none");
    ok("set-status", "dave@example.org", "active");
    dave = json("show-account", "dave@example.org");
    assertThat(dave.path("roles").size()).isZero();
    assertThat(dave.path("aliases").size()).isZero();
    assertThat(dave.path("admin").asBoolean()).isFalse();
    assertThat(dave.path("mailHost").isNull()).isTrue();
    assertThat(dave.path("status").asText()).isEqualTo("ACTIVE");

    Outcome inUse = prov(data, "delete-cos", "gold");
    assertThat(inUse.exitCode()).isEqualTo(1);
    assertThat(inUse.err()).contains("gold");
    ok("set-cos", "dave@example.org", "default");
    assertThat(ok("delete-cos", "gold").out()).contains("deleted class of service gold");
    assertThat(prov(data, "show-cos", "gold").exitCode()).isEqualTo(1);

    assertThat(ok("create-list", "team@example.org", "--display-name", "Team").out())
        .contains("created list team@example.org");
    assertThat(ok("add-list-member", "team@example.org", "dave@example.org").out())
        .contains("added dave@example.org to list team@example.org");
    assertThat(json("add-list-member", "team@example.org", "out@elsewhere.example").path("added"))
        .hasToString("\"out@elsewhere.example\"");
    assertThat(ok("show-list", "team@example.org").out())
        .isEqualTo(
            "team@example.org \"Team\": dave@example.org, out@elsewhere.example"
                + System.lineSeparator());
    assertThat(ok("remove-list-member", "team@example.org", "dave@example.org").out())
        .contains("removed dave@example.org from list team@example.org");
    JsonNode team = json("show-list", "team@example.org");
    assertThat(team.path("displayName").asText()).isEqualTo("Team");
    assertThat(team.path("members").get(0).asText()).isEqualTo("out@elsewhere.example");
    assertThat(ok("list-lists", "example.org").out().lines().toList())
        .containsExactly("team@example.org");
    assertThat(json("list-lists", "example.org").path("lists").size()).isEqualTo(1);
    assertThat(ok("delete-list", "team@example.org").out())
        .contains("deleted list team@example.org");
    assertThat(json("list-lists", "example.org").path("lists").size()).isZero();

    ok("delete-account", "dave@example.org");
    ok("delete-domain", "example.net");
    assertThat(ok("delete-domain", "example.org").out()).contains("deleted domain example.org");
  }

  @Test
  void provShouldFailClearlyWhenDirectoryInputIsBad() throws Exception {
    ok("create-account", "gina@localhost", "gina-Secret-1");
    Outcome status = prov(data, "set-status", "gina@localhost", "sleeping");
    assertThat(status.exitCode()).isEqualTo(1);
    assertThat(status.err()).contains("unknown status: sleeping");
    Outcome role = prov(data, "grant-role", "gina@localhost", "overlord", "localhost");
    assertThat(role.exitCode()).isEqualTo(1);
    assertThat(role.err()).contains("unknown role: overlord");
    Outcome quota = prov(data, "set-quota", "gina@localhost", "10X");
    assertThat(quota.exitCode()).isEqualTo(2);
    assertThat(quota.err()).contains("bad size: 10X");
    assertThat(prov(data, "set-admin", "gina@localhost", "maybe").exitCode()).isEqualTo(2);
    Outcome inUse = prov(data, "delete-cos", "default");
    assertThat(inUse.exitCode()).isEqualTo(1);
    assertThat(prov(data, "show-list", "nolist@localhost").err()).contains("nolist@localhost");
  }

  @Test
  void provShouldActAsDomainAdminWhenGivenAdminAndPasswordFile() throws Exception {
    ok("create-domain", "mine.org");
    ok("create-domain", "theirs.org");
    ok("create-account", "boss@mine.org", "boss-Secret-1");
    ok("grant-role", "boss@mine.org", "domain-admin", "mine.org");
    Path passwordFile = tmp.resolve("boss-password");
    java.nio.file.Files.writeString(passwordFile, "boss-Secret-1\n");
    String[] as = {"--admin", "boss@mine.org", "--admin-password-file", passwordFile.toString()};

    Outcome own = prov(data, concat(as, "create-account", "new@mine.org", "new-Secret-1"));
    assertThat(own.exitCode()).as(own.err()).isZero();
    assertThat(own.out()).contains("created account new@mine.org");
    assertThat(prov(data, concat(as, "list-domains")).out().lines().toList())
        .containsExactly("mine.org");

    Outcome other = prov(data, concat(as, "create-account", "new@theirs.org", "new-Secret-1"));
    assertThat(other.exitCode()).isEqualTo(5);
    assertThat(other.err()).contains("not allowed");
    assertThat(prov(data, concat(as, "create-domain", "more.org")).exitCode()).isEqualTo(5);
    assertThat(server.directory().findAccount("new@theirs.org")).isEmpty();

    java.nio.file.Files.writeString(passwordFile, "wrong-Secret-1\n");
    assertThat(prov(data, concat(as, "list-domains")).exitCode()).isEqualTo(4);
    Outcome noFile = prov(data, "--admin", "boss@mine.org", "list-domains");
    assertThat(noFile.exitCode()).isEqualTo(2);
    assertThat(noFile.err()).contains("--admin-password-file");
  }

  private static String[] concat(String[] first, String... rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
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
