package org.carbonio.directory.testkit;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchScope;
import java.net.URI;
import java.util.List;
import org.carbonio.directory.Directory;
import org.carbonio.directory.DirectoryLimits;
import org.carbonio.directory.LdapServerDirectory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract on a real OpenLDAP: slapd (private, carbonio schema, suffix {@code o=carbonio})
 * holds the tree, {@link LdapServerDirectory} writes and reads it. Each test starts from the empty
 * suffix.
 */
class LdapServerDirectoryContractTest implements DirectoryContract {
  @RegisterExtension static final SlapdExtension SLAPD = new SlapdExtension("o=carbonio");

  @Override
  public Directory newDirectory() throws Exception {
    try (LDAPConnection c = SLAPD.connection()) {
      // Empty the suffix left by the previous test, leaves first.
      List<String> dns =
          new java.util.ArrayList<>(
              c
                  .search("o=carbonio", SearchScope.ONE, "(objectClass=*)", "1.1")
                  .getSearchEntries()
                  .stream()
                  .map(e -> e.getDN())
                  .toList());
      for (String dn : dns) {
        deleteTree(c, dn);
      }
    }
    return LdapServerDirectory.open(
        List.of(URI.create(SLAPD.url())),
        SLAPD.rootDn(),
        SLAPD.rootPassword(),
        4,
        DirectoryLimits.DEFAULTS.withPbkdf2Iterations(1_000));
  }

  private static void deleteTree(LDAPConnection c, String dn) throws Exception {
    for (var child : c.search(dn, SearchScope.ONE, "(objectClass=*)", "1.1").getSearchEntries()) {
      deleteTree(c, child.getDN());
    }
    c.delete(dn);
  }
}
