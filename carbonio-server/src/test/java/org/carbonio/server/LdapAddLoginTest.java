package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 5's proof "an account added with ldapadd can then log in over IMAP and receive mail over
 * SMTP": OpenLDAP's ldapadd writes the entry (clear password) through the server's LDAP listener
 * with the directory admin's credentials; the server then accepts mail for it and lets it log in.
 */
class LdapAddLoginTest {

  @RegisterExtension final ServerExtension carbonio = new ServerExtension();

  @Test
  void accountAddedWithLdapaddShouldReceiveMailAndLogIn() throws Exception {
    Path ldif =
        Files.writeString(
            carbonio.dataDir().resolve("carol.ldif"),
            String.join(
                "\n",
                "dn: uid=carol,ou=people,ou=localhost,ou=domains,o=carbonio",
                "objectClass: inetOrgPerson",
                "objectClass: carbonioAccount",
                "uid: carol",
                "cn: carol@localhost",
                "sn: carol",
                "mail: carol@localhost",
                "carbonioId: " + UUID.randomUUID(),
                "carbonioAccountStatus: active",
                "userPassword: carol-Secret-1",
                ""));
    String password = Files.readString(carbonio.dataDir().resolve("admin-password")).strip();
    ExternalTool.run(
            List.of(
                "/usr/bin/ldapadd",
                "-x",
                "-H",
                "ldap://127.0.0.1:" + carbonio.port(Listener.Kind.LDAP),
                "-D",
                "cn=admin,o=carbonio",
                "-w",
                password,
                "-f",
                ldif.toString()))
        .assertSuccess();

    RawSmtp.deliver(
        carbonio.port(Listener.Kind.SMTP),
        "carol@localhost",
        E2E.crlf("Subject: welcome\n\nhello carol\n"));
    try (RawImap imap =
        new RawImap(E2E.trusting(carbonio.dataDir()), carbonio.port(Listener.Kind.IMAPS))) {
      assertThat(imap.command("LOGIN carol@localhost wrong").getLast()).contains("NO");
      assertThat(imap.command("LOGIN carol@localhost carol-Secret-1").getLast()).contains("OK");
      assertThat(imap.command("SELECT INBOX")).anyMatch(l -> l.equals("* 1 EXISTS"));
    }
  }
}
