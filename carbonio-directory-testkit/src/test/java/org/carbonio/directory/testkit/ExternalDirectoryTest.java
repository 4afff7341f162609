package org.carbonio.directory.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.carbonio.directory.Account;
import org.carbonio.directory.AccountStatus;
import org.carbonio.directory.AttributeMapping;
import org.carbonio.directory.DirectoryException;
import org.carbonio.directory.ExternalDirectory;
import org.carbonio.directory.ExternalDirectoryConfig;
import org.carbonio.directory.internal.PasswordHasher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ExternalDirectory} against a real slapd with the standard OpenLDAP schemas: users and
 * groups as an organization keeps them, passwords checked by bind, failover to a second server.
 */
class ExternalDirectoryTest {
  @RegisterExtension static final SlapdExtension SLAPD = new SlapdExtension("dc=example,dc=org");

  private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();
  private ExternalDirectory directory;

  /** {SSHA} (RFC 2307 style), slapd's usual scheme, with a random salt. */
  static String ssha(String password) {
    byte[] salt = new byte[8];
    new SecureRandom().nextBytes(salt);
    return PasswordHasher.salted("SSHA", password, salt);
  }

  @BeforeAll
  static void populate() throws Exception {
    try (LDAPConnection c = SLAPD.connection()) {
      c.add(
          new Entry(
              "dn: ou=people,dc=example,dc=org", "objectClass: organizationalUnit", "ou: people"));
      c.add(
          new Entry(
              "dn: ou=groups,dc=example,dc=org", "objectClass: organizationalUnit", "ou: groups"));
      for (String[] u :
          List.of(
              new String[] {"alice", "Alice@Example.com", "Alice Liddell", "pw-alice"},
              new String[] {"bob", "bob@example.com", "Bob", "pw-bob"},
              new String[] {"eve", "eve@elsewhere.org", "Eve", "pw-eve"})) {
        c.add(
            new Entry(
                "dn: uid=" + u[0] + ",ou=people,dc=example,dc=org",
                "objectClass: inetOrgPerson",
                "uid: " + u[0],
                "cn: " + u[2],
                "sn: " + u[0],
                "displayName: " + u[2],
                "mail: " + u[1],
                "userPassword: " + ssha(u[3])));
      }
      c.add(
          new Entry(
              "dn: cn=partners,ou=people,dc=example,dc=org",
              "objectClass: inetOrgPerson",
              "cn: partners",
              "sn: partners",
              "mail: partner@outside.org"));
      c.add(
          new Entry(
              "dn: cn=team,ou=groups,dc=example,dc=org",
              "objectClass: groupOfNames",
              "objectClass: extensibleObject",
              "cn: team",
              "mail: team@example.com",
              "member: uid=alice,ou=people,dc=example,dc=org",
              "member: cn=partners,ou=people,dc=example,dc=org"));
      c.add(
          new Entry(
              "dn: cn=all,ou=groups,dc=example,dc=org",
              "objectClass: groupOfNames",
              "objectClass: extensibleObject",
              "cn: all",
              "mail: all@example.com",
              "member: cn=team,ou=groups,dc=example,dc=org",
              "member: uid=bob,ou=people,dc=example,dc=org",
              "member: cn=all,ou=groups,dc=example,dc=org"));
    }
  }

  private ExternalDirectoryConfig config(List<URI> servers) {
    return ExternalDirectoryConfig.of(
            servers,
            SLAPD.rootDn(),
            SLAPD.rootPassword(),
            "dc=example,dc=org",
            List.of("example.com"),
            AttributeMapping.OPENLDAP.withUserFilter("(&(objectClass=inetOrgPerson)(uid=*))"))
        .withCacheTtl(Duration.ZERO);
  }

  @BeforeEach
  void open() throws Exception {
    directory = ExternalDirectory.open(config(List.of(URI.create(SLAPD.url()))));
  }

  @AfterEach
  void close() {
    directory.close();
  }

  @Test
  void accountsShouldBeFoundByAddressOnlyInTheConfiguredDomains() {
    Account alice = directory.findAccount("ALICE@example.com").orElseThrow();
    assertThat(alice.address()).isEqualTo("alice@example.com");
    assertThat(alice.displayName()).isEqualTo("Alice Liddell");
    assertThat(alice.status()).isEqualTo(AccountStatus.ACTIVE);
    assertThat(directory.findAccountById(alice.id())).contains(alice);
    assertThat(directory.findAccount("eve@elsewhere.org")).isEmpty(); // not a served domain
    assertThat(directory.isLocalDomain("Example.COM")).isTrue();
    assertThat(directory.isLocalDomain("elsewhere.org")).isFalse();
    assertThat(directory.accounts(Optional.of("example.com")))
        .extracting(Account::address)
        .containsExactly("alice@example.com", "bob@example.com");
  }

  @Test
  void authenticateShouldBindAsTheUserByAddressOrUid() {
    assertThat(directory.authenticate("alice@example.com", "pw-alice", CLIENT)).isPresent();
    assertThat(directory.authenticate("alice", "pw-alice", CLIENT)).isPresent();
    assertThat(directory.authenticate("alice@example.com", "pw-bob", CLIENT)).isEmpty();
    assertThat(directory.authenticate("alice@example.com", "pw-alice\u0000", CLIENT)).isEmpty();
    assertThat(directory.authenticate("eve@elsewhere.org", "pw-eve", CLIENT)).isEmpty();
    assertThat(directory.authenticate("nobody@example.com", "pw-alice", CLIENT)).isEmpty();
    assertThat(directory.authenticate("*", "pw-alice", CLIENT)).isEmpty();
    assertThat(directory.authenticate("a*", "pw-alice", CLIENT)).isEmpty();
  }

  @Test
  void groupsShouldExpandNestedOnceWithContactsAsOutsideAddresses() {
    assertThat(directory.expand("all@example.com").accounts())
        .extracting(Account::address)
        .containsExactly("alice@example.com", "bob@example.com");
    assertThat(directory.expand("all@example.com").external())
        .containsExactly("partner@outside.org");
    assertThat(directory.findList("team@example.com").orElseThrow().members())
        .containsExactly("alice@example.com", "partner@outside.org");
    assertThat(directory.lists("example.com")).hasSize(2);
    assertThat(directory.groupsOf("alice@example.com"))
        .containsExactly("all@example.com", "team@example.com");
    assertThat(directory.groupsOf("bob@example.com")).containsExactly("all@example.com");
    assertThat(directory.expand("x@outside.org").external()).containsExactly("x@outside.org");
  }

  @Test
  void changesShouldBeRefusedAsReadOnly() {
    assertThatThrownBy(() -> directory.createAccount("carol@example.com", "pw"))
        .isInstanceOf(DirectoryException.Unavailable.class)
        .hasMessageContaining("read-only");
    assertThatThrownBy(() -> directory.setPassword("alice@example.com", "pw"))
        .isInstanceOf(DirectoryException.Unavailable.class);
    // no DKIM keys: an external directory holds none, and takes none
    assertThat(directory.dkimKeys("example.com")).isEmpty();
    assertThat(directory.activeDkimKey("example.com")).isEmpty();
    assertThatThrownBy(
            () ->
                directory.addDkimKey(
                    "example.com",
                    DirectoryContract.dkimKey(
                        "s1",
                        org.carbonio.directory.DkimKey.Algorithm.RSA_SHA256,
                        org.carbonio.directory.DkimKey.State.ACTIVE)))
        .isInstanceOf(DirectoryException.Unavailable.class);
    assertThatThrownBy(() -> directory.activateDkimKey("example.com", "s1"))
        .isInstanceOf(DirectoryException.Unavailable.class);
    assertThatThrownBy(() -> directory.removeDkimKey("example.com", "s1"))
        .isInstanceOf(DirectoryException.Unavailable.class);
  }

  @Test
  void changesMadeInTheDirectoryShouldBeSeenWhenTheCacheIsOff() throws Exception {
    try (LDAPConnection c = SLAPD.connection()) {
      c.modify(
          "uid=bob,ou=people,dc=example,dc=org",
          new Modification(ModificationType.REPLACE, "userPassword", ssha("pw-bob-2")));
      assertThat(directory.authenticate("bob@example.com", "pw-bob", CLIENT)).isEmpty();
      assertThat(directory.authenticate("bob@example.com", "pw-bob-2", CLIENT)).isPresent();
      c.modify(
          "uid=bob,ou=people,dc=example,dc=org",
          new Modification(ModificationType.REPLACE, "userPassword", ssha("pw-bob")));
    }
  }

  @Test
  void aDeadFirstServerShouldFailOverToTheNext() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort(); // closed again: nothing listens there
    }
    try (ExternalDirectory d =
        ExternalDirectory.open(
            config(List.of(URI.create("ldap://127.0.0.1:" + dead), URI.create(SLAPD.url()))))) {
      assertThat(d.authenticate("bob@example.com", "pw-bob", CLIENT)).isPresent();
      assertThat(d.findAccount("alice@example.com")).isPresent();
    }
  }

  @Test
  void plainLdapToAnotherHostShouldBeRefusedUnlessAllowed() {
    assertThatThrownBy(
            () -> ExternalDirectory.open(config(List.of(URI.create("ldap://ldap.example.com")))))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("clear");
  }
}
