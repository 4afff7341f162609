package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.carbonio.directory.Fixtures.CLIENT;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-tenant model: alias domains, account attributes, aliases, distribution lists, classes
 * of service and delegated roles, and that all of it survives a reopen.
 */
class ModelTest {
  @TempDir Path dir;
  EmbeddedDirectory directory;

  @BeforeEach
  void open() throws Exception {
    directory = Fixtures.open(dir);
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "pw-alice");
    directory.createAccount("bob@example.com", "pw-bob");
  }

  @AfterEach
  void close() {
    directory.close();
  }

  private void reopen() throws IOException {
    directory.close();
    directory = Fixtures.open(dir);
  }

  @Test
  void aliasDomainShouldReachTheSameLocalPartWhenMailLookupOrLoginUsesIt() throws Exception {
    assertThat(directory.createAliasDomain("Example.NET", "example.com"))
        .isEqualTo(new Domain("example.net", Optional.of("example.com")));
    assertThat(directory.isLocalDomain("example.net")).isTrue();
    assertThat(directory.findAccount("Alice@example.net").orElseThrow().address())
        .isEqualTo("alice@example.com");
    assertThat(directory.authenticate("alice@example.net", "pw-alice", CLIENT)).isPresent();
    assertThat(directory.expand("bob@example.net").accounts())
        .extracting(Account::address)
        .containsExactly("bob@example.com");
    assertThat(directory.domains())
        .containsExactly(
            new Domain("example.com"), new Domain("example.net", Optional.of("example.com")));
  }

  @Test
  void aliasDomainShouldBeRefusedWhenTargetIsMissingOrItselfAnAlias() throws Exception {
    assertThatThrownBy(() -> directory.createAliasDomain("example.net", "nowhere.com"))
        .isInstanceOf(DirectoryException.UnknownDomain.class);
    directory.createAliasDomain("example.net", "example.com");
    assertThatThrownBy(() -> directory.createAliasDomain("example.org", "example.net"))
        .isInstanceOf(DirectoryException.UnknownDomain.class);
    assertThatThrownBy(() -> directory.createAccount("carol@example.net", "pw"))
        .isInstanceOf(DirectoryException.UnknownDomain.class);
    assertThatThrownBy(() -> directory.deleteDomain("example.com"))
        .isInstanceOf(DirectoryException.Conflict.class);
  }

  @Test
  void accountAttributesShouldBeStoredAndSurviveReopen() throws Exception {
    directory.createClassOfService(
        new ClassOfService("gold", OptionalLong.of(10_000_000), Map.of("pop3", false), 12));
    directory.setDisplayName("alice@example.com", "Alice Liddell");
    directory.setQuota("alice@example.com", OptionalLong.of(5_000));
    directory.setClassOfService("alice@example.com", "gold");
    directory.setMailHost("alice@example.com", Optional.of("Mail2.Example.COM"));
    reopen();
    Account a = directory.findAccount("alice@example.com").orElseThrow();
    assertThat(a.displayName()).isEqualTo("Alice Liddell");
    assertThat(a.quotaBytes()).hasValue(5_000);
    assertThat(a.cos()).isEqualTo("gold");
    assertThat(a.mailHost()).contains("mail2.example.com");
    assertThat(directory.effectiveQuota("alice@example.com")).hasValue(5_000);
    directory.setQuota("alice@example.com", OptionalLong.empty());
    assertThat(directory.effectiveQuota("alice@example.com")).hasValue(10_000_000);
    assertThat(directory.effectiveQuota("bob@example.com")).isEmpty(); // default class: none
    assertThat(directory.classOfService("gold").orElseThrow().feature("pop3")).isFalse();
    assertThat(directory.classOfService("gold").orElseThrow().feature("imap")).isTrue();
    // the class's password policy applies to its accounts
    assertThatThrownBy(() -> directory.setPassword("alice@example.com", "short"))
        .isInstanceOf(DirectoryException.Invalid.class)
        .hasMessageContaining("12");
    directory.setPassword("alice@example.com", "long enough now");
  }

  @Test
  void classOfServiceShouldNotBeDeletedWhileUsedOrWhenDefault() throws Exception {
    assertThat(directory.classesOfService())
        .extracting(ClassOfService::name)
        .containsExactly(ClassOfService.DEFAULT);
    directory.createClassOfService(new ClassOfService("basic", OptionalLong.empty(), Map.of(), 8));
    directory.setClassOfService("bob@example.com", "basic");
    assertThatThrownBy(() -> directory.deleteClassOfService("basic"))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(() -> directory.deleteClassOfService(ClassOfService.DEFAULT))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(() -> directory.setClassOfService("bob@example.com", "nope"))
        .isInstanceOf(DirectoryException.NotFound.class);
    directory.updateClassOfService(
        new ClassOfService("basic", OptionalLong.of(1), Map.of("calendar", false), 9));
    assertThat(directory.classOfService("basic").orElseThrow().passwordMinLength()).isEqualTo(9);
    directory.setClassOfService("bob@example.com", ClassOfService.DEFAULT);
    directory.deleteClassOfService("basic");
    assertThat(directory.classOfService("basic")).isEmpty();
  }

  @Test
  void aliasShouldReachTheAccountAndBeUniqueAcrossAccountsAliasesAndLists() throws Exception {
    directory.addAlias("alice@example.com", "Al@Example.com");
    assertThat(directory.findAccount("al@example.com").orElseThrow().address())
        .isEqualTo("alice@example.com");
    assertThat(directory.findAccount("alice@example.com").orElseThrow().aliases())
        .containsExactly("al@example.com");
    assertThat(directory.authenticate("al@example.com", "pw-alice", CLIENT)).isPresent();
    assertThatThrownBy(() -> directory.addAlias("bob@example.com", "al@example.com"))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(() -> directory.addAlias("bob@example.com", "alice@example.com"))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(() -> directory.createAccount("al@example.com", "pw"))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(() -> directory.createList("al@example.com", ""))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(() -> directory.addAlias("bob@example.com", "b@elsewhere.org"))
        .isInstanceOf(DirectoryException.UnknownDomain.class);
    directory.removeAlias("al@example.com");
    assertThat(directory.findAccount("al@example.com")).isEmpty();
    assertThatThrownBy(() -> directory.removeAlias("al@example.com"))
        .isInstanceOf(DirectoryException.NotFound.class);
  }

  @Test
  void expandShouldFollowNestedListsOnceAndKeepOutsideAddresses() throws Exception {
    directory.createList("team@example.com", "The team");
    directory.createList("all@example.com", "");
    directory.addListMember("team@example.com", "alice@example.com");
    directory.addListMember("team@example.com", "partner@outside.org");
    directory.addListMember("all@example.com", "team@example.com");
    directory.addListMember("all@example.com", "bob@example.com");
    directory.addListMember("team@example.com", "all@example.com"); // a cycle
    directory.addListMember("all@example.com", "nobody@example.com"); // unknown local address
    Expansion e = directory.expand("all@example.com");
    assertThat(e.accounts())
        .extracting(Account::address)
        .containsExactly("alice@example.com", "bob@example.com");
    assertThat(e.external()).containsExactly("partner@outside.org");
    assertThat(directory.expand("stranger@outside.org").external())
        .containsExactly("stranger@outside.org");
    assertThat(directory.expand("nobody@example.com").isEmpty()).isTrue();
    reopen();
    assertThat(directory.findList("team@example.com").orElseThrow())
        .isEqualTo(
            new DistributionList(
                "team@example.com",
                directory.findList("team@example.com").orElseThrow().id(),
                "The team",
                List.of("alice@example.com", "all@example.com", "partner@outside.org")));
    assertThat(directory.lists("example.com"))
        .extracting(DistributionList::address)
        .containsExactly("all@example.com", "team@example.com");
    assertThatThrownBy(() -> directory.deleteDomain("example.com"))
        .isInstanceOf(DirectoryException.Conflict.class);
    directory.removeListMember("team@example.com", "all@example.com");
    assertThatThrownBy(() -> directory.removeListMember("team@example.com", "all@example.com"))
        .isInstanceOf(DirectoryException.NotFound.class);
    assertThatThrownBy(() -> directory.addListMember("team@example.com", "team@example.com"))
        .isInstanceOf(DirectoryException.Invalid.class);
    directory.deleteList("team@example.com");
    assertThat(directory.expand("all@example.com").accounts())
        .extracting(Account::address)
        .containsExactly("bob@example.com");
  }

  @Test
  void expandShouldStopAtTheDepthLimitWhenListsNestDeeply() throws Exception {
    int lists = DirectoryLimits.MAX_LIST_DEPTH + 3;
    for (int i = 0; i < lists; i++) {
      directory.createList("l" + i + "@example.com", "");
    }
    for (int i = 0; i + 1 < lists; i++) {
      directory.addListMember("l" + i + "@example.com", "l" + (i + 1) + "@example.com");
    }
    directory.addListMember("l" + (lists - 1) + "@example.com", "alice@example.com");
    directory.addListMember("l1@example.com", "bob@example.com");
    assertThat(directory.expand("l0@example.com").accounts())
        .extracting(Account::address)
        .containsExactly("bob@example.com");
    assertThat(directory.expand("l0@example.com").truncated()).isTrue();
    assertThat(directory.expand("l1@example.com").truncated()).isTrue();
    assertThat(directory.expand("l3@example.com").truncated()).isFalse();
  }

  @Test
  void rolesAndStatusesShouldBeStoredAndDecideLoginAndMail() throws Exception {
    directory.createDomain("other.com");
    directory.grantRole("alice@example.com", new Role(Role.Kind.DOMAIN_ADMIN, "Example.com"));
    directory.grantRole("alice@example.com", new Role(Role.Kind.HELP_DESK, "other.com"));
    reopen();
    assertThat(directory.findAccount("alice@example.com").orElseThrow().roles())
        .containsExactlyInAnyOrder(
            new Role(Role.Kind.DOMAIN_ADMIN, "example.com"),
            new Role(Role.Kind.HELP_DESK, "other.com"));
    directory.revokeRole("alice@example.com", new Role(Role.Kind.HELP_DESK, "other.com"));
    assertThat(directory.findAccount("alice@example.com").orElseThrow().roles())
        .containsExactly(new Role(Role.Kind.DOMAIN_ADMIN, "example.com"));
    assertThatThrownBy(
            () -> directory.grantRole("bob@example.com", new Role(Role.Kind.HELP_DESK, "x.org")))
        .isInstanceOf(DirectoryException.UnknownDomain.class);

    directory.setStatus("bob@example.com", AccountStatus.MAINTENANCE);
    Account bob = directory.findAccount("bob@example.com").orElseThrow();
    assertThat(bob.status().mail()).isEqualTo(AccountStatus.MailDisposition.DEFER);
    assertThat(directory.authenticate("bob@example.com", "pw-bob", CLIENT)).isEmpty();
    assertThat(AccountStatus.CLOSED.mail()).isEqualTo(AccountStatus.MailDisposition.REJECT);
    assertThat(AccountStatus.LOCKED.mail()).isEqualTo(AccountStatus.MailDisposition.DELIVER);
    assertThat(Set.of(AccountStatus.values()).stream().filter(AccountStatus::canLogIn))
        .containsExactly(AccountStatus.ACTIVE);
  }

  @Test
  void deletionsShouldLeaveNoReferencesForWhoeverReusesAnAddressOrDomain() throws Exception {
    directory.createList("team@example.com", "");
    directory.addAlias("alice@example.com", "al@example.com");
    directory.addListMember("team@example.com", "alice@example.com");
    directory.addListMember("team@example.com", "al@example.com");
    directory.addListMember("team@example.com", "bob@example.com");
    directory.deleteAccount("alice@example.com");
    assertThat(directory.findList("team@example.com").orElseThrow().members())
        .containsExactly("bob@example.com");

    directory.createDomain("other.com");
    directory.grantRole("bob@example.com", new Role(Role.Kind.DOMAIN_ADMIN, "other.com"));
    directory.addAlias("bob@example.com", "bob@other.com");
    assertThatThrownBy(() -> directory.deleteDomain("other.com"))
        .isInstanceOf(DirectoryException.Conflict.class)
        .hasMessageContaining("aliases");
    directory.removeAlias("bob@other.com");
    directory.deleteDomain("other.com");
    assertThat(directory.findAccount("bob@example.com").orElseThrow().roles()).isEmpty();
  }
}
