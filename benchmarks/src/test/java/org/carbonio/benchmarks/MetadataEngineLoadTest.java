package org.carbonio.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.carbonio.benchmarks.MetadataEngineLoad.DeliveryResult;
import org.carbonio.benchmarks.MetadataEngineLoad.Engine;
import org.carbonio.benchmarks.MetadataEngineLoad.MailboxResult;
import org.carbonio.benchmarks.MetadataEngineLoad.Mode;
import org.carbonio.benchmarks.MetadataEngineLoad.Options;
import org.carbonio.benchmarks.MetadataEngineLoad.Strategy;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs the engine load for a moment on a tiny dataset, so that it cannot rot. */
class MetadataEngineLoadTest {

  @TempDir Path dir;

  static Stream<Arguments> engineStrategies() {
    return Stream.of(
        Arguments.of(Engine.SQLITE, Strategy.SERIAL),
        Arguments.of(Engine.SQLITE, Strategy.GROUP),
        Arguments.of(Engine.H2, Strategy.SERIAL),
        Arguments.of(Engine.H2, Strategy.GROUP),
        Arguments.of(Engine.H2, Strategy.MVCC),
        Arguments.of(Engine.H2, Strategy.MVCC_SHARED_SYNC));
  }

  @ParameterizedTest
  @MethodSource("engineStrategies")
  void deliveriesShouldStoreEveryAcknowledgedMessageWhenRunBriefly(Engine engine, Strategy strategy)
      throws Exception {
    Options o =
        new Options(
            engine,
            Mode.DELIVERIES,
            strategy,
            4,
            10,
            Duration.ofMillis(100),
            Duration.ofMillis(700),
            1,
            1,
            false,
            dir);

    DeliveryResult r = MetadataEngineLoad.deliveries(o);

    assertThat(r.failures()).isZero();
    assertThat(r.commits()).isPositive();
    assertThat(r.syncs()).isPositive().isLessThanOrEqualTo(r.commits());
    assertThat(r.commitsPerSecond()).isPositive();
    assertThat(r.cpuMicrosPerCommit()).isPositive();
    assertThat(r.peakHeapBytes()).isPositive();
    assertThat(r.messageRows()).isEqualTo(r.deliveredTotal()).isEqualTo(r.uidsAllocated());
    assertThat(r.deliveredTotal()).isGreaterThanOrEqualTo(r.commits());
    assertThat(MetadataEngineLoad.format(r)).startsWith("RESULT mode=deliveries");
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  static Stream<Arguments> engineCompaction() {
    return Stream.of(
        Arguments.of(Engine.SQLITE, false),
        Arguments.of(Engine.SQLITE, true),
        Arguments.of(Engine.H2, false),
        Arguments.of(Engine.H2, true));
  }

  @ParameterizedTest
  @MethodSource("engineCompaction")
  void mailboxShouldReadEveryRowWhenLoadedWithATinyFolder(Engine engine, boolean compactFirst)
      throws Exception {
    Options o =
        new Options(
            engine,
            Mode.MAILBOX,
            Strategy.SERIAL,
            1,
            1,
            Duration.ZERO,
            Duration.ZERO,
            2_000,
            3,
            compactFirst,
            dir);

    MailboxResult r = MetadataEngineLoad.mailbox(o);

    assertThat(r.fetchedRows()).isEqualTo(2_000);
    assertThat(r.rangeRows()).isEqualTo(100);
    assertThat(r.unseen()).isEqualTo(200);
    assertThat(r.uidNext()).isEqualTo(2_001);
    assertThat(r.diskBytes()).isPositive();
    assertThat(r.compactedDiskBytes()).isPositive();
    assertThat(r.counters().medianMillis()).isPositive();
    assertThat(r.fetchAllFlags().medianMillis()).isPositive();
    assertThat(r.range100().medianMillis()).isPositive();
    assertThat(MetadataEngineLoad.format(r)).startsWith("RESULT mode=mailbox");
  }
}
