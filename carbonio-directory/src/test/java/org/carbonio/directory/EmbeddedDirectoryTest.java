package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.carbonio.directory.Fixtures.CLIENT;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmbeddedDirectoryTest {
  @TempDir Path dir;
  EmbeddedDirectory directory;

  @BeforeEach
  void open() throws IOException {
    directory = Fixtures.open(dir);
  }

  @AfterEach
  void close() {
    directory.close();
  }

  // ---- domains ----

  @Test
  void createDomainShouldNormaliseWhenNameHasUpperCaseOrUnicode() throws Exception {
    assertThat(directory.createDomain("Example.COM")).isEqualTo(new Domain("example.com"));
    assertThat(directory.createDomain("Bücher.example"))
        .isEqualTo(new Domain("xn--bcher-kva.example"));
    assertThat(directory.isLocalDomain("EXAMPLE.com")).isTrue();
    assertThat(directory.isLocalDomain("bücher.EXAMPLE")).isTrue();
    assertThat(directory.isLocalDomain("other.com")).isFalse();
    assertThat(directory.isLocalDomain("not a domain")).isFalse();
  }

  @Test
  void createDomainShouldFailConflictWhenDomainExists() throws Exception {
    directory.createDomain("example.com");
    assertThatThrownBy(() -> directory.createDomain("EXAMPLE.com"))
        .isInstanceOf(DirectoryException.Conflict.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ".",
        "example.com.",
        "-bad.com",
        "bad-.com",
        "a..b",
        "under_score.com",
        "sp ace.com",
        "1.2.3.4",
        "a.123",
        "x.com\u0000",
        "ex*mple.com",
        "ex(ample).com",
        "ex,ample.com",
        "ex=ample.com",
        "ex+ample.com",
        "ex#ample.com",
        "ex\\ample.com",
        "ex;ample.com",
        "ex\"ample.com",
        "ex<ample>.com",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com"
      })
  void createDomainShouldFailInvalidWhenNameIsNotADomainName(String name) {
    assertThatThrownBy(() -> directory.createDomain(name))
        .isInstanceOf(DirectoryException.Invalid.class);
    assertThat(directory.domains()).isEmpty();
  }

  @Test
  void createDomainShouldAcceptNameWhenLabelIs63Characters() throws Exception {
    String label = "a".repeat(63);
    assertThat(directory.createDomain(label + ".com").name()).isEqualTo(label + ".com");
  }

  @Test
  void domainsShouldBeSortedWhenSeveralExist() throws Exception {
    directory.createDomain("zeta.org");
    directory.createDomain("alpha.net");
    directory.createDomain("mid.com");
    assertThat(directory.domains())
        .containsExactly(new Domain("alpha.net"), new Domain("mid.com"), new Domain("zeta.org"));
  }

  @Test
  void deleteDomainShouldRemoveItWhenItHasNoAccounts() throws Exception {
    directory.createDomain("example.com");
    directory.deleteDomain("Example.com");
    assertThat(directory.domains()).isEmpty();
    assertThat(directory.isLocalDomain("example.com")).isFalse();
  }

  @Test
  void deleteDomainShouldFailConflictWhenAccountsExist() throws Exception {
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "pw");
    assertThatThrownBy(() -> directory.deleteDomain("example.com"))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThat(directory.isLocalDomain("example.com")).isTrue();
    directory.deleteAccount("alice@example.com");
    directory.deleteDomain("example.com");
    assertThat(directory.domains()).isEmpty();
  }

  @Test
  void deleteDomainShouldFailNotFoundWhenDomainIsMissing() {
    assertThatThrownBy(() -> directory.deleteDomain("example.com"))
        .isInstanceOf(DirectoryException.NotFound.class);
    assertThatThrownBy(() -> directory.deleteDomain("bad..name"))
        .isInstanceOf(DirectoryException.Invalid.class);
  }

  // ---- accounts ----

  @Test
  void createAccountShouldReturnNormalisedAccountWhenValid() throws Exception {
    directory.createDomain("example.com");
    Account a = directory.createAccount("Alice.Smith@EXAMPLE.com", "secret");
    assertThat(a.address()).isEqualTo("alice.smith@example.com");
    assertThat(a.localPart()).isEqualTo("alice.smith");
    assertThat(a.domain()).isEqualTo("example.com");
    assertThat(a.id()).matches("[0-9a-f-]{36}");
    assertThat(a.admin()).isFalse();
    assertThat(a.status()).isEqualTo(AccountStatus.ACTIVE);
    assertThat(directory.findAccount("ALICE.SMITH@example.COM")).contains(a);
  }

  @Test
  void createAccountShouldFailUnknownDomainWhenDomainIsNotLocal() {
    assertThatThrownBy(() -> directory.createAccount("alice@nowhere.com", "pw"))
        .isInstanceOf(DirectoryException.UnknownDomain.class);
  }

  @Test
  void createAccountShouldFailConflictWhenAddressExistsInAnyCase() throws Exception {
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "pw");
    assertThatThrownBy(() -> directory.createAccount("ALICE@Example.com", "other"))
        .isInstanceOf(DirectoryException.Conflict.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "alice",
        "@example.com",
        "alice@",
        ".alice@example.com",
        "alice.@example.com",
        "al..ice@example.com",
        "\"alice\"@example.com",
        "al ice@example.com",
        "alice@exa mple.com",
        "alicé@example.com",
        "alice@bad..com"
      })
  void createAccountShouldFailInvalidWhenAddressIsMalformed(String address) throws Exception {
    directory.createDomain("example.com");
    assertThatThrownBy(() -> directory.createAccount(address, "pw"))
        .isInstanceOf(DirectoryException.Invalid.class);
    assertThat(directory.accounts(Optional.empty())).isEmpty();
  }

  @Test
  void createAccountShouldEnforceLocalPartLengthWhenAt64Or65() throws Exception {
    directory.createDomain("example.com");
    String ok = "a".repeat(64) + "@example.com";
    assertThat(directory.createAccount(ok, "pw").address()).isEqualTo(ok);
    assertThatThrownBy(() -> directory.createAccount("a".repeat(65) + "@example.com", "pw"))
        .isInstanceOf(DirectoryException.Invalid.class);
  }

  @Test
  void createAccountShouldFailInvalidWhenPasswordBreaksPolicy() throws Exception {
    directory.createDomain("example.com");
    assertThatThrownBy(() -> directory.createAccount("a@example.com", ""))
        .isInstanceOf(DirectoryException.Invalid.class);
    assertThatThrownBy(() -> directory.createAccount("a@example.com", "x".repeat(1025)))
        .isInstanceOf(DirectoryException.Invalid.class);
    String longest = "x".repeat(1024);
    directory.createAccount("a@example.com", longest);
    assertThat(directory.authenticate("a@example.com", longest, CLIENT)).isPresent();
  }

  @Test
  void setPasswordShouldReplacePasswordWhenAccountExists() throws Exception {
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "old");
    assertThat(directory.authenticate("alice@example.com", "old", CLIENT)).isPresent();
    directory.setPassword("Alice@example.com", "new");
    assertThat(directory.authenticate("alice@example.com", "old", CLIENT)).isEmpty();
    assertThat(directory.authenticate("alice@example.com", "new", CLIENT)).isPresent();
  }

  @Test
  void setPasswordShouldFailWhenAccountIsMissingOrPasswordInvalid() throws Exception {
    directory.createDomain("example.com");
    assertThatThrownBy(() -> directory.setPassword("bob@example.com", "pw"))
        .isInstanceOf(DirectoryException.NotFound.class);
    directory.createAccount("bob@example.com", "pw");
    assertThatThrownBy(() -> directory.setPassword("bob@example.com", ""))
        .isInstanceOf(DirectoryException.Invalid.class);
  }

  @Test
  void deleteAccountShouldRemoveAccountAndLoginWhenAccountExists() throws Exception {
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "pw");
    assertThat(directory.authenticate("alice@example.com", "pw", CLIENT)).isPresent();
    directory.deleteAccount("ALICE@example.com");
    assertThat(directory.findAccount("alice@example.com")).isEmpty();
    assertThat(directory.authenticate("alice@example.com", "pw", CLIENT)).isEmpty();
    assertThatThrownBy(() -> directory.deleteAccount("alice@example.com"))
        .isInstanceOf(DirectoryException.NotFound.class);
  }

  @Test
  void findAccountShouldReturnEmptyWhenAddressIsInvalidOrMissing() throws Exception {
    directory.createDomain("example.com");
    assertThat(directory.findAccount("nobody@example.com")).isEmpty();
    assertThat(directory.findAccount("not an address")).isEmpty();
    assertThat(directory.findAccount("x@unknown.org")).isEmpty();
  }

  @Test
  void accountsShouldListSortedWhenFilteredByDomainOrNot() throws Exception {
    directory.createDomain("b.org");
    directory.createDomain("a.org");
    directory.createAccount("zed@a.org", "pw");
    directory.createAccount("amy@b.org", "pw");
    directory.createAccount("bob@a.org", "pw");
    assertThat(directory.accounts(Optional.empty()))
        .extracting(Account::address)
        .containsExactly("amy@b.org", "bob@a.org", "zed@a.org");
    assertThat(directory.accounts(Optional.of("A.org")))
        .extracting(Account::address)
        .containsExactly("bob@a.org", "zed@a.org");
    assertThat(directory.accounts(Optional.of("c.org"))).isEmpty();
    assertThat(directory.accounts(Optional.of("bad..name"))).isEmpty();
  }

  @Test
  void setAdminShouldToggleFlagWhenAccountExists() throws Exception {
    directory.createDomain("example.com");
    directory.createAccount("root@example.com", "pw");
    directory.setAdmin("root@example.com", true);
    assertThat(directory.findAccount("root@example.com").orElseThrow().admin()).isTrue();
    assertThat(directory.authenticate("root@example.com", "pw", CLIENT).orElseThrow().admin())
        .isTrue();
    directory.setAdmin("root@example.com", false);
    assertThat(directory.findAccount("root@example.com").orElseThrow().admin()).isFalse();
    assertThatThrownBy(() -> directory.setAdmin("none@example.com", true))
        .isInstanceOf(DirectoryException.NotFound.class);
  }

  @Test
  void setStatusShouldRefuseLoginWhenAccountIsNotActive() throws Exception {
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "pw");
    directory.setStatus("alice@example.com", AccountStatus.LOCKED);
    assertThat(directory.findAccount("alice@example.com").orElseThrow().status())
        .isEqualTo(AccountStatus.LOCKED);
    assertThat(directory.authenticate("alice@example.com", "pw", CLIENT)).isEmpty();
    directory.setStatus("alice@example.com", AccountStatus.ACTIVE);
    assertThat(directory.authenticate("alice@example.com", "pw", CLIENT)).isPresent();
    assertThatThrownBy(() -> directory.setStatus("x@example.com", AccountStatus.CLOSED))
        .isInstanceOf(DirectoryException.NotFound.class);
  }

  // ---- authentication ----

  @Test
  void authenticateShouldReturnAccountOnlyWhenPasswordMatches() throws Exception {
    directory.createDomain("example.com");
    Account a = directory.createAccount("alice@example.com", "Tr0ub4dor&3");
    assertThat(directory.authenticate("ALICE@example.com", "Tr0ub4dor&3", CLIENT)).contains(a);
    assertThat(directory.authenticate("alice@example.com", "tr0ub4dor&3", CLIENT)).isEmpty();
    assertThat(directory.authenticate("alice@example.com", "", CLIENT)).isEmpty();
    assertThat(directory.authenticate("bob@example.com", "Tr0ub4dor&3", CLIENT)).isEmpty();
    assertThat(directory.authenticate("alice", "Tr0ub4dor&3", CLIENT)).isEmpty();
  }

  @Test
  void authenticateShouldAcceptImportedSaltedShaHashesWhenSnapshotHoldsThem() throws Exception {
    directory.createDomain("example.com");
    directory.createAccount("old1@example.com", "placeholder");
    directory.createAccount("old2@example.com", "placeholder");
    directory.close();
    // Import: an operator edits the LDIF while the directory is stopped (vectors from
    // PasswordHasherTest, computed independently with Python's hashlib).
    Path ldif = dir.resolve("directory.ldif");
    String text = Files.readString(ldif, StandardCharsets.UTF_8);
    text = replacePassword(text, "old1", "{SSHA}lHFzXul4wnzRItssVcTnvXWRjNgBAgMEBQYHCA==");
    text =
        replacePassword(
            text,
            "old2",
            "{SSHA512}KO8EsMPQTwZrxxbOkDAOOXEeVCc2grMQg1pnZwZhC1bBQLby8zCmFn7qTZRvoTd+yQdROQQNYHWp"
                + "TUST4zjTdQECAwQFBgcI");
    Files.writeString(ldif, text, StandardCharsets.UTF_8);
    directory = Fixtures.open(dir);
    assertThat(directory.authenticate("old1@example.com", "secret", CLIENT)).isPresent();
    assertThat(directory.authenticate("old2@example.com", "secret", CLIENT)).isPresent();
    assertThat(directory.authenticate("old1@example.com", "placeholder", CLIENT)).isEmpty();
  }

  private static String replacePassword(String ldif, String uid, String hash) {
    StringBuilder out = new StringBuilder();
    boolean inEntry = false;
    for (String line : ldif.split("\n", -1)) {
      if (line.startsWith("dn: ")) {
        inEntry = line.startsWith("dn: uid=" + uid + ",");
      }
      if (inEntry && line.startsWith("userPassword")) {
        line = "userPassword: " + hash;
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  // ---- lifecycle and durability ----

  @Test
  void reopenShouldKeepEverythingWhenDirectoryWasClosed() throws Exception {
    directory.createDomain("example.com");
    directory.createDomain("other.org");
    Account alice = directory.createAccount("alice@example.com", "pw1");
    directory.createAccount("bob@other.org", "pw2");
    directory.setAdmin("bob@other.org", true);
    directory.setStatus("alice@example.com", AccountStatus.CLOSED);
    List<Account> before = directory.accounts(Optional.empty());
    directory.close();

    directory = Fixtures.open(dir);
    assertThat(directory.domains())
        .containsExactly(new Domain("example.com"), new Domain("other.org"));
    assertThat(directory.accounts(Optional.empty())).isEqualTo(before);
    assertThat(directory.findAccount("alice@example.com").orElseThrow().id()).isEqualTo(alice.id());
    assertThat(directory.authenticate("bob@other.org", "pw2", CLIENT)).isPresent();
  }

  @Test
  void snapshotAndJournalShouldBeOwnerOnlyWhenFileSystemIsPosix() throws Exception {
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "pw");
    Path ldif = dir.resolve("directory.ldif");
    Path journal = dir.resolve("journal.ldif");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        ldif.getFileSystem().supportedFileAttributeViews().contains("posix"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(journal)).contains("{PBKDF2-SHA512}").doesNotContain(": pw\n");
    directory.close(); // final snapshot
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ldif)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(ldif)).contains("{PBKDF2-SHA512}").doesNotContain(": pw\n");
    EmbeddedDirectory.open(dir.resolve("fresh")).close();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("fresh"))))
        .isEqualTo("rwx------");
  }

  @Test
  void openShouldFailWhenDataDirectoryIsAlreadyOpen() {
    assertThatThrownBy(() -> Fixtures.open(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("in use");
  }

  @Test
  void openShouldFailWhenSnapshotIsCorrupt() throws Exception {
    directory.close();
    Files.writeString(dir.resolve("directory.ldif"), "dn: this is not\nldif at all\n:::\n");
    assertThatThrownBy(() -> Fixtures.open(dir)).isInstanceOf(IOException.class);
    // the failed open released the lock: fixing the file makes the directory usable again
    Files.delete(dir.resolve("directory.ldif"));
    directory = Fixtures.open(dir);
    assertThat(directory.domains()).isEmpty();
  }

  @Test
  void openShouldIgnoreTempFileWhenCrashLeftOne() throws Exception {
    directory.createDomain("example.com");
    directory.close();
    Files.writeString(dir.resolve("directory.ldif.tmp"), "dn: o=carbonio\ntruncated");
    directory = Fixtures.open(dir);
    assertThat(directory.isLocalDomain("example.com")).isTrue();
    assertThat(dir.resolve("directory.ldif.tmp")).doesNotExist();
  }

  @Test
  void mutationsShouldFailUnavailableWhenClosed() throws Exception {
    directory.close();
    directory.close(); // idempotent
    assertThatThrownBy(() -> directory.createDomain("example.com"))
        .isInstanceOf(DirectoryException.Unavailable.class);
    assertThatThrownBy(() -> directory.domains()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void changesShouldStayDurableInJournalWhenSnapshotCannotBeWritten() throws Exception {
    directory.close();
    directory =
        EmbeddedDirectory.builder()
            .dataDir(dir)
            .limits(Fixtures.FAST)
            .snapshotEvery(1, 1L << 20)
            .build();
    directory.createDomain("example.com");
    // A non-empty directory in the temp file's place makes every snapshot fail.
    Files.createDirectory(dir.resolve("directory.ldif.tmp"));
    Files.writeString(dir.resolve("directory.ldif.tmp").resolve("blocker"), "x");
    directory.createAccount("alice@example.com", "pw");
    directory.createAccount("bob@example.com", "pw");
    assertThat(directory.findAccount("alice@example.com")).isPresent();
    directory.close(); // the final snapshot fails too: the journal keeps both accounts
    Files.delete(dir.resolve("directory.ldif.tmp").resolve("blocker"));
    Files.delete(dir.resolve("directory.ldif.tmp"));
    directory = Fixtures.open(dir);
    assertThat(directory.findAccount("alice@example.com")).isPresent();
    assertThat(directory.authenticate("bob@example.com", "pw", CLIENT)).isPresent();
  }

  @Test
  void builderShouldRequireDataDirAndAdminPasswordWhenListening() {
    assertThatThrownBy(() -> EmbeddedDirectory.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("dataDir");
    assertThatThrownBy(
            () ->
                EmbeddedDirectory.builder()
                    .dataDir(dir.resolve("other"))
                    .ldapListener(new java.net.InetSocketAddress(CLIENT, 0))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ldapAdminPassword");
  }

  @Test
  void openShouldUseDefaultsWhenCalledWithPathOnly() throws Exception {
    try (EmbeddedDirectory d = EmbeddedDirectory.open(dir.resolve("plain"))) {
      assertThat(d.limits()).isEqualTo(DirectoryLimits.DEFAULTS);
      assertThat(d.ldapAddress()).isEmpty();
      d.createDomain("example.com");
      d.createAccount("a@example.com", "pw");
      assertThat(d.authenticate("a@example.com", "pw", CLIENT)).isPresent();
    }
  }
}
