package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LdapListenerTest {
  static final String ADMIN = "cn=admin,o=carbonio";
  static final String ADMIN_PW = "admin-secret";

  @TempDir Path dir;
  EmbeddedDirectory directory;
  InetSocketAddress address;

  @BeforeEach
  void open() throws Exception {
    directory =
        EmbeddedDirectory.builder()
            .dataDir(dir)
            .limits(Fixtures.FAST)
            .ldapListener(new InetSocketAddress(Fixtures.CLIENT, 0))
            .ldapAdminPassword(ADMIN_PW)
            .build();
    address = directory.ldapAddress().orElseThrow();
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "alice-pw");
  }

  @AfterEach
  void close() {
    directory.close();
  }

  LDAPConnection connect() throws LDAPException {
    return new LDAPConnection(address.getHostString(), address.getPort());
  }

  @Test
  void ldapAddressShouldReportRealPortWhenListeningOnPortZero() {
    assertThat(address.getAddress().isLoopbackAddress()).isTrue();
    assertThat(address.getPort()).isPositive();
  }

  @Test
  void searchShouldFindAccountWhenAdminIsBound() throws Exception {
    try (LDAPConnection c = connect()) {
      c.bind(ADMIN, ADMIN_PW);
      SearchResult r =
          c.search(
              "o=carbonio",
              SearchScope.SUB,
              Filter.createEqualityFilter("mail", "alice@example.com"),
              "*");
      assertThat(r.getEntryCount()).isEqualTo(1);
      SearchResultEntry e = r.getSearchEntries().get(0);
      assertThat(e.getDN()).isEqualTo("uid=alice,ou=people,ou=example.com,ou=domains,o=carbonio");
      assertThat(e.getObjectClassValues()).contains("inetOrgPerson", "carbonioAccount");
      assertThat(e.getAttributeValue("uid")).isEqualTo("alice");
      assertThat(e.getAttributeValue("carbonioId"))
          .isEqualTo(directory.findAccount("alice@example.com").orElseThrow().id());
      assertThat(e.getAttributeValue("userPassword")).startsWith("{PBKDF2-SHA512}1000$");
      assertThat(e.getAttributeValue("userPassword")).doesNotContain("alice-pw");
    }
  }

  @Test
  void searchShouldBeRefusedWhenClientIsAnonymous() throws Exception {
    try (LDAPConnection c = connect()) {
      assertThatThrownBy(
              () ->
                  c.search(
                      "o=carbonio", SearchScope.SUB, "(objectClass=*)", "userPassword", "mail"))
          .isInstanceOfSatisfying(
              LDAPException.class,
              e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.INSUFFICIENT_ACCESS_RIGHTS));
      assertThatThrownBy(
              () ->
                  c.compare(
                      "uid=alice,ou=people,ou=example.com,ou=domains,o=carbonio",
                      "userPassword",
                      "x"))
          .isInstanceOf(LDAPException.class);
    }
  }

  @Test
  void dkimPrivateKeyShouldBeReadableOnlyByTheAdminBind() throws Exception {
    directory.addDkimKey("example.com", DkimKeyTest.key("s1"));
    String domainDn = "ou=example.com,ou=domains,o=carbonio";
    try (LDAPConnection c = connect()) {
      assertThatThrownBy(() -> c.getEntry(domainDn, "carbonioDkimKey"))
          .isInstanceOfSatisfying(
              LDAPException.class,
              e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.INSUFFICIENT_ACCESS_RIGHTS));
      assertThatThrownBy(() -> c.compare(domainDn, "carbonioDkimKey", "s1"))
          .isInstanceOf(LDAPException.class);
      c.bind(ADMIN, ADMIN_PW);
      assertThat(c.getEntry(domainDn, "carbonioDkimKey").getAttributeValue("carbonioDkimKey"))
          .startsWith("s1$rsa-sha256$published-next$");
    }
  }

  @Test
  void bindShouldFailWhenPasswordOrDnIsNotTheAdmins() throws Exception {
    String stored = storedHash();
    try (LDAPConnection c = connect()) {
      assertThatThrownBy(() -> c.bind(ADMIN, "wrong"))
          .isInstanceOfSatisfying(
              LDAPException.class,
              e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.INVALID_CREDENTIALS));
      String userDn = "uid=alice,ou=people,ou=example.com,ou=domains,o=carbonio";
      // neither the password nor the stored hash (pass-the-hash) binds as a user
      assertThatThrownBy(() -> c.bind(userDn, "alice-pw")).isInstanceOf(LDAPException.class);
      assertThatThrownBy(() -> c.bind(userDn, stored)).isInstanceOf(LDAPException.class);
    }
  }

  @Test
  void writesShouldBeRefusedWhenClientIsAnonymous() throws Exception {
    try (LDAPConnection c = connect()) {
      String userDn = "uid=alice,ou=people,ou=example.com,ou=domains,o=carbonio";
      assertThatThrownBy(
              () ->
                  c.modify(
                      userDn, new Modification(ModificationType.REPLACE, "userPassword", "plain")))
          .isInstanceOfSatisfying(
              LDAPException.class,
              e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.INSUFFICIENT_ACCESS_RIGHTS));
      assertThatThrownBy(() -> c.delete(userDn)).isInstanceOf(LDAPException.class);
      assertThatThrownBy(
              () ->
                  c.add(
                      "ou=evil.com,ou=domains,o=carbonio",
                      new com.unboundid.ldap.sdk.Attribute("objectClass", "organizationalUnit"),
                      new com.unboundid.ldap.sdk.Attribute("ou", "evil.com")))
          .isInstanceOf(LDAPException.class);
    }
    assertThat(directory.authenticate("alice@example.com", "alice-pw", Fixtures.CLIENT))
        .isPresent();
    assertThat(directory.isLocalDomain("evil.com")).isFalse();
  }

  @Test
  void passwordModifyShouldBeRefusedWhenAdminSendsTheExtendedOperation() throws Exception {
    try (LDAPConnection c = connect()) {
      c.bind(ADMIN, ADMIN_PW);
      // RFC 3062: would store a clear-text password without the journal
      com.unboundid.ldap.sdk.ExtendedResult r =
          c.processExtendedOperation(
              new com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedRequest(
                  "uid=alice,ou=people,ou=example.com,ou=domains,o=carbonio", null, "clear"));
      assertThat(r.getResultCode()).isEqualTo(ResultCode.UNWILLING_TO_PERFORM);
      assertThat(
              c.processExtendedOperation(
                      new com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest())
                  .getResultCode())
          .isEqualTo(ResultCode.SUCCESS);
    }
    assertThat(directory.authenticate("alice@example.com", "alice-pw", Fixtures.CLIENT))
        .isPresent();
  }

  @Test
  void searchShouldSeeApiChangesWhenMadeAfterConnecting() throws Exception {
    try (LDAPConnection c = connect()) {
      c.bind(ADMIN, ADMIN_PW);
      directory.createAccount("bob@example.com", "pw");
      directory.setAdmin("bob@example.com", true);
      SearchResultEntry e =
          c.searchForEntry(
              "ou=domains,o=carbonio",
              SearchScope.SUB,
              Filter.createANDFilter(
                  Filter.createEqualityFilter("objectClass", "carbonioAccount"),
                  Filter.createEqualityFilter("carbonioIsAdmin", "TRUE")));
      assertThat(e.getAttributeValue("mail")).isEqualTo("bob@example.com");
    }
  }

  @Test
  void ldapsearchShouldListAccountWhenAdminBinds() throws Exception {
    Path ldapsearch = Path.of("/usr/bin/ldapsearch");
    assertThat(ldapsearch)
        .as("ldapsearch from ldap-utils (./carbonio test installs it)")
        .isExecutable();
    Process p =
        new ProcessBuilder(
                ldapsearch.toString(),
                "-x",
                "-LLL",
                "-H",
                "ldap://127.0.0.1:" + address.getPort(),
                "-D",
                ADMIN,
                "-w",
                ADMIN_PW,
                "-b",
                "o=carbonio",
                "(mail=alice@example.com)",
                "uid",
                "mail")
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("dn: uid=alice,ou=people,ou=example.com,ou=domains,o=carbonio")
        .contains("mail: alice@example.com");
  }

  private String storedHash() throws LDAPException {
    try (LDAPConnection c = connect()) {
      c.bind(ADMIN, ADMIN_PW);
      return c.getEntry("uid=alice,ou=people,ou=example.com,ou=domains,o=carbonio", "userPassword")
          .getAttributeValue("userPassword");
    }
  }
}
