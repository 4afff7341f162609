package org.carbonio.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.carbonio.directory.DirectoryLimits;
import org.carbonio.directory.EmbeddedDirectory;
import org.carbonio.store.CheckOptions;
import org.carbonio.store.CheckReport;
import org.carbonio.store.MailStore;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMTP under concurrent load while the server is killed with SIGKILL again and again: every message
 * acknowledged with 250 after DATA is in each recipient's INBOX exactly once and intact; a message
 * in flight at a kill is in all its recipients' INBOXes or in none, never twice; and the store is
 * consistent (no lost blob, no leaked blob, right reference counts).
 */
class CrashSafetyTest {

  /** SIGKILLs per run of the test; {@code -Dcarbonio.crash.kills=N} for a longer soak. */
  private static final int KILLS = Integer.getInteger("carbonio.crash.kills", 20);

  /** The server JVM starts 21 times: C1 only and the serial GC start it faster. */
  private static final List<String> FAST_START =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private static final int SENDERS = 8;
  private static final String DOMAIN = "example.test";
  private static final List<String> ACCOUNTS =
      List.of("ann", "ben", "cat", "dan", "eve").stream().map(n -> n + "@" + DOMAIN).toList();
  private static final Pattern TOKEN = Pattern.compile("Subject: crash (t[0-9-]+)\r\n");

  /** A message sent (or being sent) and to whom. */
  record Sent(String token, List<String> recipients, byte[] content) {}

  @TempDir Path tmp;

  private final Map<String, Sent> attempted = new ConcurrentHashMap<>();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

  /** One server run: its SMTP port, and when to kill it. */
  private static final class Run {
    final int port;
    final int killAfter;
    final AtomicInteger acked = new AtomicInteger();
    final CountDownLatch killNow = new CountDownLatch(1);
    final AtomicBoolean over = new AtomicBoolean();
    final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

    Run(int port, int killAfter) {
      this.port = port;
      this.killAfter = killAfter;
    }
  }

  @Test
  @Timeout(600)
  void acknowledgedMessagesShouldBeStoredExactlyOnceWhenServerIsKilledRepeatedly()
      throws Exception {
    Path data = tmp.resolve("data");
    Random random = new Random();
    long seed = random.nextLong();
    random.setSeed(seed);
    long t0 = System.nanoTime();
    // The accounts, before the first start (as ServerExtension does, through the directory API),
    // with cheap password hashes: no SMTP session here authenticates.
    try (EmbeddedDirectory directory =
        EmbeddedDirectory.builder()
            .dataDir(data.resolve("directory"))
            .limits(
                DirectoryLimits.DEFAULTS.withPbkdf2Iterations(
                    DirectoryLimits.MIN_PBKDF2_ITERATIONS))
            .build()) {
      directory.createDomain(DOMAIN);
      for (String account : ACCOUNTS) {
        directory.createAccount(account, "Secret-" + account);
      }
    }
    try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int kill = 0; kill <= KILLS; kill++) {
        try (ServerProcess server = ServerProcess.start(data, FAST_START, "--domain", DOMAIN)) {
          boolean last = kill == KILLS;
          Run run = new Run(server.port("smtp"), last ? 10 : 1 + random.nextInt(40));
          List<Future<?>> running = new ArrayList<>();
          for (int s = 0; s < SENDERS; s++) {
            long senderSeed = random.nextLong();
            String prefix = "t" + kill + "-" + s + "-";
            running.add(
                senders.submit(
                    () -> {
                      try {
                        return send(run, prefix, new Random(senderSeed));
                      } catch (IOException | RuntimeException | Error e) {
                        run.failures.add(e);
                        run.killNow.countDown(); // fail fast instead of waiting for the latch
                        throw e;
                      }
                    }));
          }
          assertThat(run.killNow.await(60, TimeUnit.SECONDS))
              .as("%d acknowledgements in run %d (seed %d)", run.killAfter, kill, seed)
              .isTrue();
          assertThat(run.failures).as("sender failures in run %d", kill).isEmpty();
          if (!last) {
            server.kill(); // SIGKILL, while the other senders are mid-transaction
          }
          run.over.set(true);
          for (Future<?> f : running) {
            f.get(60, TimeUnit.SECONDS);
          }
          System.out.printf(
              "run %d: %d acknowledged, %d in total, %d ms since the test started%n",
              kill, run.acked.get(), acknowledged.size(), (System.nanoTime() - t0) / 1_000_000);
        } // the last run stops cleanly (SIGTERM: the shutdown hook closes the store)
      }
    }

    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(KILLS + 10);
    assertThat(data.resolve("store").resolve("store.running")).as("clean stop").doesNotExist();
    verifyStore(data, seed);
  }

  /** Sends messages until the run is over; records each acknowledged one. */
  private Void send(Run run, String prefix, Random random) throws IOException {
    for (int n = 0; !run.over.get(); ) {
      try (RawSmtp smtp = new RawSmtp(run.port)) {
        while (!run.over.get()) {
          Sent sent = message(prefix + n++, random);
          attempted.put(sent.token(), sent);
          // the 250 after the data: RFC 5321 §4.1.1.4, the message is ours now
          smtp.send("loader@example.org", sent.recipients(), sent.content());
          acknowledged.add(sent.token());
          if (run.acked.incrementAndGet() == run.killAfter) {
            run.killNow.countDown();
          }
        }
        smtp.command("QUIT", "221");
      } catch (IOException e) {
        if (!run.over.get() && run.killNow.getCount() > 0) {
          throw e; // the server is supposed to be up
        }
      }
    }
    return null;
  }

  private static Sent message(String token, Random random) {
    List<String> pool = new ArrayList<>(ACCOUNTS);
    java.util.Collections.shuffle(pool, random);
    List<String> recipients = List.copyOf(pool.subList(0, 1 + random.nextInt(3)));
    StringBuilder text =
        new StringBuilder()
            .append("From: loader@example.org\r\n")
            .append("To: ")
            .append(String.join(", ", recipients))
            .append("\r\nSubject: crash ")
            .append(token)
            .append("\r\nMessage-ID: <")
            .append(token)
            .append("@crash.test>\r\n\r\n");
    int lines = 1 + random.nextInt(200);
    for (int i = 0; i < lines; i++) {
      text.append("line ").append(i).append(" of ").append(token).append(" padding\r\n");
    }
    return new Sent(token, recipients, text.toString().getBytes(ISO_8859_1));
  }

  private void verifyStore(Path data, long seed) throws Exception {
    Map<String, String> ids = new HashMap<>();
    try (EmbeddedDirectory directory = EmbeddedDirectory.open(data.resolve("directory"))) {
      for (String account : ACCOUNTS) {
        ids.put(account, directory.findAccount(account).orElseThrow().id());
      }
    }
    try (MailStore store = MailStore.open(data.resolve("store"))) {
      CheckReport report = store.check(CheckOptions.DEFAULTS.withVerifyContent(true));
      assertThat(report.findings()).as("store check (seed %d)", seed).isEmpty();
      Map<String, Map<String, Integer>> copies = new HashMap<>(); // token -> account -> count
      for (String account : ACCOUNTS) {
        Mailbox box = store.mailbox(ids.get(account));
        for (MessageInfo m : box.snapshot("INBOX").messages()) {
          byte[] stored = box.read("INBOX", m.uid());
          Matcher matcher = TOKEN.matcher(new String(stored, ISO_8859_1));
          assertThat(matcher.find()).as("a message this test sent").isTrue();
          String token = matcher.group(1);
          Sent sent = attempted.get(token);
          assertThat(sent).as("token %s was sent", token).isNotNull();
          assertThat(sent.recipients()).as("recipients of %s", token).contains(account);
          E2E.assertStoredAsSent(stored, sent.content()); // never partial
          copies.computeIfAbsent(token, k -> new HashMap<>()).merge(account, 1, Integer::sum);
        }
      }
      for (Sent sent : attempted.values()) {
        Map<String, Integer> found = copies.getOrDefault(sent.token(), Map.of());
        assertThat(found.values()).as("never twice: %s", sent.token()).allMatch(c -> c == 1);
        if (acknowledged.contains(sent.token())) {
          assertThat(found.keySet())
              .as("acknowledged %s (seed %d)", sent.token(), seed)
              .containsExactlyInAnyOrderElementsOf(sent.recipients());
        } else {
          Set<String> where = found.keySet();
          assertThat(where.isEmpty() || where.equals(Set.copyOf(sent.recipients())))
              .as("in flight %s: all recipients or none, found in %s", sent.token(), where)
              .isTrue();
        }
      }
    }
  }
}
