package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.carbonio.directory.internal.PasswordHasher;
import org.carbonio.directory.testkit.SlapdExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server on an organization's OpenLDAP (a private slapd): users that exist only there receive
 * mail over SMTP and log in over IMAP with their LDAP password (checked by bind).
 */
class ExternalDirectoryServerTest {
  @RegisterExtension static final SlapdExtension SLAPD = new SlapdExtension("dc=example,dc=org");

  @TempDir Path dir;

  @BeforeAll
  static void populate() throws Exception {
    try (LDAPConnection c = SLAPD.connection()) {
      c.add(
          new Entry(
              "dn: ou=people,dc=example,dc=org", "objectClass: organizationalUnit", "ou: people"));
      for (String uid : List.of("alice", "postmaster")) {
        c.add(
            new Entry(
                "dn: uid=" + uid + ",ou=people,dc=example,dc=org",
                "objectClass: inetOrgPerson",
                "uid: " + uid,
                "cn: " + uid,
                "sn: " + uid,
                "mail: " + uid + "@example.com",
                "userPassword: "
                    + PasswordHasher.salted(
                        "SSHA", "ldap-" + uid, new byte[] {1, 2, 3, 4, 5, 6, 7, 8})));
      }
    }
  }

  @Test
  void ldapUserShouldReceiveMailOverSmtpAndLogInOverImap() throws Exception {
    Path password = Files.writeString(dir.resolve("bind.pw"), SLAPD.rootPassword() + "\n");
    ServerConfig defaults = ServerConfig.defaults(dir.resolve("data")).withEphemeralPorts();
    ServerConfig config =
        new ServerConfig(
                defaults.dataDir(),
                InetAddress.getLoopbackAddress(),
                InetAddress.getLoopbackAddress(),
                0,
                true,
                "example.com",
                "mail.example.com",
                Optional.empty(),
                Optional.empty(),
                StoreBackends.EMBEDDED,
                DirectoryBackend.EMBEDDED,
                MtaConfig.DEFAULTS)
            .withDirectory(
                new DirectoryBackend(
                    Optional.of(
                        new DirectoryBackend.External(
                            List.of(URI.create(SLAPD.url())),
                            SLAPD.rootDn(),
                            password,
                            "dc=example,dc=org",
                            "openldap",
                            "postmaster@example.com"))));
    try (CarbonioServer server = CarbonioServer.start(config)) {
      int smtp = server.port(Listener.Kind.SMTP);
      try (RawSmtp client = new RawSmtp(smtp)) {
        client.send(
            "sender@example.org",
            List.of("alice@example.com", "postmaster"),
            E2E.crlf("Subject: from outside\n\nhello\n"));
        client.command("MAIL FROM:<sender@example.org>", "250");
        client.command("RCPT TO:<nobody@example.com>", "550");
        client.command("RSET", "250");
      }
      try (RawImap imap =
          new RawImap(E2E.trusting(config.dataDir()), server.port(Listener.Kind.IMAPS))) {
        assertThat(imap.command("LOGIN alice@example.com wrong").getLast()).contains("NO");
        assertThat(imap.command("LOGIN alice ldap-alice").getLast()).contains("OK");
        assertThat(imap.command("SELECT INBOX")).anyMatch(l -> l.equals("* 1 EXISTS"));
      }
    }
  }
}
