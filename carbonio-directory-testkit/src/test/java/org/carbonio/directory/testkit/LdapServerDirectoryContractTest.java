package org.carbonio.directory.testkit;

import static org.assertj.core.api.Assertions.assertThat;

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

  /** slapd's access control keeps the DKIM private keys from every bind but the root DN. */
  @org.junit.jupiter.api.Test
  void dkimPrivateKeyShouldBeReadableOnlyByTheRootDn() throws Exception {
    directory().createDomain("example.com");
    directory()
        .addDkimKey(
            "example.com",
            DirectoryContract.dkimKey(
                "s1",
                org.carbonio.directory.DkimKey.Algorithm.RSA_SHA256,
                org.carbonio.directory.DkimKey.State.ACTIVE));
    String domainDn = "ou=example.com,ou=domains,o=carbonio";
    try (LDAPConnection anonymous = new LDAPConnection("127.0.0.1", SLAPD.port())) {
      var e = anonymous.getEntry(domainDn, "*");
      assertThat(e).isNotNull(); // the domain itself is public
      assertThat(e.hasAttribute("carbonioDkimKey")).isFalse();
      assertThat(
              anonymous.search(domainDn, SearchScope.BASE, "(carbonioDkimKey=s1*)").getEntryCount())
          .isZero();
    }
    try (LDAPConnection root = SLAPD.connection()) {
      assertThat(root.getEntry(domainDn, "carbonioDkimKey").getAttributeValue("carbonioDkimKey"))
          .startsWith("s1$rsa-sha256$active$");
    }
  }

  private static void deleteTree(LDAPConnection c, String dn) throws Exception {
    for (var child : c.search(dn, SearchScope.ONE, "(objectClass=*)", "1.1").getSearchEntries()) {
      deleteTree(c, child.getDN());
    }
    c.delete(dn);
  }
}
