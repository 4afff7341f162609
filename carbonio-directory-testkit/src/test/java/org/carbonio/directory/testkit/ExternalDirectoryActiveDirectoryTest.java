package org.carbonio.directory.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.carbonio.directory.Account;
import org.carbonio.directory.AccountStatus;
import org.carbonio.directory.AttributeMapping;
import org.carbonio.directory.ExternalDirectory;
import org.carbonio.directory.ExternalDirectoryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ExternalDirectory} with {@link AttributeMapping#ACTIVE_DIRECTORY} against slapd loaded
 * with the Active Directory attributes it reads (sAMAccountName, userPrincipalName, proxyAddresses,
 * objectGUID, userAccountControl, group/member): logins by every name form, aliases from {@code
 * smtp:} proxy addresses, disabled accounts, binary ids, computers ignored.
 */
class ExternalDirectoryActiveDirectoryTest {
  @RegisterExtension
  static final SlapdExtension SLAPD =
      new SlapdExtension("dc=corp,dc=example", b -> b.schema(adSchema()));

  private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();
  private static final String USERS = "cn=Users,dc=corp,dc=example";
  private ExternalDirectory directory;

  private static Path adSchema() {
    try {
      return Path.of(
          ExternalDirectoryActiveDirectoryTest.class.getResource("/ad-subset.ldif").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Entry user(String sam, String mail, int control, String guidHex, String... proxies)
      throws Exception {
    Entry e =
        new Entry(
            "dn: cn=" + sam + "," + USERS,
            "objectClass: user",
            "cn: " + sam,
            "sn: " + sam,
            "sAMAccountName: " + sam,
            "userPrincipalName: " + sam + "@corp.example",
            "mail: " + mail,
            "displayName: " + sam.toUpperCase(java.util.Locale.ROOT),
            "userAccountControl: " + control,
            "userPassword: " + ExternalDirectoryTest.ssha("pw-" + sam));
    e.addAttribute(new Attribute("objectGUID", HexFormat.of().parseHex(guidHex)));
    if (proxies.length > 0) {
      e.addAttribute("proxyAddresses", proxies);
    }
    return e;
  }

  @BeforeAll
  static void populate() throws Exception {
    try (LDAPConnection c = SLAPD.connection()) {
      c.add(new Entry("dn: " + USERS, "objectClass: organizationalRole", "cn: Users"));
      Entry john =
          user(
              "jdoe",
              "John.Doe@example.com",
              512,
              "00112233445566778899aabbccddeeff",
              "SMTP:john.doe@example.com",
              "smtp:jd@example.com",
              "X400:c=US;a= ;p=Corp;o=Exchange;s=Doe;g=John;");
      john.addAttribute("memberOf", "cn=Sales," + USERS); // AD maintains it; set by hand here
      c.add(john);
      c.add(user("locked", "locked@example.com", 514, "ffeeddccbbaa99887766554433221100"));
      Entry computer = user("ws01", "ws01@example.com", 4096, "0102030405060708090a0b0c0d0e0f10");
      computer.setAttribute("objectClass", "computer");
      c.add(computer);
      c.add(
          new Entry(
              "dn: cn=Sales," + USERS,
              "objectClass: group",
              "cn: Sales",
              "mail: sales@example.com",
              "groupType: 8",
              "member: cn=jdoe," + USERS,
              "member: cn=locked," + USERS));
    }
  }

  @BeforeEach
  void open() throws Exception {
    directory =
        ExternalDirectory.open(
            ExternalDirectoryConfig.of(
                List.of(URI.create(SLAPD.url())),
                SLAPD.rootDn(),
                SLAPD.rootPassword(),
                "dc=corp,dc=example",
                List.of("example.com"),
                AttributeMapping.ACTIVE_DIRECTORY));
  }

  @AfterEach
  void close() {
    directory.close();
  }

  @Test
  void loginsShouldWorkByMailUpnSamAccountNameAndProxyAddress() {
    for (String login :
        List.of("john.doe@example.com", "jdoe@corp.example", "jdoe", "JD@example.com")) {
      assertThat(directory.authenticate(login, "pw-jdoe", CLIENT)).as(login).isPresent();
    }
    assertThat(directory.authenticate("jdoe", "wrong", CLIENT)).isEmpty();
  }

  @Test
  void accountShouldCarryAliasesFromSmtpProxyAddressesAndAHexGuid() {
    Account john = directory.findAccount("jd@example.com").orElseThrow();
    assertThat(john.address()).isEqualTo("john.doe@example.com");
    assertThat(john.aliases()).containsExactly("jd@example.com");
    assertThat(john.id()).isEqualTo("00112233445566778899aabbccddeeff");
    assertThat(john.displayName()).isEqualTo("JDOE");
    assertThat(directory.findAccountById(john.id())).contains(john);
    assertThat(directory.findAccount("ws01@example.com")).as("computers are no accounts").isEmpty();
  }

  @Test
  void disabledAccountShouldBeLockedAndUnableToLogIn() {
    assertThat(directory.findAccount("locked@example.com").orElseThrow().status())
        .isEqualTo(AccountStatus.LOCKED);
    assertThat(directory.authenticate("locked", "pw-locked", CLIENT)).isEmpty();
  }

  @Test
  void groupShouldExpandToItsMembers() {
    assertThat(directory.expand("sales@example.com").accounts())
        .extracting(Account::address)
        .containsExactly("john.doe@example.com", "locked@example.com");
    assertThat(directory.findList("sales@example.com").orElseThrow().members())
        .containsExactly("john.doe@example.com", "locked@example.com");
    assertThat(directory.groupsOf("jd@example.com")).containsExactly("sales@example.com");
  }
}
