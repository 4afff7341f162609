package org.carbonio.directory.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchScope;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The benchmark's load: 10,000 accounts, found by one unlimited search and by indexed lookups. */
class ManyAccountsTest {
  private static final int ACCOUNTS = 10_000;

  @RegisterExtension static SlapdExtension slapd = new SlapdExtension();

  @Test
  void searchShouldReturnEveryAccountWhenTenThousandLoaded() throws Exception {
    try (LDAPConnection c = slapd.connection()) {
      c.add("dn: ou=people,o=carbonio", "objectClass: organizationalUnit", "ou: people");
      for (int i = 0; i < ACCOUNTS; i++) {
        c.add(
            "dn: uid=user" + i + ",ou=people,o=carbonio",
            "objectClass: inetOrgPerson",
            "objectClass: carbonioAccount",
            "uid: user" + i,
            "cn: user" + i,
            "sn: user" + i,
            "mail: user" + i + "@example.org",
            "carbonioId: " + UUID.randomUUID(),
            "userPassword: " + SlapdExtensionTest.ssha("pw" + i));
      }
      // olcSizeLimit unlimited: the default limit (500) would cut this search short.
      assertThat(
              c.search("ou=people,o=carbonio", SearchScope.ONE, "(objectClass=carbonioAccount)")
                  .getEntryCount())
          .isEqualTo(ACCOUNTS);
      assertThat(
              c.searchForEntry("o=carbonio", SearchScope.SUB, "(mail=user9999@example.org)")
                  .getDN())
          .isEqualTo("uid=user9999,ou=people,o=carbonio");
    }
    try (LDAPConnection user = new LDAPConnection("127.0.0.1", slapd.port())) {
      user.bind("uid=user4242,ou=people,o=carbonio", "pw4242");
    }
  }
}
