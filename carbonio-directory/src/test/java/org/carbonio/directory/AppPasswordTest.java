package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.carbonio.directory.Fixtures.CLIENT;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** App-specific passwords: one per client, for protocol logins only, revocable on their own. */
class AppPasswordTest {
  @TempDir Path dir;
  EmbeddedDirectory directory;

  @BeforeEach
  void open() throws Exception {
    directory = Fixtures.open(dir);
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "account-password");
  }

  @AfterEach
  void close() {
    directory.close();
  }

  @Test
  void appPasswordShouldLogInToProtocolsButNotToAdminInterfaces() throws Exception {
    String secret = directory.createAppPassword("alice@example.com", "Thunderbird laptop");
    assertThat(secret).matches("[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}");
    assertThat(directory.authenticate("alice@example.com", secret, CLIENT)).isPresent();
    assertThat(directory.authenticate("alice@example.com", secret.replace("-", ""), CLIENT))
        .isPresent();
    assertThat(directory.authenticate("alice@example.com", secret.toUpperCase(), CLIENT))
        .isPresent();
    assertThat(directory.authenticateAccountPassword("alice@example.com", secret, CLIENT))
        .isEmpty();
    assertThat(
            directory.authenticateAccountPassword("alice@example.com", "account-password", CLIENT))
        .isPresent();
    assertThat(directory.appPasswords("alice@example.com"))
        .extracting(AppPassword::name)
        .containsExactly("Thunderbird laptop");
  }

  @Test
  void revokedAppPasswordShouldStopWorkingAndOthersKeepWorking() throws Exception {
    String phone = directory.createAppPassword("alice@example.com", "phone");
    String laptop = directory.createAppPassword("alice@example.com", "laptop");
    directory.revokeAppPassword("alice@example.com", "phone");
    assertThat(directory.authenticate("alice@example.com", phone, CLIENT)).isEmpty();
    assertThat(directory.authenticate("alice@example.com", laptop, CLIENT)).isPresent();
    assertThatThrownBy(() -> directory.revokeAppPassword("alice@example.com", "phone"))
        .isInstanceOf(DirectoryException.NotFound.class);
    assertThatThrownBy(() -> directory.createAppPassword("alice@example.com", "laptop"))
        .isInstanceOf(DirectoryException.Conflict.class);
    assertThatThrownBy(() -> directory.createAppPassword("alice@example.com", "bad$name"))
        .isInstanceOf(DirectoryException.Invalid.class);
  }

  @Test
  void appPasswordsShouldBeLimitedAndRefusedForInactiveAccounts() throws Exception {
    String first = directory.createAppPassword("alice@example.com", "p0");
    for (int i = 1; i < AppPassword.MAX_PER_ACCOUNT; i++) {
      directory.createAppPassword("alice@example.com", "p" + i);
    }
    assertThatThrownBy(() -> directory.createAppPassword("alice@example.com", "one more"))
        .isInstanceOf(DirectoryException.Conflict.class);
    directory.setStatus("alice@example.com", AccountStatus.LOCKED);
    assertThat(directory.authenticate("alice@example.com", first, CLIENT)).isEmpty();
  }

  @Test
  void passwordChangeShouldRevokeEveryAppPassword() throws Exception {
    String phone = directory.createAppPassword("alice@example.com", "phone");
    directory.setPassword("alice@example.com", "new account password");
    assertThat(directory.authenticate("alice@example.com", phone, CLIENT)).isEmpty();
    assertThat(directory.appPasswords("alice@example.com")).isEmpty();
  }
}
