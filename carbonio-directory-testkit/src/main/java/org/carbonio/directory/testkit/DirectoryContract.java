package org.carbonio.directory.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.carbonio.directory.Account;
import org.carbonio.directory.AccountStatus;
import org.carbonio.directory.ClassOfService;
import org.carbonio.directory.Directory;
import org.carbonio.directory.DirectoryException;
import org.carbonio.directory.DistributionList;
import org.carbonio.directory.DkimKey;
import org.carbonio.directory.Domain;
import org.carbonio.directory.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Directory} backend shares, as one JUnit 5 suite: a backend's test
 * class implements this interface and {@link #newDirectory}, and inherits every test.
 *
 * {@snippet :
 * class EmbeddedDirectoryContractTest implements DirectoryContract {
 *   @TempDir Path dir;
 *
 *   @Override
 *   public Directory newDirectory() throws Exception {
 *     return EmbeddedDirectory.open(dir);
 *   }
 * }
 * }
 *
 * <p>Each test gets an empty directory from {@link #newDirectory} and closes it afterwards. The
 * tests use only the {@link Directory} interface, so a third-party backend can run them too.
 */
public interface DirectoryContract {

  /** An empty directory (no domains), fresh for each test. */
  Directory newDirectory() throws Exception;

  /** The directory of the running test. */
  default Directory directory() {
    return State.current.get();
  }

  /** Holds the running test's directory. Not thread-safe beyond one test thread. */
  final class State {
    static final ThreadLocal<Directory> current = new ThreadLocal<>();

    private State() {}
  }

  @BeforeEach
  default void openDirectory() throws Exception {
    State.current.set(newDirectory());
  }

  @AfterEach
  default void closeDirectory() {
    Directory d = State.current.get();
    State.current.remove();
    if (d != null) {
      d.close();
    }
  }

  /** The client address tests authenticate from. */
  InetAddress CLIENT = InetAddress.getLoopbackAddress();

  /** Metacharacters of LDAP filters (RFC 4515 §3) and DNs (RFC 4514 §2.4). */
  List<String> METACHARACTERS =
      List.of(
          "*", "(", ")", "\\", "\u0000", ",", "+", "\"", "<", ">", ";", "=", "#", " ", "|", "&");

  // ---- domains ----

  @Test
  default void createdDomainShouldBeListedAndLocalCaseInsensitively() throws Exception {
    assertThat(directory().createDomain("Example.COM")).isEqualTo(new Domain("example.com"));
    assertThat(directory().domains()).containsExactly(new Domain("example.com"));
    assertThat(directory().isLocalDomain("EXAMPLE.com")).isTrue();
    assertThat(directory().isLocalDomain("other.com")).isFalse();
    assertThatThrownBy(() -> directory().createDomain("example.com"))
        .isInstanceOf(DirectoryException.Conflict.class);
  }

  @Test
  default void domainWithAccountsShouldNotBeDeleted() throws Exception {
    directory().createDomain("example.com");
    directory().createAccount("alice@example.com", "pw-alice-1");
    assertThatThrownBy(() -> directory().deleteDomain("example.com"))
        .isInstanceOf(DirectoryException.Conflict.class);
    directory().deleteAccount("alice@example.com");
    directory().deleteDomain("example.com");
    assertThat(directory().domains()).isEmpty();
    assertThatThrownBy(() -> directory().deleteDomain("example.com"))
        .isInstanceOf(DirectoryException.NotFound.class);
  }

  @Test
  default void aliasDomainShouldReachTheTargetDomainsAccounts() throws Exception {
    directory().createDomain("example.com");
    directory().createAccount("alice@example.com", "pw-alice-1");
    assertThat(directory().createAliasDomain("example.net", "example.com"))
        .isEqualTo(new Domain("example.net", Optional.of("example.com")));
    assertThat(directory().findAccount("ALICE@example.net").orElseThrow().address())
        .isEqualTo("alice@example.com");
    assertThat(directory().authenticate("alice@example.net", "pw-alice-1", CLIENT)).isPresent();
    assertThatThrownBy(() -> directory().createAliasDomain("example.org", "example.net"))
        .isInstanceOf(DirectoryException.UnknownDomain.class);
    assertThatThrownBy(() -> directory().createAccount("bob@example.net", "pw"))
        .isInstanceOf(DirectoryException.UnknownDomain.class);
  }

  // ---- DKIM keys ----

  /** A DKIM key with made-up key bytes (the directory stores them as given). */
  static DkimKey dkimKey(String selector, DkimKey.Algorithm algorithm, DkimKey.State state) {
    byte[] der = new byte[algorithm == DkimKey.Algorithm.RSA_SHA256 ? 1218 : 48];
    for (int i = 0; i < der.length; i++) {
      der[i] = (byte) (i * 31 + selector.hashCode()); // every byte value, incl. 0 and 0xFF
    }
    String k = algorithm == DkimKey.Algorithm.RSA_SHA256 ? "rsa" : "ed25519";
    return new DkimKey(
        selector,
        algorithm,
        der,
        "v=DKIM1; k=" + k + "; p=" + java.util.Base64.getEncoder().encodeToString(der),
        java.time.Instant.parse("2026-11-01T10:00:00Z").plusSeconds(selector.length()),
        state);
  }

  @Test
  default void dkimKeysShouldBeStoredAsGivenAndRotated() throws Exception {
    directory().createDomain("example.com");
    assertThat(directory().dkimKeys("example.com")).isEmpty();
    assertThat(directory().activeDkimKey("example.com")).isEmpty();
    DkimKey current = dkimKey("s1", DkimKey.Algorithm.RSA_SHA256, DkimKey.State.ACTIVE);
    DkimKey next =
        dkimKey("s202612", DkimKey.Algorithm.ED25519_SHA256, DkimKey.State.PUBLISHED_NEXT);
    directory().addDkimKey("Example.COM", current);
    directory().addDkimKey("example.com", next);
    assertThat(directory().dkimKeys("EXAMPLE.com")).containsExactly(current, next);
    assertThat(directory().activeDkimKey("example.com")).contains(current);
    assertThat(directory().activeDkimKey("example.com").orElseThrow().privateKeyPkcs8())
        .isEqualTo(current.privateKeyPkcs8());

    directory().activateDkimKey("example.com", "S202612");
    assertThat(directory().dkimKeys("example.com"))
        .containsExactly(
            current.withState(DkimKey.State.RETIRED), next.withState(DkimKey.State.ACTIVE));
    directory().activateDkimKey("example.com", "s202612"); // active already: nothing changes
    assertThat(directory().activeDkimKey("example.com").orElseThrow().selector())
        .isEqualTo("s202612");

    directory().removeDkimKey("example.com", "s1");
    assertThat(directory().dkimKeys("example.com"))
        .containsExactly(next.withState(DkimKey.State.ACTIVE));
    directory().removeDkimKey("example.com", "s202612");
    assertThat(directory().dkimKeys("example.com")).isEmpty();
    assertThat(directory().activeDkimKey("example.com")).isEmpty();
  }

  @Test
  default void dkimKeyShouldBeRefusedWhenItConflictsOrTheDomainIsUnknown() throws Exception {
    directory().createDomain("example.com");
    DkimKey a = dkimKey("a", DkimKey.Algorithm.RSA_SHA256, DkimKey.State.ACTIVE);
    directory().addDkimKey("example.com", a);
    assertThatThrownBy(() -> directory().addDkimKey("example.com", a))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(
            () ->
                directory()
                    .addDkimKey(
                        "example.com",
                        dkimKey("b", DkimKey.Algorithm.RSA_SHA256, DkimKey.State.ACTIVE)))
        .as("a second active key")
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(() -> directory().addDkimKey("example.org", a))
        .isInstanceOf(DirectoryException.NotFound.class);
    assertThatThrownBy(() -> directory().addDkimKey("not a domain", a))
        .isInstanceOf(DirectoryException.Invalid.class);
    assertThatThrownBy(() -> directory().activateDkimKey("example.com", "nope"))
        .isInstanceOf(DirectoryException.NotFound.class);
    assertThatThrownBy(() -> directory().removeDkimKey("example.com", "nope"))
        .isInstanceOf(DirectoryException.NotFound.class);
    assertThatThrownBy(() -> directory().removeDkimKey("example.org", "a"))
        .isInstanceOf(DirectoryException.NotFound.class);
    for (int i = 1; i < DkimKey.MAX_PER_DOMAIN; i++) {
      directory()
          .addDkimKey(
              "example.com",
              dkimKey("r" + i, DkimKey.Algorithm.ED25519_SHA256, DkimKey.State.RETIRED));
    }
    assertThatThrownBy(
            () ->
                directory()
                    .addDkimKey(
                        "example.com",
                        dkimKey("extra", DkimKey.Algorithm.RSA_SHA256, DkimKey.State.RETIRED)))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThat(directory().dkimKeys("example.com")).hasSize(DkimKey.MAX_PER_DOMAIN);
    assertThat(directory().dkimKeys("not a domain")).isEmpty();
  }

  @Test
  default void dkimKeysShouldBelongToTheirDomainAndGoWithIt() throws Exception {
    directory().createDomain("example.com");
    directory().createAliasDomain("example.net", "example.com");
    DkimKey own = dkimKey("net1", DkimKey.Algorithm.RSA_SHA256, DkimKey.State.ACTIVE);
    directory().addDkimKey("example.net", own);
    assertThat(directory().dkimKeys("example.net")).containsExactly(own);
    assertThat(directory().dkimKeys("example.com")).isEmpty();
    directory().deleteDomain("example.net");
    directory().createAliasDomain("example.net", "example.com");
    assertThat(directory().dkimKeys("example.net")).isEmpty();
  }

  // ---- accounts and authentication ----

  @Test
  default void accountShouldBeFoundCaseInsensitivelyAndListedByDomain() throws Exception {
    directory().createDomain("example.com");
    directory().createDomain("example.org");
    Account a = directory().createAccount("Alice@Example.com", "pw-alice-1");
    directory().createAccount("bob@example.org", "pw-bob-1");
    assertThat(a.address()).isEqualTo("alice@example.com");
    assertThat(a.status()).isEqualTo(AccountStatus.ACTIVE);
    assertThat(a.admin()).isFalse();
    assertThat(directory().findAccount("ALICE@example.COM")).contains(a);
    assertThat(directory().findAccountById(a.id())).contains(a);
    assertThat(directory().accounts(Optional.of("example.com"))).containsExactly(a);
    assertThat(directory().accounts(Optional.empty()))
        .extracting(Account::address)
        .containsExactly("alice@example.com", "bob@example.org");
    assertThatThrownBy(() -> directory().createAccount("alice@example.com", "x"))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(() -> directory().createAccount("carol@nowhere.org", "x"))
        .isInstanceOf(DirectoryException.UnknownDomain.class);
  }

  @Test
  default void authenticateShouldAcceptOnlyTheRightPasswordOfAnActiveAccount() throws Exception {
    directory().createDomain("example.com");
    directory().createAccount("alice@example.com", "pw-alice-1");
    assertThat(directory().authenticate("alice@example.com", "pw-alice-1", CLIENT)).isPresent();
    assertThat(directory().authenticate("alice@example.com", "wrong", CLIENT)).isEmpty();
    assertThat(directory().authenticate("nobody@example.com", "pw-alice-1", CLIENT)).isEmpty();
    directory().setPassword("alice@example.com", "pw-alice-2");
    assertThat(directory().authenticate("alice@example.com", "pw-alice-1", CLIENT)).isEmpty();
    assertThat(directory().authenticate("alice@example.com", "pw-alice-2", CLIENT)).isPresent();
    for (AccountStatus s :
        List.of(AccountStatus.LOCKED, AccountStatus.MAINTENANCE, AccountStatus.CLOSED)) {
      directory().setStatus("alice@example.com", s);
      assertThat(directory().authenticate("alice@example.com", "pw-alice-2", CLIENT))
          .as(s.name())
          .isEmpty();
    }
    directory().setStatus("alice@example.com", AccountStatus.ACTIVE);
    assertThat(directory().authenticate("alice@example.com", "pw-alice-2", CLIENT)).isPresent();
  }

  @Test
  default void accountAttributesShouldBeStored() throws Exception {
    directory().createDomain("example.com");
    directory().createAccount("alice@example.com", "pw-alice-1");
    directory()
        .createClassOfService(
            new ClassOfService("gold", OptionalLong.of(10_000), Map.of("pop3", false), 4));
    directory().setDisplayName("alice@example.com", "Alice Liddell");
    directory().setClassOfService("alice@example.com", "gold");
    directory().setMailHost("alice@example.com", Optional.of("mail2.example.com"));
    directory().setAdmin("alice@example.com", true);
    Account a = directory().findAccount("alice@example.com").orElseThrow();
    assertThat(a.displayName()).isEqualTo("Alice Liddell");
    assertThat(a.cos()).isEqualTo("gold");
    assertThat(a.mailHost()).contains("mail2.example.com");
    assertThat(a.admin()).isTrue();
    assertThat(directory().effectiveQuota("alice@example.com")).hasValue(10_000);
    directory().setQuota("alice@example.com", OptionalLong.of(5));
    assertThat(directory().effectiveQuota("alice@example.com")).hasValue(5);
    directory().setQuota("alice@example.com", OptionalLong.empty());
    directory().setDisplayName("alice@example.com", "");
    a = directory().findAccount("alice@example.com").orElseThrow();
    assertThat(a.quotaBytes()).isEmpty();
    assertThat(a.displayName()).isEmpty();
    assertThatThrownBy(() -> directory().setPassword("alice@example.com", "abc"))
        .isInstanceOf(DirectoryException.Invalid.class);
  }

  // ---- aliases and lists ----

  @Test
  default void aliasShouldReachItsAccountAndBeUnique() throws Exception {
    directory().createDomain("example.com");
    directory().createAccount("alice@example.com", "pw-alice-1");
    directory().createAccount("bob@example.com", "pw-bob-1");
    directory().addAlias("alice@example.com", "al@example.com");
    assertThat(directory().findAccount("al@example.com").orElseThrow().address())
        .isEqualTo("alice@example.com");
    assertThatThrownBy(() -> directory().addAlias("bob@example.com", "al@example.com"))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(() -> directory().createAccount("al@example.com", "pw"))
        .isInstanceOf(DirectoryException.Conflict.class);
    directory().removeAlias("al@example.com");
    assertThat(directory().findAccount("al@example.com")).isEmpty();
  }

  @Test
  default void listsShouldExpandNestedOnceWithOutsideMembers() throws Exception {
    directory().createDomain("example.com");
    directory().createAccount("alice@example.com", "pw-alice-1");
    directory().createAccount("bob@example.com", "pw-bob-1");
    directory().createList("team@example.com", "Team");
    directory().createList("all@example.com", "");
    directory().addListMember("team@example.com", "alice@example.com");
    directory().addListMember("team@example.com", "partner@outside.org");
    directory().addListMember("all@example.com", "team@example.com");
    directory().addListMember("all@example.com", "bob@example.com");
    directory().addListMember("team@example.com", "all@example.com");
    assertThat(directory().expand("all@example.com").accounts())
        .extracting(Account::address)
        .containsExactly("alice@example.com", "bob@example.com");
    assertThat(directory().expand("all@example.com").external())
        .containsExactly("partner@outside.org");
    DistributionList team = directory().findList("team@example.com").orElseThrow();
    assertThat(team.displayName()).isEqualTo("Team");
    assertThat(team.members())
        .containsExactly("alice@example.com", "all@example.com", "partner@outside.org");
    assertThat(directory().lists("example.com"))
        .extracting(DistributionList::address)
        .containsExactly("all@example.com", "team@example.com");
    directory().addAlias("bob@example.com", "robert@example.com");
    directory().createList("robs@example.com", "");
    directory().addListMember("robs@example.com", "robert@example.com");
    assertThat(directory().groupsOf("alice@example.com"))
        .containsExactly("all@example.com", "team@example.com");
    assertThat(directory().groupsOf("bob@example.com"))
        .containsExactly("all@example.com", "robs@example.com", "team@example.com");
    assertThat(directory().groupsOf("nobody@example.com")).isEmpty();
    directory().deleteList("team@example.com");
    assertThat(directory().findList("team@example.com")).isEmpty();
  }

  // ---- classes of service and roles ----

  @Test
  default void defaultClassOfServiceShouldExistAndClassesInUseStay() throws Exception {
    assertThat(directory().classOfService(ClassOfService.DEFAULT)).isPresent();
    directory().createDomain("example.com");
    directory().createAccount("alice@example.com", "pw-alice-1");
    directory()
        .createClassOfService(new ClassOfService("basic", OptionalLong.empty(), Map.of(), 1));
    directory().setClassOfService("alice@example.com", "basic");
    assertThatThrownBy(() -> directory().deleteClassOfService("basic"))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(() -> directory().deleteClassOfService(ClassOfService.DEFAULT))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThat(directory().classesOfService())
        .extracting(ClassOfService::name)
        .containsExactly("basic", ClassOfService.DEFAULT);
  }

  @Test
  default void rolesShouldBeGrantedAndRevoked() throws Exception {
    directory().createDomain("example.com");
    directory().createAccount("alice@example.com", "pw-alice-1");
    Role role = new Role(Role.Kind.DOMAIN_ADMIN, "example.com");
    directory().grantRole("alice@example.com", role);
    assertThat(directory().findAccount("alice@example.com").orElseThrow().roles())
        .containsExactly(role);
    directory().revokeRole("alice@example.com", role);
    assertThat(directory().findAccount("alice@example.com").orElseThrow().roles()).isEmpty();
  }

  // ---- injection ----

  /**
   * LDAP filter and DN metacharacters in every user-supplied field either are refused as invalid or
   * are stored and matched literally: no input changes what a query means.
   */
  @Test
  default void metacharactersShouldNeverChangeWhatAQueryMeans() throws Exception {
    directory().createDomain("example.com");
    directory().createAccount("alice@example.com", "pw-alice-1");
    directory().createList("team@example.com", "");
    for (String m : METACHARACTERS) {
      String local = "a" + m + "b";
      String address = local + "@example.com";
      // lookups with metacharacters find nothing (or the literal entry), never alice
      assertThat(directory().findAccount(address)).isEmpty();
      assertThat(directory().findAccount("*@example.com")).isEmpty();
      assertThat(directory().findList(address)).isEmpty();
      assertThat(directory().authenticate(address, "pw-alice-1", CLIENT)).isEmpty();
      assertThat(directory().authenticate("alice@example.com", "pw-alice-1" + m, CLIENT)).isEmpty();
      assertThat(directory().expand(address).accounts()).isEmpty();
      assertThat(directory().findAccountById("*" + m)).isEmpty();
      // changes either refuse the name or store it literally
      try {
        Account created = directory().createAccount(address, "pw" + m);
        assertThat(created.address()).isEqualTo(address.toLowerCase(java.util.Locale.ROOT));
        assertThat(directory().findAccount(address)).contains(created);
        assertThat(directory().authenticate(address, "pw" + m, CLIENT)).isPresent();
        directory().deleteAccount(address);
      } catch (DirectoryException.Invalid expected) {
        // not a valid address: refused before any query
      }
      try {
        directory().addAlias("alice@example.com", address);
        assertThat(directory().findAccount(address).orElseThrow().address())
            .isEqualTo("alice@example.com");
        directory().removeAlias(address);
      } catch (DirectoryException.Invalid expected) {
        // refused
      }
      try {
        directory().addListMember("team@example.com", "x" + m + "y@outside.org");
      } catch (DirectoryException.Invalid expected) {
        // refused
      }
      directory().setDisplayName("alice@example.com", "Alice " + m.replace("\u0000", "?"));
      assertThat(directory().findAccount("alice@example.com").orElseThrow().displayName())
          .isEqualTo("Alice " + m.replace("\u0000", "?"));
      assertThatThrownBy(() -> directory().setClassOfService("alice@example.com", "c" + m))
          .isInstanceOfAny(DirectoryException.Invalid.class, DirectoryException.NotFound.class);
    }
    assertThat(directory().accounts(Optional.of("example.com")))
        .extracting(Account::address)
        .containsExactly("alice@example.com");
    assertThat(directory().accounts(Optional.of("*"))).isEmpty();
    assertThat(directory().lists("*")).isEmpty();
    assertThat(directory().findDomain("*")).isEmpty();
    assertThat(directory().classOfService("*")).isEmpty();
  }
}
