package org.carbonio.store.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.store.AppendResult;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.Flags;
import org.carbonio.store.FolderInfo;
import org.carbonio.store.MailStore;
import org.carbonio.store.Mailbox;
import org.carbonio.store.StoreConfig;
import org.carbonio.store.Watch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two stores ("nodes") on one PostgreSQL database: notifications cross nodes, writes to one account
 * are serialized across nodes, and rows shared by all accounts stay consistent.
 */
class PostgresMultiNodeTest {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static String template;

  @TempDir Path dir; // filesystem blobs, shared by both nodes
  private String url;
  private MailStore nodeA;
  private MailStore nodeB;

  @BeforeAll
  static void migrateTemplate() {
    template = MigratedTemplate.of(PG);
  }

  @BeforeEach
  void open() {
    url = PG.copyDatabase(template);
    nodeA = node();
    nodeB = node();
  }

  private MailStore node() {
    return MailStore.open(StoreConfig.embedded(dir).withPostgres(url, PG.user(), PG.password()));
  }

  @AfterEach
  void close() {
    nodeA.close();
    nodeB.close();
  }

  private static ByteArrayInputStream msg(String s) {
    return new ByteArrayInputStream(s.getBytes(UTF_8));
  }

  private static void runAll(List<Callable<Void>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Void>> futures = new ArrayList<>();
      for (Callable<Void> t : tasks) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return t.call();
                }));
      }
      start.countDown();
      for (Future<Void> f : futures) {
        f.get(100, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void watchShouldFireWhenAnotherNodeAppends() throws Exception {
    Mailbox onA = nodeA.mailbox("alice@example.org");
    CountDownLatch fired = new CountDownLatch(1);
    AtomicInteger seen = new AtomicInteger();
    Watch w =
        onA.watch(
            "INBOX",
            () -> {
              seen.set((int) onA.status("INBOX").messages()); // committed before the notification
              fired.countDown();
            });
    nodeB.mailbox("alice@example.org").append("INBOX", msg("from B"), Set.of(), null);
    assertThat(fired.await(10, TimeUnit.SECONDS)).as("notification from node B").isTrue();
    assertThat(seen).hasValue(1);
    w.close();
  }

  @Test
  void watchShouldFireOnOtherNodeWhenFolderDeletedThere() throws Exception {
    Mailbox onA = nodeA.mailbox("alice@example.org");
    onA.createFolder("Gone");
    CountDownLatch fired = new CountDownLatch(1);
    onA.watch("Gone", fired::countDown);
    nodeB.mailbox("alice@example.org").deleteFolder("Gone");
    assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  @Timeout(120)
  void appendsShouldGetDistinctUidsWhenTwoNodesWriteOneAccount() throws Exception {
    final int perThread = 25;
    ConcurrentLinkedQueue<Long> uids = new ConcurrentLinkedQueue<>();
    List<Callable<Void>> tasks = new ArrayList<>();
    for (MailStore node : List.of(nodeA, nodeB, nodeA, nodeB)) {
      tasks.add(
          () -> {
            Mailbox box = node.mailbox("shared@example.org");
            for (int i = 0; i < perThread; i++) {
              AppendResult r = box.append("INBOX", msg("m" + i), Set.of(), null);
              uids.add(r.uid());
            }
            return null;
          });
    }
    runAll(tasks);
    assertThat(new HashSet<>(uids)).hasSize(4 * perThread);
    Mailbox box = nodeB.mailbox("shared@example.org");
    assertThat(box.status("INBOX").messages()).isEqualTo(4 * perThread);
    assertThat(box.status("INBOX").uidNext()).isEqualTo(4 * perThread + 1);
    assertThat(box.status("INBOX").highestModSeq()).isEqualTo(4 * perThread + 1);
  }

  @Test
  @Timeout(120)
  void foldersShouldGetDistinctUidValiditiesWhenManyAccountsCreateThemConcurrently()
      throws Exception {
    List<Callable<Void>> tasks = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      MailStore node = t % 2 == 0 ? nodeA : nodeB;
      String account = "user" + t + "@example.org";
      tasks.add(
          () -> {
            Mailbox box = node.mailbox(account);
            for (int i = 0; i < 10; i++) {
              box.createFolder("F" + i);
            }
            return null;
          });
    }
    runAll(tasks);
    List<Long> validities = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      for (FolderInfo f : nodeA.mailbox("user" + t + "@example.org").folders()) {
        validities.add(f.uidValidity());
      }
    }
    assertThat(validities).hasSize(6 * 11).doesNotHaveDuplicates();
  }

  @Test
  @Timeout(120)
  void blobRefcountsShouldMatchMessagesWhenNodesDeliverAndExpungeSameContent() throws Exception {
    List<Callable<Void>> tasks = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      MailStore node = t % 2 == 0 ? nodeA : nodeB;
      String account = "r" + t + "@example.org";
      // opposite account orders in deliver() on the two nodes: the sorted locks avoid deadlock
      List<String> pair =
          t % 2 == 0
              ? List.of("x@example.org", "y@example.org")
              : List.of("y@example.org", "x@example.org");
      tasks.add(
          () -> {
            Mailbox box = node.mailbox(account);
            for (int i = 0; i < 15; i++) {
              String body = "same content " + (i % 3);
              box.append("INBOX", msg(body), i % 2 == 0 ? Set.of(Flags.DELETED) : Set.of(), null);
              node.deliver(pair, "INBOX", msg(body), null);
              if (i % 4 == 3) {
                box.expunge("INBOX", Optional.empty());
              }
            }
            return null;
          });
    }
    runAll(tasks);
    Mailbox x = nodeA.mailbox("x@example.org");
    assertThat(x.status("INBOX").messages()).isEqualTo(4 * 15);
    x.setFlags(
        "INBOX",
        x.snapshot("INBOX").messages().stream().map(m -> m.uid()).toList(),
        FlagOperation.ADD,
        Set.of(Flags.DELETED));
    x.expunge("INBOX", Optional.empty());
    try (Connection c = DriverManager.getConnection(url, PG.user(), PG.password());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT b.id, b.refcount, (SELECT COUNT(*) FROM messages m WHERE m.blob_id = b.id)"
                    + " FROM blobs b")) {
      int rows = 0;
      while (rs.next()) {
        rows++;
        assertThat(rs.getLong(2)).as("refcount of %s", rs.getString(1)).isEqualTo(rs.getLong(3));
        assertThat(rs.getLong(2)).isPositive();
      }
      assertThat(rows).isEqualTo(3);
    }
  }

  @Test
  void migrateShouldBeIdempotentAndRecordVersionWhenNodesOpenOneDatabase() throws Exception {
    try (MailStore third = node()) {
      third.mailbox("a@example.org");
    }
    try (Connection c = DriverManager.getConnection(url, PG.user(), PG.password());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version, script, success FROM flyway_schema_history"
                    + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
      for (String script :
          List.of(
              "V1__initial_schema.sql",
              "V2__kinds_tags_conversations_quota_grants.sql",
              "V3__inline_blobs.sql",
              "V4__save_date.sql",
              "V4_7__annotations.sql")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(2)).isEqualTo(script);
        assertThat(rs.getBoolean(3)).isTrue();
      }
      assertThat(rs.next()).isFalse();
    }
  }
}
