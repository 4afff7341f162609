package org.carbonio.directory.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.ResultCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An Active-Directory-like naming context ({@code dc=example,dc=org}) through the extension. */
class DomainSuffixTest {
  @RegisterExtension static SlapdExtension slapd = new SlapdExtension("dc=example,dc=org");

  @Test
  void extensionShouldServeDomainSuffixWhenGivenDomainComponents() throws Exception {
    assertThat(slapd.suffix()).isEqualTo("dc=example,dc=org");
    assertThat(slapd.rootDn()).isEqualTo("cn=admin,dc=example,dc=org");
    assertThat(slapd.url()).startsWith("ldap://127.0.0.1:");
    try (LDAPConnection c = slapd.connection()) {
      c.add("dn: ou=people,dc=example,dc=org", "objectClass: organizationalUnit", "ou: people");
      c.add(
          "dn: uid=erin,ou=people,dc=example,dc=org",
          "objectClass: inetOrgPerson",
          "objectClass: carbonioAccount",
          "uid: erin",
          "cn: erin",
          "sn: erin",
          "mail: erin@example.org",
          "carbonioId: 1",
          "userPassword: " + SlapdExtensionTest.ssha("pw"));
      assertThat(c.getEntry("uid=erin,ou=people,dc=example,dc=org")).isNotNull();
    }
    try (LDAPConnection user = new LDAPConnection("127.0.0.1", slapd.port())) {
      assertThat(user.bind("uid=erin,ou=people,dc=example,dc=org", "pw").getResultCode())
          .isEqualTo(ResultCode.SUCCESS);
    }
  }
}
