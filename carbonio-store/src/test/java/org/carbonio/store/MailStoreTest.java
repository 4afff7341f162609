package org.carbonio.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the embedded backend does. The behaviour all backends share is MailStoreContract in
 * carbonio-store-testkit, run there against each backend.
 */
class MailStoreTest {
  @TempDir Path dir;
  MailStore store;

  @BeforeEach
  void open() {
    store = MailStore.open(dir);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void openShouldFailWhenDirectoryAlreadyInUse() {
    assertThatThrownBy(() -> MailStore.open(dir)).isInstanceOf(StoreException.Unavailable.class);
  }

  @Test
  void openShouldUseSameDirectoryWhenGivenEmbeddedConfig() {
    store.mailbox("alice@example.org").createFolder("Kept");
    store.close();
    store = MailStore.open(StoreConfig.embedded(dir));
    assertThat(store.mailbox("alice@example.org").folders())
        .extracting(FolderInfo::name)
        .containsExactly("INBOX", "Kept");
  }

  @Test
  void openShouldRejectConfigWhenNoPlaceForBlobs() {
    StoreConfig config = StoreConfig.postgres("jdbc:postgresql://127.0.0.1:1/x", "u", "secret");
    assertThat(config.toString()).doesNotContain("secret");
    assertThat(
            StoreConfig.postgres("jdbc:postgresql://db/x?user=u&password=hunter2", "u", "")
                .toString())
        .contains("jdbc:postgresql://db/x")
        .doesNotContain("hunter2");
    assertThatThrownBy(() -> MailStore.open(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("withBlobs");
    assertThatThrownBy(() -> StoreConfig.embedded(dir).withPostgres("jdbc:mysql://x/y", "u", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
