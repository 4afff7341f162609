package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/** LDAP filter and DN metacharacters in names never change what a query means. */
class InjectionTest {
  @TempDir Path dir;
  EmbeddedDirectory directory;

  @BeforeEach
  void open() throws Exception {
    directory =
        EmbeddedDirectory.builder()
            .dataDir(dir)
            .limits(Fixtures.FAST)
            .ldapListener(new InetSocketAddress(Fixtures.CLIENT, 0))
            .ldapAdminPassword("pw")
            .build();
    directory.createDomain("example.com");
    directory.createAccount("ab@example.com", "pw");
  }

  @AfterEach
  void close() {
    directory.close();
  }

  // Not atext (RFC 5322 §3.2.3): refused.
  @ParameterizedTest
  @ValueSource(
      strings = {
        "a(b",
        "a)b",
        "a\\b",
        "a,b",
        "a<b",
        "a>b",
        "a;b",
        "a\"b",
        "a\u0000b",
        "a b",
        "*)(uid=*",
        "ab,ou=people",
        "a\nb",
        "a:b",
        "a[b"
      })
  void createAccountShouldFailInvalidWhenLocalPartHasMetacharacters(String local) {
    assertThatThrownBy(() -> directory.createAccount(local + "@example.com", "pw"))
        .isInstanceOf(DirectoryException.Invalid.class);
    assertThat(directory.findAccount(local + "@example.com")).isEmpty();
    assertThat(directory.authenticate(local + "@example.com", "pw", Fixtures.CLIENT)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "*",
        "a*",
        "x(y).com",
        "x\\2a.com",
        "x,ou=domains",
        "x=y.com",
        "x+y.com",
        "x<y>.com",
        "x;y.com",
        "x\"y.com",
        "#x.com",
        "x\u0000.com",
        "*.com",
        "example.com)(ou=*"
      })
  void createDomainShouldFailInvalidWhenNameHasMetacharacters(String name) {
    assertThatThrownBy(() -> directory.createDomain(name))
        .isInstanceOf(DirectoryException.Invalid.class);
    assertThat(directory.isLocalDomain(name)).isFalse();
    assertThat(directory.domains()).containsExactly(new Domain("example.com"));
  }

  // atext that is special in LDAP filters or DNs: stored literally.
  @Test
  void createAccountShouldStoreLiterallyWhenLocalPartHasFilterOrDnSpecials() throws Exception {
    List<String> locals = List.of("a*b", "*", "a=b", "a+b", "#a", "a#", "{x}", "a|b", "a&b", "a'b");
    for (String l : locals) {
      Account a = directory.createAccount(l + "@example.com", "pw-" + l);
      assertThat(a.localPart()).isEqualTo(l);
    }
    // "*" is an account, not a wildcard: "a*" matches nothing, "*" only itself
    assertThat(directory.findAccount("a*@example.com")).isEmpty();
    assertThat(directory.findAccount("*@example.com").orElseThrow().address())
        .isEqualTo("*@example.com");
    assertThat(directory.authenticate("*@example.com", "pw", Fixtures.CLIENT)).isEmpty();
    assertThat(directory.authenticate("*@example.com", "pw-*", Fixtures.CLIENT)).isPresent();
    assertThat(directory.accounts(Optional.empty())).hasSize(locals.size() + 1);

    try (LDAPConnection c =
        new LDAPConnection(
            directory.ldapAddress().orElseThrow().getHostString(),
            directory.ldapAddress().orElseThrow().getPort())) {
      c.bind("cn=admin,o=carbonio", "pw");
      SearchResult r =
          c.search(
              "o=carbonio",
              SearchScope.SUB,
              Filter.createEqualityFilter("mail", "a*b@example.com"),
              "uid");
      assertThat(r.getSearchEntries())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getAttributeValue("uid")).isEqualTo("a*b");
                assertThat(e.getParsedDN().getRDN().getAttributeValues()).containsExactly("a*b");
              });
      SearchResult plus =
          c.search(
              "o=carbonio", SearchScope.SUB, Filter.createEqualityFilter("uid", "a+b"), "mail");
      assertThat(plus.getSearchEntries())
          .singleElement()
          .satisfies(e -> assertThat(e.getAttributeValue("mail")).isEqualTo("a+b@example.com"));
    }

    directory.close();
    directory = Fixtures.open(dir);
    for (String l : locals) {
      assertThat(directory.findAccount(l + "@example.com")).as(l).isPresent();
      assertThat(directory.authenticate(l + "@example.com", "pw-" + l, Fixtures.CLIENT))
          .isPresent();
    }
  }

  @Test
  void namesShouldBeRefusedOrStoredLiterallyWhenBuiltFromMetacharacters() {
    Gen<String> local =
        SourceDSL.lists()
            .of(
                Generate.pick(
                    List.of(
                        "a", ".", "*", "(", ")", "\\", ",", "=", "+", "<", ">", ";", "\"", "#",
                        "\u0000", "|", "&", "!", " ", "B")))
            .ofSizeBetween(1, 8)
            .map(parts -> String.join("", parts));
    qt().withExamples(200)
        .forAll(local)
        .checkAssert(
            l -> {
              String address = l + "@example.com";
              try {
                Account a = directory.createAccount(address, "pw");
                assertThat(a.address()).isEqualToIgnoringCase(address);
                assertThat(directory.findAccount(address)).contains(a);
                assertThat(directory.accounts(Optional.of("example.com")))
                    .filteredOn(x -> x.address().equals(a.address()))
                    .hasSize(1);
                directory.deleteAccount(address);
              } catch (DirectoryException.Conflict existing) {
                assertThat(l).isEqualToIgnoringCase("ab");
              } catch (DirectoryException.Invalid expected) {
                assertThat(directory.findAccount(address)).isEmpty();
              } catch (DirectoryException e) {
                throw new AssertionError(address, e);
              }
              assertThat(directory.accounts(Optional.empty()))
                  .extracting(Account::address)
                  .containsExactly("ab@example.com");
            });
  }
}
