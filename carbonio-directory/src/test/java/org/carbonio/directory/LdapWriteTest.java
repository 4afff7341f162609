package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admin writes over LDAP with the ldap-utils binaries (ldapadd, ldapmodify, ldapdelete). */
class LdapWriteTest {
  static final String ADMIN = "cn=admin,o=carbonio";
  static final String ADMIN_PW = "admin-secret";
  static final String CAROL_DN = "uid=carol,ou=people,ou=example.com,ou=domains,o=carbonio";
  static final String CAROL_ID = "7f1c1d5e-3a55-4c6b-9d0e-0b7f3f2a9c11";

  /** What an account added over LDAP must contain (README "LDAP listener"). */
  static final String CAROL =
      """
      dn: uid=carol,ou=people,ou=example.com,ou=domains,o=carbonio
      objectClass: inetOrgPerson
      objectClass: carbonioAccount
      uid: carol
      cn: carol@example.com
      sn: carol
      mail: carol@example.com
      carbonioId: 7f1c1d5e-3a55-4c6b-9d0e-0b7f3f2a9c11
      carbonioAccountStatus: active
      userPassword: carol-first-pw
      """;

  @TempDir Path dir;
  EmbeddedDirectory directory;
  int port;

  @BeforeEach
  void open() throws Exception {
    directory = openDirectory(dir);
    directory.createDomain("example.com");
  }

  EmbeddedDirectory openDirectory(Path where) throws IOException {
    EmbeddedDirectory d =
        EmbeddedDirectory.builder()
            .dataDir(where)
            .limits(Fixtures.FAST)
            .ldapListener(new InetSocketAddress(Fixtures.CLIENT, 0))
            .ldapAdminPassword(ADMIN_PW)
            .build();
    port = d.ldapAddress().orElseThrow().getPort();
    return d;
  }

  @AfterEach
  void close() {
    directory.close();
  }

  @Test
  void ldapaddedAccountShouldLogInWhenPasswordWasClearText() throws Exception {
    assertThat(directory.findAccount("carol@example.com")).isEmpty(); // cached as absent
    run("/usr/bin/ldapadd", CAROL);

    Account carol = directory.findAccount("carol@example.com").orElseThrow();
    assertThat(carol.id()).isEqualTo(CAROL_ID);
    assertThat(carol.status()).isEqualTo(AccountStatus.ACTIVE);
    assertThat(directory.authenticate("carol@example.com", "carol-first-pw", Fixtures.CLIENT))
        .isPresent();
    assertThat(storedPassword()).startsWith("{PBKDF2-SHA512}1000$");
    assertThat(directory.accounts(java.util.Optional.of("example.com")))
        .extracting(Account::address)
        .containsExactly("carol@example.com");
  }

  @Test
  void ldapmodifyShouldReplacePasswordWhenNewOneIsClearText() throws Exception {
    run("/usr/bin/ldapadd", CAROL);
    assertThat(directory.authenticate("carol@example.com", "carol-first-pw", Fixtures.CLIENT))
        .isPresent(); // now in the login cache
    run(
        "/usr/bin/ldapmodify",
        """
        dn: %s
        changetype: modify
        replace: userPassword
        userPassword: carol-second-pw
        """
            .formatted(CAROL_DN));
    assertThat(directory.authenticate("carol@example.com", "carol-second-pw", Fixtures.CLIENT))
        .isPresent();
    assertThat(directory.authenticate("carol@example.com", "carol-first-pw", Fixtures.CLIENT))
        .isEmpty();
    assertThat(storedPassword()).startsWith("{PBKDF2-SHA512}").doesNotContain("carol-second-pw");
  }

  @Test
  void ldapdeleteShouldRemoveAccountWhenAdminDeletesIt() throws Exception {
    run("/usr/bin/ldapadd", CAROL);
    assertThat(directory.authenticate("carol@example.com", "carol-first-pw", Fixtures.CLIENT))
        .isPresent();
    run("/usr/bin/ldapdelete", CAROL_DN + "\n");
    assertThat(directory.findAccount("carol@example.com")).isEmpty();
    assertThat(directory.authenticate("carol@example.com", "carol-first-pw", Fixtures.CLIENT))
        .isEmpty();
  }

  @Test
  void ldapaddShouldKeepPasswordAsGivenWhenItHasASchemePrefix() throws Exception {
    // RFC 2307 style {SSHA} of "secret" (vector of PasswordHasherTest)
    String ssha = "{SSHA}lHFzXul4wnzRItssVcTnvXWRjNgBAgMEBQYHCA==";
    run("/usr/bin/ldapadd", CAROL.replace("userPassword: carol-first-pw", "userPassword: " + ssha));
    assertThat(storedPassword()).isEqualTo(ssha);
    assertThat(directory.authenticate("carol@example.com", "secret", Fixtures.CLIENT)).isPresent();
  }

  @Test
  void ldapaddShouldBeRefusedWhenClearPasswordIsTooLong() throws Exception {
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", port, ADMIN, ADMIN_PW)) {
      Entry tooLong =
          new Entry(
              CAROL
                  .replace("userPassword: carol-first-pw", "userPassword: " + "x".repeat(1025))
                  .split("\n"));
      assertThatThrownBy(() -> c.add(tooLong))
          .isInstanceOfSatisfying(
              LDAPException.class,
              e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.CONSTRAINT_VIOLATION));
    }
    assertThat(directory.findAccount("carol@example.com")).isEmpty();
  }

  @Test
  void ldapaddShouldCreateDomainWhenAdminAddsItsEntries() throws Exception {
    assertThat(directory.isLocalDomain("new.org")).isFalse(); // cached
    run(
        "/usr/bin/ldapadd",
        """
        dn: ou=new.org,ou=domains,o=carbonio
        objectClass: organizationalUnit
        objectClass: carbonioDomain
        ou: new.org
        carbonioId: 0d8b4b0a-6a3e-4f6e-8d47-4e0b8f6f0c21

        dn: ou=people,ou=new.org,ou=domains,o=carbonio
        objectClass: organizationalUnit
        ou: people
        """);
    assertThat(directory.isLocalDomain("new.org")).isTrue();
    directory.createAccount("dave@new.org", "dave-pw");
    assertThat(directory.authenticate("dave@new.org", "dave-pw", Fixtures.CLIENT)).isPresent();
  }

  @Test
  void ldapWritesShouldSurviveWhenProcessDiesWithoutClosing() throws Exception {
    run("/usr/bin/ldapadd", CAROL);
    run(
        "/usr/bin/ldapmodify",
        """
        dn: %s
        changetype: modify
        replace: carbonioIsAdmin
        carbonioIsAdmin: TRUE
        """
            .formatted(CAROL_DN));
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", port, ADMIN, ADMIN_PW)) {
      c.modifyDN(CAROL_DN, "uid=carla", true);
    }
    // What a crash leaves: the files as they are now (everything acknowledged was fsynced).
    Path copy = copyOfDataFiles();
    try (EmbeddedDirectory d = Fixtures.open(copy)) {
      assertThat(d.findAccount("carol@example.com")).isEmpty();
      Account carla = d.findAccount("carla@example.com").orElseThrow();
      assertThat(carla.admin()).isTrue();
      assertThat(carla.id()).isEqualTo(CAROL_ID);
      assertThat(d.authenticate("carla@example.com", "carol-first-pw", Fixtures.CLIENT))
          .isPresent();
    }
  }

  Path copyOfDataFiles() throws IOException {
    Path copy = Files.createDirectory(dir.resolve("crash-copy"));
    for (String name : List.of("directory.ldif", "journal.ldif")) {
      Files.copy(dir.resolve(name), copy.resolve(name));
    }
    return copy;
  }

  private String storedPassword() throws Exception {
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", port, ADMIN, ADMIN_PW)) {
      return c.getEntry(CAROL_DN, "userPassword").getAttributeValue("userPassword");
    }
  }

  /** Runs an ldap-utils tool bound as the admin, feeding {@code input} on stdin. */
  private void run(String tool, String input) throws Exception {
    assertThat(Path.of(tool)).as("%s from ldap-utils", tool).isExecutable();
    List<String> cmd = new ArrayList<>(List.of(tool, "-x", "-H", "ldap://127.0.0.1:" + port));
    cmd.addAll(List.of("-D", ADMIN, "-w", ADMIN_PW));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", tool, out).isZero();
  }
}
