package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.List;
import org.carbonio.server.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 5's proof "ldapsearch finds an account created with ./carbonio prov": the account is
 * created through the CLI and the admin API, then read back by OpenLDAP's ldapsearch over the
 * server's LDAP listener with the directory admin's credentials.
 */
class ProvLdapSearchTest {

  @RegisterExtension final ServerExtension carbonio = new ServerExtension();

  @Test
  void ldapsearchShouldFindAccountWhenProvCreatedIt() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.commandLine()
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(
                "prov",
                "--data",
                carbonio.dataDir().toString(),
                "create-account",
                "ldap.user@localhost",
                "ldap-Secret-1");
    assertThat(code).as(err.toString()).isZero();

    String password = Files.readString(carbonio.dataDir().resolve("admin-password")).strip();
    int port = carbonio.port(Listener.Kind.LDAP);
    ExternalTool.Result found =
        ExternalTool.run(
                List.of(
                    "/usr/bin/ldapsearch",
                    "-x",
                    "-LLL",
                    "-H",
                    "ldap://127.0.0.1:" + port,
                    "-D",
                    "cn=admin,o=carbonio",
                    "-w",
                    password,
                    "-b",
                    "o=carbonio",
                    "(mail=ldap.user@localhost)",
                    "mail",
                    "uid"))
            .assertSuccess();
    assertThat(found.out())
        .contains("dn: uid=ldap.user,", "mail: ldap.user@localhost", "uid: ldap.user");

    ExternalTool.Result missing =
        ExternalTool.run(
                List.of(
                    "/usr/bin/ldapsearch",
                    "-x",
                    "-LLL",
                    "-H",
                    "ldap://127.0.0.1:" + port,
                    "-D",
                    "cn=admin,o=carbonio",
                    "-w",
                    password,
                    "-b",
                    "o=carbonio",
                    "(mail=nobody@localhost)"))
            .assertSuccess();
    assertThat(missing.out()).doesNotContain("dn:");
  }
}
