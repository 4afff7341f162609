package org.carbonio.store.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {
  @TempDir Path empty;

  @Test
  void startShouldFailNamingMissingBinaryWhenPostgresNotInstalled() {
    assertThatThrownBy(() -> PostgresServer.start(empty, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(empty.resolve("initdb").toString())
        .hasMessageContaining("apt-get install postgresql");
  }
}
