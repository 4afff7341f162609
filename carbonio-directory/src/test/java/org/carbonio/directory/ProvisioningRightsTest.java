package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every provisioning call of {@link Provisioning} against the rights of each kind of caller: a
 * domain admin manages only its own domains, a help desk only reads, resets passwords and locks,
 * and only global admins touch domains, classes of service, mail hosts and roles.
 */
class ProvisioningRightsTest {
  @TempDir Path dir;
  EmbeddedDirectory directory;

  @BeforeEach
  void open() throws Exception {
    directory = Fixtures.open(dir);
    for (String d : List.of("mine.com", "theirs.com")) {
      directory.createDomain(d);
      directory.createAccount("user@" + d, "pw");
      directory.createList("list@" + d, "");
      directory.createAccount("victim@" + d, "pw"); // for deleteAccount
    }
    directory.createAliasDomain("mine.net", "mine.com");
    directory.createAccount("root@mine.com", "pw");
    directory.setAdmin("root@mine.com", true);
    directory.createAccount("dadmin@mine.com", "pw");
    directory.grantRole("dadmin@mine.com", new Role(Role.Kind.DOMAIN_ADMIN, "mine.com"));
    directory.createAccount("helper@mine.com", "pw");
    directory.grantRole("helper@mine.com", new Role(Role.Kind.HELP_DESK, "mine.com"));
    directory.createAccount("plain@mine.com", "pw");
  }

  @AfterEach
  void close() {
    directory.close();
  }

  @FunctionalInterface
  interface Call {
    void run(Provisioning p) throws DirectoryException;
  }

  /** Each provisioning call, aimed at domain {@code d}; fresh names on every use. */
  private static Map<String, Call> domainCalls(String d) {
    Map<String, Call> calls = new LinkedHashMap<>();
    int[] n = {0};
    calls.put("createAccount", p -> p.createAccount("new" + n[0]++ + "@" + d, "pw"));
    calls.put("setPassword", p -> p.setPassword("user@" + d, "pw2"));
    calls.put("setStatus LOCKED", p -> p.setStatus("user@" + d, AccountStatus.LOCKED));
    calls.put("setStatus ACTIVE", p -> p.setStatus("user@" + d, AccountStatus.ACTIVE));
    calls.put("setStatus CLOSED", p -> p.setStatus("user@" + d, AccountStatus.CLOSED));
    calls.put("setDisplayName", p -> p.setDisplayName("user@" + d, "User"));
    calls.put("setQuota", p -> p.setQuota("user@" + d, OptionalLong.of(1_000)));
    calls.put("setClassOfService", p -> p.setClassOfService("user@" + d, ClassOfService.DEFAULT));
    calls.put("findAccount", p -> p.findAccount("user@" + d));
    calls.put("accounts", p -> p.accounts(Optional.of(d)));
    calls.put("addAlias", p -> p.addAlias("user@" + d, "alias" + n[0]++ + "@" + d));
    calls.put(
        "removeAlias",
        p -> {
          String alias = "gone" + n[0]++ + "@" + d;
          p.addAlias("user@" + d, alias);
          p.removeAlias(alias);
        });
    calls.put("createList", p -> p.createList("newlist" + n[0]++ + "@" + d, ""));
    calls.put("addListMember", p -> p.addListMember("list@" + d, "m" + n[0]++ + "@x.org"));
    calls.put(
        "removeListMember",
        p -> {
          String m = "r" + n[0]++ + "@x.org";
          p.addListMember("list@" + d, m);
          p.removeListMember("list@" + d, m);
        });
    calls.put("findList", p -> p.findList("list@" + d));
    calls.put("lists", p -> p.lists(d));
    calls.put(
        "deleteList",
        p -> {
          String l = "tmp" + n[0]++ + "@" + d;
          p.createList(l, "");
          p.deleteList(l);
        });
    calls.put("deleteAccount", p -> p.deleteAccount("victim@" + d));
    calls.put("dkimKeys", p -> p.dkimKeys(d));
    calls.put("addDkimKey", p -> p.addDkimKey(d, DkimKeyTest.key("add" + n[0]++)));
    calls.put(
        "activateDkimKey",
        p -> {
          String s = "act" + n[0]++;
          p.addDkimKey(d, DkimKeyTest.key(s));
          p.activateDkimKey(d, s);
          p.removeDkimKey(d, s);
        });
    calls.put(
        "removeDkimKey",
        p -> {
          String s = "rm" + n[0]++;
          p.addDkimKey(d, DkimKeyTest.key(s));
          p.removeDkimKey(d, s);
        });
    return calls;
  }

  /** Calls only global admins may make. */
  private static Map<String, Call> globalCalls() {
    Map<String, Call> calls = new LinkedHashMap<>();
    int[] n = {0};
    calls.put("createDomain", p -> p.createDomain("d" + n[0]++ + ".org"));
    calls.put("createAliasDomain", p -> p.createAliasDomain("a" + n[0]++ + ".org", "mine.com"));
    calls.put("deleteDomain", p -> p.deleteDomain("nonexistent.org"));
    calls.put(
        "createClassOfService",
        p ->
            p.createClassOfService(
                new ClassOfService("c" + n[0]++, OptionalLong.empty(), Map.of(), 1)));
    calls.put(
        "updateClassOfService",
        p ->
            p.updateClassOfService(
                new ClassOfService(ClassOfService.DEFAULT, OptionalLong.empty(), Map.of(), 1)));
    calls.put("deleteClassOfService", p -> p.deleteClassOfService("nonexistent"));
    calls.put("setMailHost", p -> p.setMailHost("user@mine.com", Optional.of("mail2.mine.com")));
    calls.put("setAdmin", p -> p.setAdmin("user@mine.com", false));
    calls.put(
        "grantRole", p -> p.grantRole("user@mine.com", new Role(Role.Kind.HELP_DESK, "mine.com")));
    calls.put(
        "revokeRole",
        p -> p.revokeRole("user@mine.com", new Role(Role.Kind.HELP_DESK, "mine.com")));
    calls.put("accounts of every domain", p -> p.accounts(Optional.empty()));
    return calls;
  }

  /** Runs a call as the caller; true if allowed, false if Forbidden; other outcomes are fine. */
  private boolean allowed(String caller, Call call) throws Exception {
    Provisioning p = new Provisioning(directory, Provisioning.Caller.account(caller));
    try {
      call.run(p);
      return true;
    } catch (DirectoryException.Forbidden e) {
      return false;
    } catch (DirectoryException e) {
      return true; // passed the rights check, then failed on the data (e.g. NotFound)
    }
  }

  private List<String> refused(String caller, Map<String, Call> calls) throws Exception {
    List<String> out = new ArrayList<>();
    for (var e : calls.entrySet()) {
      if (!allowed(caller, e.getValue())) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  @Test
  void domainAdminShouldManageItsOwnDomainOnlyForEveryCall() throws Exception {
    assertThat(refused("dadmin@mine.com", domainCalls("mine.com"))).isEmpty();
    assertThat(refused("dadmin@mine.com", domainCalls("mine.net")))
        .as("via alias domain")
        .isEmpty();
    assertThat(refused("dadmin@mine.com", domainCalls("theirs.com")))
        .containsExactlyElementsOf(domainCalls("theirs.com").keySet());
    assertThat(refused("dadmin@mine.com", globalCalls()))
        .containsExactlyElementsOf(globalCalls().keySet());
    assertThat(
            new Provisioning(directory, Provisioning.Caller.account("dadmin@mine.com")).domains())
        .extracting(Domain::name)
        .containsExactly("mine.com", "mine.net");
  }

  @Test
  void helpDeskShouldOnlyReadResetPasswordsAndLockInItsDomain() throws Exception {
    assertThat(refused("helper@mine.com", domainCalls("mine.com")))
        .containsExactly(
            "createAccount",
            "setStatus CLOSED",
            "setDisplayName",
            "setQuota",
            "setClassOfService",
            "addAlias",
            "removeAlias",
            "createList",
            "addListMember",
            "removeListMember",
            "deleteList",
            "deleteAccount",
            "dkimKeys",
            "addDkimKey",
            "activateDkimKey",
            "removeDkimKey");
    assertThat(refused("helper@mine.com", domainCalls("theirs.com")))
        .containsExactlyElementsOf(domainCalls("theirs.com").keySet());
    assertThat(refused("helper@mine.com", globalCalls()))
        .containsExactlyElementsOf(globalCalls().keySet());
  }

  @Test
  void globalAdminAndSystemShouldBeAllowedEverything() throws Exception {
    for (String d : List.of("mine.com", "theirs.com")) {
      assertThat(refused("root@mine.com", domainCalls(d))).isEmpty();
    }
    assertThat(refused("root@mine.com", globalCalls())).isEmpty();
    Provisioning system = new Provisioning(directory, Provisioning.Caller.system());
    assertThatCode(() -> system.createDomain("sys.org")).doesNotThrowAnyException();
  }

  @Test
  void plainLockedOrUnknownCallersShouldBeRefusedEverything() throws Exception {
    directory.setStatus("dadmin@mine.com", AccountStatus.LOCKED);
    for (String caller : List.of("plain@mine.com", "dadmin@mine.com", "ghost@mine.com")) {
      assertThat(refused(caller, domainCalls("mine.com")))
          .as(caller)
          .containsExactlyElementsOf(domainCalls("mine.com").keySet());
      assertThat(refused(caller, globalCalls())).containsExactlyElementsOf(globalCalls().keySet());
    }
  }

  @Test
  void revokedRoleShouldTakeEffectAtTheNextCall() throws Exception {
    Provisioning p = new Provisioning(directory, Provisioning.Caller.account("dadmin@mine.com"));
    p.setDisplayName("user@mine.com", "Before");
    directory.revokeRole("dadmin@mine.com", new Role(Role.Kind.DOMAIN_ADMIN, "mine.com"));
    assertThatThrownBy(() -> p.setDisplayName("user@mine.com", "After"))
        .isInstanceOf(DirectoryException.Forbidden.class);
    assertThat(directory.findAccount("user@mine.com").orElseThrow().displayName())
        .isEqualTo("Before");
  }

  @Test
  void delegatedAdminsShouldNotTakeOverMorePowerfulAccountsOrCrossDomainsByAlias()
      throws Exception {
    Provisioning dadmin =
        new Provisioning(directory, Provisioning.Caller.account("dadmin@mine.com"));
    Provisioning helper =
        new Provisioning(directory, Provisioning.Caller.account("helper@mine.com"));
    // a global admin in the delegated admin's own domain
    assertThatThrownBy(() -> dadmin.setPassword("root@mine.com", "mine now"))
        .isInstanceOf(DirectoryException.Forbidden.class);
    assertThatThrownBy(() -> dadmin.deleteAccount("root@mine.com"))
        .isInstanceOf(DirectoryException.Forbidden.class);
    // a help desk cannot reset a domain admin, nor reopen a closed account
    assertThatThrownBy(() -> helper.setPassword("dadmin@mine.com", "mine now"))
        .isInstanceOf(DirectoryException.Forbidden.class);
    directory.setStatus("user@mine.com", AccountStatus.CLOSED);
    assertThatThrownBy(() -> helper.setStatus("user@mine.com", AccountStatus.ACTIVE))
        .isInstanceOf(DirectoryException.Forbidden.class);
    dadmin.setStatus("user@mine.com", AccountStatus.ACTIVE);
    helper.setStatus("user@mine.com", AccountStatus.LOCKED);
    // an alias in its domain that leads to an account of another domain
    directory.addAlias("user@theirs.com", "bridge@mine.com");
    assertThatThrownBy(() -> dadmin.findAccount("bridge@mine.com"))
        .isInstanceOf(DirectoryException.Forbidden.class);
    assertThatThrownBy(() -> dadmin.setPassword("bridge@mine.com", "x"))
        .isInstanceOf(DirectoryException.Forbidden.class);
    assertThatThrownBy(() -> dadmin.removeAlias("bridge@mine.com"))
        .isInstanceOf(DirectoryException.Forbidden.class);
    assertThat(directory.authenticate("root@mine.com", "pw", Fixtures.CLIENT)).isPresent();
  }
}
