package org.carbonio.store.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.carbonio.store.AppendResult;
import org.carbonio.store.BlobId;
import org.carbonio.store.BlobStores;
import org.carbonio.store.CheckOptions;
import org.carbonio.store.CheckReport;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.Flags;
import org.carbonio.store.ImportMessage;
import org.carbonio.store.MailStore;
import org.carbonio.store.Mailbox;
import org.carbonio.store.StoreConfig;
import org.carbonio.store.StoreException;
import org.carbonio.store.UidList;
import org.carbonio.store.spi.BlobStore;
import org.carbonio.store.spi.QuotaPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blob garbage collection across nodes: two stores ("nodes") share one PostgreSQL database and one
 * blob location (a directory, or an S3 bucket prefix). One node's garbage collection must never
 * delete a blob that the other node published and is about to commit a message for: the tests hold
 * node B between its publish and its commit (a {@link PausingBlobStore}), let node A delete the
 * blob, and show that B stores the blob again and commits a readable message.
 */
class BlobCollectionRaceTest {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  @RegisterExtension static final S3Blobs S3 = new S3Blobs();
  private static String template;

  /** Above the inline limit (32 KiB), so that the content goes to the blob store. */
  private static final int SIZE = 40 * 1024;

  @TempDir Path dir;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  static void migrateTemplate() {
    template = MigratedTemplate.of(PG);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  /** Node A's blob store, node B's (pausable) on the same location, and both stores. */
  private record Nodes(BlobStore blobsA, PausingBlobStore blobsB, MailStore a, MailStore b) {}

  private Nodes nodes(String backend, QuotaPolicy quotaOfA) throws Exception {
    BlobStore blobsA;
    BlobStore blobsB;
    if (backend.equals("s3")) {
      String prefix = S3.newPrefix();
      blobsA = S3.blobStore(prefix);
      blobsB = S3.blobStore(prefix);
    } else {
      blobsA = BlobStores.filesystem(dir.resolve("blobs"));
      blobsB = BlobStores.filesystem(dir.resolve("blobs"));
    }
    opened.add(blobsA);
    opened.add(blobsB);
    PausingBlobStore pausing = new PausingBlobStore(blobsB);
    String url = PG.copyDatabase(template);
    MailStore a =
        MailStore.open(
            StoreConfig.postgres(url, PG.user(), PG.password())
                .withBlobs(blobsA)
                .withQuotaPolicy(quotaOfA));
    opened.add(a);
    MailStore b =
        MailStore.open(StoreConfig.postgres(url, PG.user(), PG.password()).withBlobs(pausing));
    opened.add(b);
    return new Nodes(blobsA, pausing, a, b);
  }

  private static byte[] content(long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder("Subject: race " + seed + "\r\n\r\n");
    while (sb.length() < SIZE) {
      sb.append(Long.toHexString(r.nextLong())).append("\r\n");
    }
    return sb.toString().getBytes(UTF_8);
  }

  private static AppendResult append(Mailbox box, byte[] content) {
    return box.append("INBOX", new ByteArrayInputStream(content), Set.of(), null);
  }

  private static void assertClean(MailStore store) {
    CheckReport report = store.check(new CheckOptions(Optional.empty(), false, true));
    assertThat(report.findings()).as("checker findings").isEmpty();
  }

  /**
   * Node B reuses the stored blob of a message on node A; A expunges that message and collects the
   * blob while B waits between publish and commit. B must notice and store the blob again.
   */
  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "s3"})
  void expungeOnOneNodeDoesNotLoseTheBlobAnotherNodeReuses(String backend) throws Exception {
    Nodes n = nodes(backend, QuotaPolicy.UNLIMITED);
    byte[] x = content(1);
    BlobId id = BlobId.of(x);
    Mailbox alice = n.a().mailbox("alice@example.org");
    AppendResult first = append(alice, x);
    assertThat(n.blobsA().exists(id)).isTrue();

    PausingBlobStore.Pause pause = n.blobsB().pauseNextCommit();
    Mailbox bob = n.b().mailbox("bob@example.org");
    CompletableFuture<AppendResult> onB = CompletableFuture.supplyAsync(() -> append(bob, x));
    assertThat(pause.published().await(30, TimeUnit.SECONDS)).as("B published").isTrue();

    alice.setFlags("INBOX", List.of(first.uid()), FlagOperation.ADD, Set.of(Flags.DELETED));
    alice.expunge("INBOX", Optional.empty()); // last reference gone: A collects the blob
    assertThat(n.blobsA().exists(id)).as("A deleted the unreferenced blob").isFalse();

    pause.proceed().countDown();
    AppendResult onBob = onB.get(60, TimeUnit.SECONDS);
    assertThat(bob.read("INBOX", onBob.uid())).isEqualTo(x);
    assertThat(n.a().mailbox("bob@example.org").read("INBOX", onBob.uid())).isEqualTo(x);
    assertThat(n.blobsA().exists(id)).isTrue();
    assertClean(n.a());
  }

  /**
   * Node B stores new content; node A's delivery of the same content fails (over quota) and
   * collects the blob it found, while B waits between publish and commit. B must store it again.
   */
  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "s3"})
  void failedDeliveryOnOneNodeDoesNotLoseTheBlobAnotherNodeJustStored(String backend)
      throws Exception {
    QuotaPolicy carolIsFull =
        account -> account.equals("carol@example.org") ? OptionalLong.of(1) : OptionalLong.empty();
    Nodes n = nodes(backend, carolIsFull);
    byte[] x = content(2);
    BlobId id = BlobId.of(x);

    PausingBlobStore.Pause pause = n.blobsB().pauseNextCommit();
    Mailbox bob = n.b().mailbox("bob@example.org");
    CompletableFuture<AppendResult> onB = CompletableFuture.supplyAsync(() -> append(bob, x));
    assertThat(pause.published().await(30, TimeUnit.SECONDS)).as("B published").isTrue();
    assertThat(n.blobsA().exists(id)).isTrue();

    Mailbox carol = n.a().mailbox("carol@example.org");
    assertThatThrownBy(() -> append(carol, x)).isInstanceOf(StoreException.OverQuota.class);
    assertThat(n.blobsA().exists(id)).as("A collected the blob after its failure").isFalse();

    pause.proceed().countDown();
    AppendResult onBob = onB.get(60, TimeUnit.SECONDS);
    assertThat(bob.read("INBOX", onBob.uid())).isEqualTo(x);
    assertThat(n.blobsA().exists(id)).isTrue();
    assertClean(n.a());
  }

  /** The same race for a bulk import on node B: the batch stores the blob again and commits. */
  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "s3"})
  void expungeOnOneNodeDoesNotLoseABlobThatAnImportOnAnotherNodeReuses(String backend)
      throws Exception {
    Nodes n = nodes(backend, QuotaPolicy.UNLIMITED);
    byte[] x = content(3);
    byte[] y = content(4);
    BlobId id = BlobId.of(x);
    Mailbox alice = n.a().mailbox("alice@example.org");
    AppendResult first = append(alice, x);

    PausingBlobStore.Pause pause = n.blobsB().pauseNextCommit();
    Mailbox bob = n.b().mailbox("bob@example.org");
    List<ImportMessage> batch =
        List.of(
            new ImportMessage(new ByteArrayInputStream(x), Set.of(), Instant.EPOCH),
            new ImportMessage(new ByteArrayInputStream(y), Set.of(), Instant.EPOCH),
            new ImportMessage(new ByteArrayInputStream(x), Set.of(), Instant.EPOCH));
    CompletableFuture<Long> onB =
        CompletableFuture.supplyAsync(() -> bob.importMessages("INBOX", batch.iterator()));
    assertThat(pause.published().await(30, TimeUnit.SECONDS)).as("B published").isTrue();

    alice.setFlags("INBOX", List.of(first.uid()), FlagOperation.ADD, Set.of(Flags.DELETED));
    alice.expunge("INBOX", Optional.empty());
    assertThat(n.blobsA().exists(id)).isFalse();

    pause.proceed().countDown();
    assertThat(onB.get(60, TimeUnit.SECONDS)).isEqualTo(3);
    UidList uids = bob.uids("INBOX").uids();
    assertThat(uids.size()).isEqualTo(3);
    assertThat(bob.read("INBOX", uids.get(0))).isEqualTo(x);
    assertThat(bob.read("INBOX", uids.get(1))).isEqualTo(y);
    assertThat(bob.read("INBOX", uids.get(2))).isEqualTo(x);
    assertClean(n.a());
  }

  /**
   * Both nodes deliver and expunge the same few contents from several threads at once: whatever the
   * interleaving, every message left reads back whole and the checker finds nothing.
   */
  @ParameterizedTest
  @ValueSource(strings = {"filesystem", "s3"})
  void concurrentReuseAndCollectionOnTwoNodesLoseNothing(String backend) throws Exception {
    Nodes n = nodes(backend, QuotaPolicy.UNLIMITED);
    byte[][] contents = {content(10), content(11), content(12)};
    int threadsPerNode = 3;
    int rounds = 40;
    ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerNode);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < 2 * threadsPerNode; t++) {
        MailStore node = t % 2 == 0 ? n.a() : n.b();
        Mailbox box = node.mailbox("user" + t + "@example.org");
        Random r = new Random(t);
        runs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < rounds; i++) {
                    byte[] c = contents[r.nextInt(contents.length)];
                    AppendResult res = append(box, c);
                    assertThat(box.read("INBOX", res.uid())).isEqualTo(c);
                    if (r.nextBoolean()) {
                      box.setFlags(
                          "INBOX", List.of(res.uid()), FlagOperation.ADD, Set.of(Flags.DELETED));
                      box.expunge("INBOX", Optional.empty());
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : runs) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    for (int t = 0; t < 2 * threadsPerNode; t++) {
      Mailbox box = n.a().mailbox("user" + t + "@example.org");
      UidList uids = box.uids("INBOX").uids();
      for (int i = 0; i < uids.size(); i++) {
        byte[] read = box.read("INBOX", uids.get(i));
        assertThat(Arrays.stream(contents).anyMatch(c -> Arrays.equals(c, read))).isTrue();
      }
    }
    assertClean(n.a());
  }
}
