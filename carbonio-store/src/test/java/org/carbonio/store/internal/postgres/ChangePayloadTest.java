package org.carbonio.store.internal.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChangePayloadTest {

  @Test
  void decodeShouldReturnSetsWhenEncodedInAnyNumberOfChunks() {
    qt().forAll(integers().between(0, 3000), integers().between(0, 3000), longs().all())
        .checkAssert(
            (nChanged, nDeleted, base) -> {
              Set<Long> changed = new HashSet<>();
              Set<Long> deleted = new HashSet<>();
              for (int i = 0; i < nChanged; i++) {
                changed.add(base + i);
              }
              for (int i = 0; i < nDeleted; i++) {
                deleted.add(-base - i - 1);
              }
              deleted.removeAll(changed);
              List<String> payloads = ChangePayload.encode("node-1", changed, deleted);
              Set<Long> gotChanged = new HashSet<>();
              Set<Long> gotDeleted = new HashSet<>();
              for (String p : payloads) {
                // PostgreSQL rejects NOTIFY payloads of 8000 bytes or more
                assertThat(p.getBytes(UTF_8).length).isLessThan(8000);
                ChangePayload c = ChangePayload.decode(p).orElseThrow();
                assertThat(c.node()).isEqualTo("node-1");
                gotChanged.addAll(c.changed());
                gotDeleted.addAll(c.deleted());
              }
              assertThat(gotChanged).isEqualTo(changed);
              assertThat(gotDeleted).isEqualTo(deleted);
              assertThat(payloads.isEmpty()).isEqualTo(changed.isEmpty() && deleted.isEmpty());
            });
  }

  @Test
  void decodeShouldReturnEmptyWhenPayloadIsForeign() {
    assertThat(ChangePayload.decode("hello")).isEmpty();
    assertThat(ChangePayload.decode("n x,y -")).isEmpty();
    assertThat(ChangePayload.decode("n - -").orElseThrow().changed()).isEmpty();
  }

  @Test
  void retryableShouldAcceptOnlySerializationFailureAndDeadlock() {
    assertThat(PostgresTransactor.retryable(new SQLException("s", "40001"))).isTrue();
    assertThat(PostgresTransactor.retryable(new SQLException("d", "40P01"))).isTrue();
    assertThat(PostgresTransactor.retryable(new SQLException("u", "23505"))).isFalse();
    assertThat(PostgresTransactor.retryable(new SQLException("x"))).isFalse();
  }

  @Test
  void lockKeyShouldBeStableAndDistinguishAccounts() {
    assertThat(PostgresTransactor.lockKey("alice@example.org"))
        .isEqualTo(PostgresTransactor.lockKey("alice@example.org"))
        .isNotEqualTo(PostgresTransactor.lockKey("bob@example.org"));
  }
}
