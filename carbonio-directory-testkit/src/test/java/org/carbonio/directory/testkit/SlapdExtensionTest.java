package org.carbonio.directory.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.carbonio.directory.internal.LdapLayout;
import org.carbonio.directory.internal.PasswordHasher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The carbonio schema and the ldap-utils clients against a slapd for {@code o=carbonio}. */
class SlapdExtensionTest {
  @RegisterExtension static SlapdExtension slapd = new SlapdExtension();

  @TempDir Path tmp;

  @Test
  void addShouldStoreCarbonioAccountWhenSchemaLoaded() throws Exception {
    try (LDAPConnection c = slapd.connection()) {
      c.add(
          "dn: uid=alice,o=carbonio",
          "objectClass: inetOrgPerson",
          "objectClass: " + LdapLayout.OC_ACCOUNT,
          "uid: alice",
          "cn: alice",
          "sn: alice",
          "mail: alice@example.org",
          LdapLayout.AT_ID + ": 0b1e6a7c-2f42-4d7e-9a51-3c2f0d1e9f10",
          LdapLayout.AT_STATUS + ": active",
          LdapLayout.AT_ADMIN + ": FALSE");
      SearchResultEntry e = c.getEntry("uid=alice,o=carbonio");
      assertThat(e.getObjectClassValues()).contains(LdapLayout.OC_ACCOUNT);
      assertThat(e.getAttributeValue(LdapLayout.AT_ID))
          .isEqualTo("0b1e6a7c-2f42-4d7e-9a51-3c2f0d1e9f10");
      // The equality rules came along: caseIgnoreMatch and booleanMatch filters match.
      assertThat(
              c.search(
                      "o=carbonio",
                      com.unboundid.ldap.sdk.SearchScope.SUB,
                      "(&("
                          + LdapLayout.AT_ID
                          + "=0B1E6A7C-2F42-4D7E-9A51-3C2F0D1E9F10)("
                          + LdapLayout.AT_ADMIN
                          + "=FALSE))")
                  .getEntryCount())
          .isEqualTo(1);
    }
  }

  @Test
  void addShouldFailWhenCarbonioAccountLacksId() throws Exception {
    try (LDAPConnection c = slapd.connection()) {
      assertThatThrownBy(
              () ->
                  c.add(
                      "dn: uid=noid,o=carbonio",
                      "objectClass: inetOrgPerson",
                      "objectClass: " + LdapLayout.OC_ACCOUNT,
                      "uid: noid",
                      "cn: noid",
                      "sn: noid",
                      "mail: noid@example.org"))
          .isInstanceOfSatisfying(
              LDAPException.class,
              e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.OBJECT_CLASS_VIOLATION));
      assertThatThrownBy(
              () ->
                  c.add(
                      "dn: uid=dup,o=carbonio",
                      "objectClass: inetOrgPerson",
                      "uid: dup",
                      "cn: dup",
                      "sn: dup",
                      LdapLayout.AT_STATUS + ": active",
                      LdapLayout.AT_STATUS + ": locked"))
          .isInstanceOf(LDAPException.class);
    }
  }

  @Test
  void ldapAddShouldAddEntriesThatLdapsearchFindsWhenRunAsProcesses() throws Exception {
    Path ldif = tmp.resolve("people.ldif");
    Files.writeString(
        ldif,
        """
        dn: ou=people,o=carbonio
        objectClass: organizationalUnit
        ou: people

        dn: uid=carol,ou=people,o=carbonio
        objectClass: inetOrgPerson
        objectClass: carbonioAccount
        uid: carol
        cn: Carol
        sn: Carol
        mail: carol@example.org
        carbonioId: 7d4f3a60-1111-4222-8333-944455556666
        """,
        UTF_8);
    assertThat(slapd.ldapAdd(ldif)).contains("adding new entry \"uid=carol,ou=people,o=carbonio\"");

    // ldapsearch run directly, as an operator would.
    Process p =
        new ProcessBuilder(
                "/usr/bin/ldapsearch",
                "-x",
                "-LLL",
                "-H",
                slapd.url(),
                "-D",
                slapd.rootDn(),
                "-w",
                slapd.rootPassword(),
                "-b",
                "o=carbonio",
                "(mail=carol@example.org)",
                "carbonioId")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("dn: uid=carol,ou=people,o=carbonio")
        .contains("carbonioId: 7d4f3a60-1111-4222-8333-944455556666");

    assertThat(slapd.server().ldapSearch("(uid=carol)", "mail"))
        .contains("mail: carol@example.org");
  }

  @Test
  void bindShouldSucceedWhenUserPasswordIsSsha() throws Exception {
    try (LDAPConnection c = slapd.connection()) {
      c.add(
          "dn: uid=dave,o=carbonio",
          "objectClass: inetOrgPerson",
          "uid: dave",
          "cn: dave",
          "sn: dave",
          "userPassword: " + ssha("correct horse"));
    }
    try (LDAPConnection user = new LDAPConnection("127.0.0.1", slapd.port())) {
      BindResult ok = user.bind("uid=dave,o=carbonio", "correct horse");
      assertThat(ok.getResultCode()).isEqualTo(ResultCode.SUCCESS);
      assertThatThrownBy(() -> user.bind("uid=dave,o=carbonio", "wrong"))
          .isInstanceOfSatisfying(
              LDAPException.class,
              e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.INVALID_CREDENTIALS));
    }
    // An anonymous or ordinary reader never sees the hash (access: anonymous auth only).
    try (LDAPConnection anon = new LDAPConnection("127.0.0.1", slapd.port())) {
      assertThat(anon.getEntry("uid=dave,o=carbonio").hasAttribute("userPassword")).isFalse();
    }
    assertThat(
            slapd
                .server()
                .ldapTool(
                    "ldapwhoami",
                    "-x",
                    "-H",
                    slapd.url(),
                    "-D",
                    "uid=dave,o=carbonio",
                    "-w",
                    "correct horse"))
        .contains("dn:uid=dave,o=carbonio");
  }

  @Test
  void bindShouldSucceedWhenUserPasswordIsImportedHash() throws Exception {
    String crypt = sha512Crypt();
    List<String> hashes =
        List.of(
            salted("SSHA512", "imported"),
            "{CRYPT}" + crypt,
            // Argon2 (RFC 9106), as slappasswd -h {ARGON2} writes it (argon2 module).
            "{ARGON2}$argon2i$v=19$m=4096,t=3,p=1$MBcvv/UHb9qs8QOEnvuJ+A$"
                + "IzqnqnJKYMXLmDzXKr2f3S7RgzS20GzsQhxoL3bdh70");
    List<String> passwords = List.of("imported", "imported", "pw");
    try (LDAPConnection c = slapd.connection()) {
      for (int i = 0; i < hashes.size(); i++) {
        c.add(
            "dn: uid=hash" + i + ",o=carbonio",
            "objectClass: inetOrgPerson",
            "uid: hash" + i,
            "cn: hash" + i,
            "sn: hash" + i,
            "userPassword: " + hashes.get(i));
      }
    }
    for (int i = 0; i < hashes.size(); i++) {
      try (LDAPConnection user = new LDAPConnection("127.0.0.1", slapd.port())) {
        assertThat(user.bind("uid=hash" + i + ",o=carbonio", passwords.get(i)).getResultCode())
            .as(hashes.get(i))
            .isEqualTo(ResultCode.SUCCESS);
        int n = i;
        assertThatThrownBy(() -> user.bind("uid=hash" + n + ",o=carbonio", "nope"))
            .isInstanceOf(LDAPException.class);
      }
    }
  }

  /** A SHA-512 crypt(3) hash of "imported" made by {@code openssl passwd -6}. */
  private static String sha512Crypt() throws Exception {
    Process p =
        new ProcessBuilder("openssl", "passwd", "-6", "-salt", "carbonio", "imported")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8).strip();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).startsWith("$6$carbonio$");
    return out;
  }

  /** {SSHA}: base64(SHA-1(password + salt) + salt), as slappasswd writes it. */
  static String ssha(String password) throws Exception {
    return salted("SSHA", password);
  }

  /** An RFC 2307 style salted digest ({@code SSHA}, {@code SSHA512}) with a random salt. */
  private static String salted(String scheme, String password) {
    byte[] salt = new byte[8];
    new SecureRandom().nextBytes(salt);
    return PasswordHasher.salted(scheme, password, salt);
  }
}
